// The gateway's /ready: a prober that asks each upstream's GET /ready
// every interval and keeps the last answers, so that the probe called per
// /ready request answers at once, from memory. Used by apps/gateway_main.
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "http/health_routes.hpp"
#include "http/upstream.hpp"

namespace lh::http {

class upstream_health {
public:
  using targets
    = std::vector<std::pair<std::string, std::shared_ptr<upstream>>>;

  /// Probes `upstreams` (name, pool) now and then every `interval`.
  upstream_health(targets upstreams, std::chrono::milliseconds interval);
  ~upstream_health(); // stops the prober (bounded: one interval at most)
  upstream_health(const upstream_health&) = delete;
  upstream_health& operator=(const upstream_health&) = delete;

  /// Ready when every upstream's last /ready answered 200; the detail
  /// names each upstream's state ("ready", or why not). Not ready until
  /// each has answered once.
  readiness probe() const;

private:
  void run();

  // The last answers, shared with the callbacks in flight: one may land
  // after this object is gone.
  struct answers {
    std::mutex mtx;
    std::map<std::string, std::string> state; // name -> "ready" or why not
  };

  targets upstreams_;
  std::chrono::milliseconds interval_;
  std::shared_ptr<answers> answers_ = std::make_shared<answers>();
  std::mutex stop_mtx_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread prober_;
};

} // namespace lh::http
