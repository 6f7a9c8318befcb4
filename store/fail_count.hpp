// A test hook in the style of Beast's test::fail_count: an object a test passes to the code under
// test, which asks it before each operation that can fail for real (a COMMIT on a full disk).
// Counting calls, not time, makes the failure land on the same operation in every run.
#pragma once

#include <cstddef>
#include <cstdint>

namespace smartq::store {

class FailCount {
  public:
    // Calls number `first` (1-based) up to first + times - 1 fail; the others succeed.
    explicit FailCount(std::size_t first, std::size_t times = 1) : first_(first), times_(times) {}

    // Counts a call; true if this one must fail.
    bool fails() {
        ++calls_;
        return calls_ >= first_ && calls_ < first_ + times_;
    }
    std::size_t calls() const { return calls_; }

  private:
    std::size_t first_;
    std::size_t times_;
    std::size_t calls_ = 0;
};

// A disk that fills up under each blob writer: a writer's writes fail like a full disk (ENOSPC)
// once it has written `bytes` in all. Passed to BlobStore::inject_write_faults.
class FailAfterBytes {
  public:
    explicit FailAfterBytes(std::uint64_t bytes) : bytes_(bytes) {}
    std::uint64_t bytes() const { return bytes_; }

  private:
    std::uint64_t bytes_;
};

}  // namespace smartq::store
