#include "http/upstream_health.hpp"

namespace lh::http {

upstream_health::upstream_health(targets upstreams,
                                 std::chrono::milliseconds interval)
  : upstreams_(std::move(upstreams)), interval_(interval) {
  for (auto& [name, pool] : upstreams_)
    answers_->state[name] = "not probed yet";
  prober_ = std::thread{[this] { run(); }};
}

upstream_health::~upstream_health() {
  {
    std::lock_guard guard{stop_mtx_};
    stopping_ = true;
  }
  wake_.notify_all();
  prober_.join();
}

namespace {

std::string state_of(const expected<response>& r) {
  if (!r)
    return "unreachable: " + r.error().message;
  if (r->status == 200)
    return "ready";
  return "not ready: " + std::to_string(r->status) + " " + r->body;
}

} // namespace

void upstream_health::run() {
  std::unique_lock lock{stop_mtx_};
  while (!stopping_) {
    lock.unlock();
    for (auto& [name, pool] : upstreams_)
      pool->send(method::get, "/ready", "", "",
                 [answers = answers_, who = name](expected<response> r) {
                   auto state = state_of(r);
                   std::lock_guard guard{answers->mtx};
                   answers->state[who] = std::move(state);
                 });
    lock.lock();
    wake_.wait_for(lock, interval_, [this] { return stopping_; });
  }
}

readiness upstream_health::probe() const {
  std::lock_guard guard{answers_->mtx};
  bool ready = true;
  boost::json::object detail;
  for (auto& [name, state] : answers_->state) {
    ready = ready && state == "ready";
    detail[name] = state;
  }
  return readiness{ready, std::move(detail)};
}

} // namespace lh::http
