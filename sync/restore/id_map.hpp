// The restore's id map: which object of the target each source object became.
// It lives in the source replica (the _id_map table), keyed by the target account,
// and is written before and after every POST, so that a restore killed at any
// instant knows what it may have created.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "store/replica.hpp"
#include "sync/resources.hpp"

namespace smartq::sync::restore {

// What the map says about one source object.
struct Mapping {
    enum class State { Unknown, Pending, Mapped };
    State state = State::Unknown;
    std::string target_key;  // when Mapped: the target's id (or field name)
};

class IdMap {
  public:
    // Persist: every change is written to the replica at once. Record (a dry
    // run): changes are kept in memory over what the replica holds, so that
    // the walk sees its made-up objects and the replica is left as it was.
    enum class Writes { Persist, Record };

    // `target` names the target account: its url and configured name.
    IdMap(store::Replica& replica, std::string target, Writes writes = Writes::Persist);

    Mapping lookup(Kind kind, std::string_view source_key);
    // A POST is about to be sent: its answer may be lost, so on resume the
    // object must be looked for in the target before it is sent again.
    void mark_pending(Kind kind, std::string_view source_key);
    void map(Kind kind, std::string_view source_key, std::string_view target_key);
    // Drops a mapping whose target object no longer exists.
    void forget(Kind kind, std::string_view source_key);
    // Whether some source object already maps to this target object, so that
    // matching by natural key does not adopt it twice.
    bool is_taken(Kind kind, std::string_view target_key);

    // A ticket whose children and final PUTs are all done is skipped on resume.
    bool ticket_done(std::string_view source_key);
    void mark_ticket_done(std::string_view source_key);

    // A project is marked before its POST: whatever the server then puts in
    // it on its own (default steps and roles) is the restore's to remove.
    void mark_project_created(std::string_view source_key);
    bool project_created(std::string_view source_key);

    const std::string& target() const { return target_; }

  private:
    std::optional<std::string> stored(std::string_view resource, std::string_view source_key);
    void store(std::string_view resource, std::string_view source_key, std::string_view value);

    store::Replica& replica_;
    std::string target_;
    Writes writes_;
    // Writes::Record: (resource, source key) -> value, and (resource, target key) taken.
    std::map<std::pair<std::string, std::string>, std::string, std::less<>> recorded_;
    std::set<std::pair<std::string, std::string>> recorded_taken_;
};

}  // namespace smartq::sync::restore
