// The search hot path under concurrency, without actors: HTTP threads
// search the published index_table while HTTP adds change the same index
// (a CAF-free registry applies them one at a time, as the index actor
// does). Runs in the TSan build (TSAN=1 scripts/test), where CAF's
// uninstrumented mailboxes cannot hide or fake races.
#include <atomic>
#include <future>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "actors/async_registry.hpp"
#include "http/client.hpp"
#include "http/server.hpp"
#include "http/vector_routes.hpp"
#include "index/index_status.hpp"
#include "index/index_table.hpp"
#include "index/worker_pool.hpp"

using lh::http::method;

namespace {

// Serializes every mutation under one mutex and publishes new tables the
// way the registry actor does; answers on the calling thread.
class serial_registry : public lh::async_registry {
public:
  explicit serial_registry(std::shared_ptr<lh::index_table> table)
    : table_(std::move(table)) {}

  void create(lh::index_params params, callback<lh::index_info> done) override {
    std::lock_guard guard{mtx_};
    auto idx = std::make_shared<lh::vector_index>(params);
    auto next = std::make_shared<lh::index_table::map>(*table_->snapshot());
    next->emplace(params.name, idx);
    table_->publish(std::move(next));
    done(idx->info());
  }

  bool saturated() const override { return false; }

  void drop(std::string, callback<void> done) override {
    done(lh::make_error(lh::ec::internal, "not in this test"));
  }

  void add(std::string name, lh::add_batch batch,
           callback<lh::add_result> done) override {
    std::lock_guard guard{mtx_};
    auto idx = table_->find(name);
    if (!idx)
      return done(lh::make_error(lh::ec::not_found, name));
    done(idx->add(std::move(batch), nullptr));
  }

  void remove(std::string, lh::delete_request,
              callback<lh::delete_result> done) override {
    done(lh::make_error(lh::ec::internal, "not in this test"));
  }

private:
  std::mutex mtx_;
  std::shared_ptr<lh::index_table> table_;
};

std::string vector_of(int i) {
  return "[" + std::to_string(i % 97) + "," + std::to_string(i / 97) + ",1]";
}

} // namespace

TEST(search_concurrency, http_searches_answer_beside_http_adds) {
  auto table = std::make_shared<lh::index_table>();
  auto status = std::make_shared<lh::index_status>(false);
  lh::http::router routes;
  lh::http::add_vector_routes(routes, table, status,
                              std::make_shared<serial_registry>(table));
  lh::http::server server{std::move(routes), {.threads = 2}};
  ASSERT_TRUE(server.start());
  lh::http::blocking_client writer{"127.0.0.1", server.port()};
  auto created = writer.send(
    method::post, "/vectors/index",
    R"({"name":"docs","dimension":3,"distance":"l2","m":8,)"
    R"("ef_construction":32})");
  ASSERT_TRUE(created);
  ASSERT_EQ(created->status, 201u) << created->body;

  constexpr int batches = 30, per_batch = 40;
  std::atomic<bool> adding{true};
  std::atomic<int> searches{0}, bad_answers{0};
  auto searcher = [&] {
    lh::http::blocking_client client{"127.0.0.1", server.port()};
    // Bounded: stops when the adds are done, or after 2000 searches.
    for (int n = 0; adding && n < 2000; ++n) {
      auto r = client.send(method::post, "/vectors/index/docs/search",
                           R"({"vector":[5,3,1],"k":5})");
      if (!r || r->status != 200)
        ++bad_answers;
      ++searches;
    }
  };
  std::thread a{searcher}, b{searcher};
  for (int batch = 0; batch < batches; ++batch) {
    std::string body = R"({"items":[)";
    for (int j = 0; j < per_batch; ++j) {
      int i = batch * per_batch + j;
      body += (j ? "," : "") + std::string{R"({"id":"item-)"}
              + std::to_string(i) + R"(","vector":)" + vector_of(i) + "}";
    }
    auto r = writer.send(method::post, "/vectors/index/docs/add", body + "]}");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200u) << r->body;
  }
  adding = false;
  a.join();
  b.join();
  EXPECT_GT(searches.load(), 0);
  EXPECT_EQ(bad_answers.load(), 0);
  // Every add landed whole: the length, and an exact match for a sample.
  EXPECT_EQ(table->find("docs")->length(), size_t{batches * per_batch});
  for (int i : {0, 517, batches * per_batch - 1}) {
    auto r = writer.send(method::post, "/vectors/index/docs/search",
                         R"({"vector":)" + vector_of(i)
                           + R"(,"k":1,"ef":200})");
    ASSERT_TRUE(r);
    EXPECT_NE(r->body.find("\"item-" + std::to_string(i) + "\""),
              std::string::npos)
      << r->body;
  }
  server.stop();
}

// A batch runs on the worker pool, not on the I/O thread that read it:
// with the pool held up, the batch waits while the server's only I/O
// thread goes on answering, and the batch is answered once the pool is
// free. (Run on the I/O thread, it was answered at once, with the pool
// never used, and that thread served nothing else meanwhile.)
TEST(search_concurrency, a_batch_leaves_the_io_thread_free) {
  auto table = std::make_shared<lh::index_table>();
  auto status = std::make_shared<lh::index_status>(false);
  auto pool = std::make_shared<lh::worker_pool>(1);
  lh::http::router routes;
  lh::http::add_vector_routes(
    routes, table, status, std::make_shared<serial_registry>(table), "", pool);
  lh::http::server server{std::move(routes), {.threads = 1}};
  ASSERT_TRUE(server.start());
  lh::http::blocking_client main{"127.0.0.1", server.port()};
  auto created = main.send(method::post, "/vectors/index",
                           R"({"name":"docs","dimension":3,"distance":"l2"})");
  ASSERT_TRUE(created);
  ASSERT_EQ(created->status, 201u) << created->body;
  auto added = main.send(
    method::post, "/vectors/index/docs/add",
    R"({"items":[{"id":"a","vector":[1,0,0]},{"id":"b","vector":[0,1,0]}]})");
  ASSERT_TRUE(added);
  ASSERT_EQ(added->status, 200u) << added->body;

  std::promise<void> release;
  pool->post([held = release.get_future().share()] { held.wait(); });
  auto batch = std::async(std::launch::async, [&] {
    lh::http::blocking_client c{"127.0.0.1", server.port()};
    return c.send(method::post, "/vectors/index/docs/search/batch",
                  R"({"searches":[{"vector":[0,1,0],"k":1},)"
                  R"({"vector":[1,0,0],"k":1}]})");
  });
  // Give the batch time to be read and queued (the checks below hold
  // either way; only then do they test what the title says).
  std::this_thread::sleep_for(std::chrono::milliseconds{100});
  for (int i = 0; i < 3; ++i) {
    auto info = main.send(method::get, "/vectors/index/docs");
    ASSERT_TRUE(info);
    EXPECT_EQ(info->status, 200u);
  }
  EXPECT_EQ(batch.wait_for(std::chrono::milliseconds{200}),
            std::future_status::timeout)
    << "the batch was answered while the pool was held";
  release.set_value();
  auto answer = batch.get();
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 200u);
  auto b = answer->body.find(R"("id":"b")"),
       a = answer->body.find(R"("id":"a")");
  EXPECT_NE(b, std::string::npos) << answer->body;
  EXPECT_NE(a, std::string::npos) << answer->body;
  EXPECT_LT(b, a) << "answers out of request order: " << answer->body;
  server.stop();
}
