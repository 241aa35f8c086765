#include "config/request_limits.hpp"

namespace lh {

namespace {
request_limits& current() {
  static request_limits l;
  return l;
}
} // namespace

const request_limits& limits() {
  return current();
}

void set_request_limits(const request_limits& l) {
  current() = l;
}

} // namespace lh
