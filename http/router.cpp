#include "http/router.hpp"

#include <algorithm>

#include "config/request_limits.hpp"

namespace lh::http {

void router::add(method verb, std::string pattern, handler fn,
                 std::optional<uint64_t> body_limit, admission admit) {
  routes_.push_back(route{verb, std::move(pattern),
                          body_limit.value_or(limits().max_body_bytes),
                          std::move(fn), std::move(admit)});
}

bool match_pattern(std::string_view pattern, std::string_view path,
                   std::vector<std::pair<std::string, std::string>>& params) {
  auto mark = params.size();
  auto fail = [&] {
    params.resize(mark);
    return false;
  };
  while (!pattern.empty()) {
    if (pattern.starts_with("{")) {
      auto close = pattern.find('}');
      auto name = pattern.substr(1, close - 1);
      if (name.ends_with("*")) { // the rest of the path, at least one byte
        if (path.empty())
          return fail();
        params.emplace_back(std::string{name.substr(0, name.size() - 1)},
                            std::string{path});
        return true;
      }
      auto slash = path.find('/');
      auto segment = path.substr(0, slash);
      if (segment.empty())
        return fail();
      params.emplace_back(std::string{name}, std::string{segment});
      pattern.remove_prefix(close + 1);
      path.remove_prefix(segment.size());
      continue;
    }
    auto brace = pattern.find('{');
    auto literal = pattern.substr(0, brace);
    if (!path.starts_with(literal))
      return fail();
    pattern.remove_prefix(literal.size());
    path.remove_prefix(literal.size());
  }
  return path.empty() ? true : fail();
}

route_match router::find(method verb, std::string_view path) const {
  route_match m;
  for (auto& r : routes_) {
    std::vector<std::pair<std::string, std::string>> params;
    if (!match_pattern(r.pattern, path, params))
      continue;
    if (r.verb == verb) {
      m.result = route_match::found;
      m.matched = &r;
      m.params = std::move(params);
      return m;
    }
    if (std::find(m.allowed.begin(), m.allowed.end(), r.verb)
        == m.allowed.end())
      m.allowed.push_back(r.verb);
  }
  m.result = m.allowed.empty() ? route_match::not_found
                               : route_match::method_not_allowed;
  return m;
}

} // namespace lh::http
