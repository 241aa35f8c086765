#include "bench/http_index.hpp"

#include <algorithm>
#include <cstdio>

#include "bench/load_client.hpp"

namespace bench {

using lh::http::method;

matrix random_rows(size_t rows, size_t dim, std::mt19937& rng) {
  std::uniform_real_distribution<float> u{-1, 1};
  matrix m{rows, dim, std::vector<float>(rows * dim)};
  for (auto& x : m.values)
    x = u(rng);
  return m;
}

matrix slice(const matrix& m, size_t first, size_t rows) {
  matrix out{rows, m.dim, {}};
  out.values.assign(m.row(first), m.row(first) + rows * m.dim);
  return out;
}

std::string add_body(const matrix& rows, size_t first, size_t count,
                     const std::string& id_prefix, size_t id_base) {
  std::string body = R"({"items":[)";
  for (size_t i = 0; i < count; ++i) {
    body += i ? "," : "";
    body += R"({"id":")" + id_prefix + std::to_string(id_base + i)
            + R"(","vector":)"
            + json_vector(rows.row((first + i) % rows.rows), rows.dim) + "}";
  }
  return body + "]}";
}

bool expect_status(const lh::expected<lh::http::response>& r, unsigned status,
                   const std::string& what) {
  if (r && r->status == status)
    return true;
  std::fprintf(stderr, "%s: %s\n", what.c_str(),
               r ? (std::to_string(r->status) + " " + r->body).c_str()
                 : r.error().message.c_str());
  return false;
}

bool load_index(lh::http::blocking_client& c, const std::string& prefix,
                const std::string& name, const matrix& rows) {
  auto created = c.send(method::post, prefix + "/vectors/index",
                        R"({"name":")" + name + R"(","dimension":)"
                          + std::to_string(rows.dim) + R"(,"distance":"l2"})");
  if (!expect_status(created, 201, "create " + name))
    return false;
  for (size_t first = 0; first < rows.rows; first += 500) {
    auto n = std::min<size_t>(500, rows.rows - first);
    auto r = c.send(method::post, prefix + "/vectors/index/" + name + "/add",
                    add_body(rows, first, n, "", first));
    if (!expect_status(r, 200, "add to " + name))
      return false;
  }
  return true;
}

} // namespace bench
