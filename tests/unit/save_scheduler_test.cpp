#include "index/save_scheduler.hpp"

#include <gtest/gtest.h>

using kind = lh::save_scheduler::kind;
using action = lh::save_scheduler::action;

TEST(save_scheduler, first_change_saves_at_once) {
  lh::save_scheduler s;
  EXPECT_EQ(s.changed("a"), (action{kind::save, "a"}));
  EXPECT_EQ(s.finished("a", true), std::nullopt);
  EXPECT_TRUE(s.idle());
}

TEST(save_scheduler, notices_during_a_save_collapse_into_one_more) {
  lh::save_scheduler s;
  ASSERT_TRUE(s.changed("a"));
  for (int i = 0; i < 10; ++i)
    EXPECT_EQ(s.changed("a"), std::nullopt);
  EXPECT_EQ(s.finished("a", true), (action{kind::save, "a"}));
  EXPECT_EQ(s.finished("a", true), std::nullopt);
  EXPECT_TRUE(s.idle());
}

TEST(save_scheduler, indexes_do_not_wait_for_each_other) {
  lh::save_scheduler s;
  EXPECT_TRUE(s.changed("a"));
  EXPECT_TRUE(s.changed("b"));
}

TEST(save_scheduler, drop_during_a_save_deletes_after_it_and_never_saves) {
  lh::save_scheduler s;
  ASSERT_TRUE(s.changed("a"));
  EXPECT_EQ(s.changed("a"), std::nullopt); // a newer save is wanted...
  EXPECT_EQ(s.dropped("a"), std::nullopt); // ...but the drop replaces it
  EXPECT_EQ(s.finished("a", true), (action{kind::remove, "a"}));
  EXPECT_EQ(s.finished("a", true), std::nullopt);
  EXPECT_TRUE(s.idle());
}

TEST(save_scheduler, drop_of_an_idle_index_deletes_at_once) {
  lh::save_scheduler s;
  EXPECT_EQ(s.dropped("a"), (action{kind::remove, "a"}));
}

TEST(save_scheduler, recreate_during_a_delete_saves_after_it) {
  lh::save_scheduler s;
  ASSERT_TRUE(s.dropped("a"));
  EXPECT_EQ(s.changed("a"), std::nullopt);
  EXPECT_EQ(s.finished("a", true), (action{kind::save, "a"}));
}

TEST(save_scheduler, a_failed_save_is_retried_after_backoff) {
  lh::save_scheduler s;
  ASSERT_TRUE(s.changed("a"));
  EXPECT_EQ(s.finished("a", false), std::nullopt);
  EXPECT_EQ(s.failures("a"), 1u);
  EXPECT_EQ(s.changed("a"), std::nullopt); // still backing off
  EXPECT_EQ(s.retry("a"), (action{kind::save, "a"}));
  EXPECT_EQ(s.finished("a", false), std::nullopt);
  EXPECT_EQ(s.failures("a"), 2u);
  EXPECT_EQ(s.retry("a"), (action{kind::save, "a"}));
  EXPECT_EQ(s.finished("a", true), std::nullopt);
  EXPECT_EQ(s.failures("a"), 0u);
  EXPECT_TRUE(s.idle());
}

TEST(save_scheduler, a_drop_while_backing_off_retries_as_a_delete) {
  lh::save_scheduler s;
  ASSERT_TRUE(s.changed("a"));
  ASSERT_EQ(s.finished("a", false), std::nullopt);
  EXPECT_EQ(s.dropped("a"), std::nullopt);
  EXPECT_EQ(s.retry("a"), (action{kind::remove, "a"}));
}

TEST(save_scheduler, stray_calls_are_ignored) {
  lh::save_scheduler s;
  EXPECT_EQ(s.finished("x", true), std::nullopt);
  EXPECT_EQ(s.retry("x"), std::nullopt);
  ASSERT_TRUE(s.changed("a"));
  EXPECT_EQ(s.retry("a"), std::nullopt); // not backing off
}

TEST(save_scheduler, pacing_rests_after_each_save_but_not_before_a_delete) {
  lh::save_scheduler s{true};
  ASSERT_EQ(s.changed("a"), (action{kind::save, "a"}));
  EXPECT_EQ(s.changed("a"), std::nullopt);
  EXPECT_EQ(s.finished("a", true), std::nullopt); // not at once: a rest
  EXPECT_TRUE(s.waiting("a"));
  EXPECT_FALSE(s.idle());
  EXPECT_EQ(s.changed("a"), std::nullopt); // still one save, after the rest
  EXPECT_EQ(s.retry("a"), (action{kind::save, "a"}));
  EXPECT_FALSE(s.waiting("a"));
  // A rest follows even when nothing changed during the save: a change
  // right after it waits too.
  EXPECT_EQ(s.finished("a", true), std::nullopt);
  EXPECT_TRUE(s.waiting("a"));
  EXPECT_TRUE(s.idle()); // resting with nothing wanted is idle
  EXPECT_EQ(s.changed("a"), std::nullopt);
  EXPECT_FALSE(s.idle());
  EXPECT_EQ(s.retry("a"), (action{kind::save, "a"}));
  EXPECT_EQ(s.finished("a", true), std::nullopt);
  EXPECT_EQ(s.retry("a"), std::nullopt); // the rest ends with nothing to do
  EXPECT_FALSE(s.waiting("a"));
  EXPECT_TRUE(s.idle());
  // A drop during a save: the delete follows at once.
  ASSERT_EQ(s.changed("b"), (action{kind::save, "b"}));
  EXPECT_EQ(s.dropped("b"), std::nullopt);
  EXPECT_EQ(s.finished("b", true), (action{kind::remove, "b"}));
  EXPECT_FALSE(s.waiting("b"));
  // A drop during the pause replaces the save.
  ASSERT_EQ(s.changed("c"), (action{kind::save, "c"}));
  s.changed("c");
  ASSERT_EQ(s.finished("c", true), std::nullopt);
  EXPECT_EQ(s.dropped("c"), std::nullopt);
  EXPECT_EQ(s.retry("c"), (action{kind::remove, "c"}));
}
