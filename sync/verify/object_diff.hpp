// The multiset difference of two lists of canonical objects, as sentences.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "sync/verify/canonical.hpp"

namespace smartq::sync::verify {

// Sentences up to a limit, and the count of all of them.
class Report {
  public:
    explicit Report(std::size_t limit) : limit_(limit) {}
    void add(std::string sentence);
    std::size_t total() const { return total_; }
    std::vector<std::string> take() { return std::move(sentences_); }

  private:
    std::size_t limit_;
    std::size_t total_ = 0;
    std::vector<std::string> sentences_;
};

// One object as compared: the identity of what it belongs to in this
// comparison (a ticket's content for a note), how a person names it, and its
// canonical fields.
struct Object {
    std::string group;
    std::string context;  // `ticket "Fix login"`, or "" at the top of `where`
    std::string label;    // `note "Looks good"`
    Fields fields;
    std::string key() const;
};

enum class Direction {
    Both,            // the target has exactly the source's objects
    SourceInTarget,  // the target has at least the source's objects
};

struct Pair {
    std::size_t source;
    std::size_t target;
};

// Reports, under `where` (`project "Alpha"`), every source object without an
// equal target object and (Both) every target object without an equal source
// one. Unmatched objects with the same group and label are taken as one
// object changed: its differing fields are named, and the pair returned.
std::vector<Pair> diff(std::string_view where, const std::vector<Object>& source,
                       const std::vector<Object>& target, Direction direction, Report& report);

// A value for a sentence: quoted, shortened, "(none)" when empty.
std::string shown(std::string_view value);

}  // namespace smartq::sync::verify
