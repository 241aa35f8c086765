// An I/O thread outlives a completion handler that throws (http/run_io.hpp):
// the handlers queued after it still run, on the same thread, and the loop
// ends only when its io_context is stopped.
#include <atomic>
#include <new>
#include <stdexcept>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <gtest/gtest.h>

#include "http/run_io.hpp"

TEST(run_io, a_throwing_completion_handler_costs_only_itself) {
  boost::asio::io_context context;
  std::atomic<int> ran{0};
  boost::asio::post(context, [] { throw std::bad_alloc{}; });
  boost::asio::post(context, [&] { ++ran; });
  boost::asio::post(context, [] { throw std::runtime_error{"parse"}; });
  boost::asio::post(context, [] { throw 42; }); // not even an exception type
  boost::asio::post(context, [&] {
    ++ran;
    context.stop();
  });
  std::thread io{[&] { lh::http::run_io(context, "test"); }};
  io.join(); // returns: the stop ended the loop, no throw escaped
  EXPECT_EQ(ran, 2);
}
