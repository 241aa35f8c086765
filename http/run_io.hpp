// Runs an io_context on an I/O thread so that one throwing completion
// handler (a bad_alloc while reading one connection, say) costs only that
// handler's connection: its state, held by the handler, is released and
// the socket closes, while the thread goes on serving every other
// connection. Asio lets the exception out of run(); never std::terminate.
#pragma once

#include <exception>

#include <spdlog/spdlog.h>

namespace lh::http {

template <class IoContext>
void run_io(IoContext& context, const char* what) {
  for (;;) {
    try {
      context.run();
      return; // stopped
    } catch (const std::exception& e) {
      spdlog::error("{}: a completion handler threw ({}); its connection is "
                    "closed, the others go on",
                    what, e.what());
    } catch (...) {
      spdlog::error("{}: a completion handler threw; its connection is "
                    "closed, the others go on",
                    what);
    }
  }
}

} // namespace lh::http
