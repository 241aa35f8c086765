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
  due_ = 0;
}

void queue_delay_probe::arm() {
  late_heads_ = 0;
  auto due = clock::now() + interval_;
  due_.store(due.time_since_epoch().count(), std::memory_order_relaxed);
  timer_.expires_at(due);
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
  auto due = clock::time_point{
    clock::duration{due_.load(std::memory_order_relaxed)}};
  if (due_.load(std::memory_order_relaxed) == 0 || now <= due)
    return std::chrono::microseconds{0};
  return std::chrono::duration_cast<std::chrono::microseconds>(now - due);
}

} // namespace lh::http
