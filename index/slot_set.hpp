// A set of graph slots (hnswlib internal ids) as a plain bitset: what a
// filter evaluates to, and what the filtered HNSW walk tests per candidate
// in one load. Used by index/metadata_index and index/hnsw_index. Pure.
#pragma once

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace lh {

class slot_set {
public:
  slot_set() = default;
  /// An empty set able to hold slots 0..universe-1 without growing.
  explicit slot_set(size_t universe) : words_((universe + 63) / 64, 0) {}

  size_t universe() const { return words_.size() * 64; }

  bool test(size_t slot) const {
    auto w = slot / 64;
    return w < words_.size() && (words_[w] >> (slot % 64)) & 1;
  }
  void set(size_t slot) {
    grow(slot + 1);
    words_[slot / 64] |= uint64_t{1} << (slot % 64);
  }
  void reset(size_t slot) {
    if (auto w = slot / 64; w < words_.size())
      words_[w] &= ~(uint64_t{1} << (slot % 64));
  }
  void grow(size_t universe) {
    auto need = (universe + 63) / 64;
    if (need > words_.size())
      words_.resize(std::max(need, words_.size() * 2), 0);
  }

  size_t count() const {
    size_t n = 0;
    for (auto w : words_)
      n += static_cast<size_t>(std::popcount(w));
    return n;
  }

  slot_set& operator|=(const slot_set& other) {
    grow(other.universe());
    for (size_t i = 0; i < other.words_.size(); ++i)
      words_[i] |= other.words_[i];
    return *this;
  }
  slot_set& operator&=(const slot_set& other) {
    auto shared = std::min(words_.size(), other.words_.size());
    for (size_t i = 0; i < shared; ++i)
      words_[i] &= other.words_[i];
    std::fill(words_.begin() + static_cast<ptrdiff_t>(shared), words_.end(), 0);
    return *this;
  }
  /// Removes every slot of `other`.
  slot_set& subtract(const slot_set& other) {
    auto shared = std::min(words_.size(), other.words_.size());
    for (size_t i = 0; i < shared; ++i)
      words_[i] &= ~other.words_[i];
    return *this;
  }

  /// The first slot >= `from` in the set, or universe() when none is.
  size_t next_from(size_t from) const {
    auto w = from / 64;
    if (w >= words_.size())
      return universe();
    auto bits = words_[w] & (~uint64_t{0} << (from % 64));
    while (bits == 0) {
      if (++w == words_.size())
        return universe();
      bits = words_[w];
    }
    return w * 64 + static_cast<size_t>(std::countr_zero(bits));
  }

  /// Calls fn(slot) for each slot in ascending order; stops early when fn
  /// returns false.
  template <class F>
  void for_each(F&& fn) const {
    for (size_t i = 0; i < words_.size(); ++i)
      for (auto w = words_[i]; w != 0; w &= w - 1)
        if (!fn(i * 64 + static_cast<size_t>(std::countr_zero(w))))
          return;
  }

  size_t memory_bytes() const { return words_.capacity() * sizeof(uint64_t); }

private:
  std::vector<uint64_t> words_;
};

} // namespace lh
