#include "http/server.hpp"

#include "http/run_io.hpp"
#include "http/server_impl.hpp"

namespace lh::http {

namespace {

// One io_context per thread: a connection lives on one thread, so its
// completions never hop threads (futex wake-ups are costly here).
std::vector<std::unique_ptr<net::io_context>> make_contexts(unsigned n) {
  std::vector<std::unique_ptr<net::io_context>> out;
  for (unsigned i = 0; i < n; ++i)
    out.push_back(std::make_unique<net::io_context>(1));
  return out;
}

} // namespace

server::impl::impl(router r, server_options o)
  : routes(std::move(r)),
    options(std::move(o)),
    contexts(make_contexts(thread_count())),
    acceptor(*contexts[0]),
    sweeper(*contexts[0]),
    backoff_timer(*contexts[0]) {
}

unsigned io_thread_count(const server_options& options) {
  if (options.threads > 0)
    return options.threads;
  return std::max(1u, std::thread::hardware_concurrency());
}

unsigned server::impl::thread_count() const {
  return io_thread_count(options);
}

server::server(router routes, server_options options)
  : impl_(std::make_shared<impl>(std::move(routes), std::move(options))) {
}

server::~server() {
  stop(std::chrono::seconds{1});
}

expected<void> server::start() {
  auto& d = *impl_;
  if (auto ok = d.listen(); !ok)
    return ok;
  d.accept_next();
  d.sweep_timeouts();
  if (d.options.max_queue_delay.count() > 0)
    for (auto& context : d.contexts) {
      d.delay_probes.push_back(std::make_unique<queue_delay_probe>(
        *context, d.options.max_queue_delay));
      d.delay_probes.back()->start();
    }
  for (auto& context : d.contexts) {
    // Keeps run() going while the context has no socket yet.
    d.guards.push_back(net::make_work_guard(*context));
    d.threads.emplace_back([&context] { run_io(*context, "http server"); });
  }
  d.running = true;
  return {};
}

uint16_t server::port() const {
  return impl_->bound_port;
}

const server_options& server::options() const {
  return impl_->options;
}

uint64_t server::accept_failures() const {
  return impl_->accept_failures;
}

void server::stop(std::chrono::milliseconds grace) {
  auto& d = *impl_;
  if (!d.running)
    return;
  d.running = false;
  d.drain_and_stop(grace);
}

} // namespace lh::http
