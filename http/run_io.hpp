// Runs an io_context on an I/O thread so that one throwing completion
// handler (a bad_alloc while reading one connection, say) costs only that
// handler's connection: its state, held by the handler, is released and
// the socket closes, while the thread goes on serving every other
// connection. Asio lets the exception out of run(); never std::terminate.
#pragma once

#include <exception>

#include <boost/asio/io_context.hpp>
#include <spdlog/spdlog.h>

namespace lh::http {

/// The io_context this thread runs in run_io, or null on any other thread:
/// an upstream forwards a request on the I/O thread that read it (see
/// upstream.cpp's lanes) instead of handing it to a thread of its own.
inline thread_local boost::asio::io_context* running_io_context = nullptr;

template <class IoContext>
void run_io(IoContext& context, const char* what) {
  running_io_context = &context;
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
