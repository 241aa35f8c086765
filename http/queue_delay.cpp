#include "http/queue_delay.hpp"

#include <algorithm>

namespace lh::http {

// Probed four times per allowed delay: a backlog is seen before it is
// much older than the bound.
queue_delay_probe::queue_delay_probe(boost::asio::io_context& context,
                                     std::chrono::microseconds bound)
  : context_(&context),
    timer_(context),
    bound_(bound),
    interval_(std::max<std::chrono::microseconds>(
      std::chrono::microseconds{500}, bound / 4)) {
}

void queue_delay_probe::start() {
  stopped_ = false;
  arm();
}

void queue_delay_probe::stop() {
  stopped_ = true;
  timer_.cancel();
}

void queue_delay_probe::arm() {
  timer_.expires_after(interval_);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec && !stopped_)
      arm();
  });
}

std::chrono::microseconds
queue_delay_probe::behind_for_request(clock::time_point now,
                                      std::chrono::microseconds in_kernel) {
  auto behind = std::max(delay(now), in_kernel);
  if (behind <= bound_)
    return std::chrono::microseconds{0};
  bool queued = last_late_head_ && now - *last_late_head_ <= bound_;
  last_late_head_ = now;
  return queued ? behind : std::chrono::microseconds{0};
}

std::chrono::microseconds
queue_delay_probe::delay(clock::time_point now) const {
  auto due = timer_.expiry();
  if (stopped_ || now <= due)
    return std::chrono::microseconds{0};
  return std::chrono::duration_cast<std::chrono::microseconds>(now - due);
}

} // namespace lh::http
