#include "http/queue_delay.hpp"

namespace lh::http {

queue_delay_probe::queue_delay_probe(boost::asio::io_context& context,
                                     std::chrono::microseconds interval)
  : context_(&context), timer_(context), interval_(interval) {
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
  late_heads_ = 0;
  timer_.expires_after(interval_);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec && !stopped_)
      arm();
  });
}

std::chrono::microseconds
queue_delay_probe::behind_for_request(clock::time_point now) {
  auto behind = delay(now);
  if (behind.count() == 0 || late_heads_++ == 0)
    return std::chrono::microseconds{0};
  return behind;
}

std::chrono::microseconds
queue_delay_probe::delay(clock::time_point now) const {
  auto due = timer_.expiry();
  if (stopped_ || now <= due)
    return std::chrono::microseconds{0};
  return std::chrono::duration_cast<std::chrono::microseconds>(now - due);
}

} // namespace lh::http
