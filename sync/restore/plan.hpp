// The restore's view of the source replica: the objects in scope, one parent
// at a time and in dependency order, as they are now or were at Scope::at.
// Nothing is read for the whole account at once but users and projects: the
// tickets of one project, the notes of one ticket, ... so memory follows the
// largest parent, not the account.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/replica.hpp"
#include "store/tree_rows.hpp"
#include "sync/resources.hpp"
#include "sync/restore/scope.hpp"

namespace smartq::sync::restore {

// One source object as the replica holds it.
struct SourceObject {
    std::string key;   // the source id; for custom fields the field name ("f3")
    std::string data;  // the object as last received (or as of Scope::at), JSON
    // Files only: the stored body, when it was downloaded and verified.
    std::optional<std::string> sha256;
    std::optional<std::int64_t> size;
};

class PlanReader {
  public:
    // Throws StoreError for a malformed Scope::at, and std::invalid_argument
    // naming the first --project or --ticket the replica does not know.
    PlanReader(store::Replica& replica, Scope scope);

    const Scope& scope() const { return scope_; }

    // Whole account: every user; a narrower scope: the users its tickets are
    // assigned to (the only user references a restore can set).
    std::vector<SourceObject> users();
    // The projects in scope (those of the named tickets too), by id.
    std::vector<SourceObject> projects();
    // The account-level objects of `kind` in scope: users() or projects().
    std::vector<SourceObject> of_account(Kind kind);
    // The objects of `kind` under one parent, by id (a source context: the
    // parent's key in the member its children's paths name, see resources.hpp).
    // Tickets are narrowed to Scope::tickets when it names any.
    std::vector<SourceObject> children(Kind kind, const Context& parent);
    // The project's default role, if the replica knows it.
    std::optional<std::string> default_role(std::int64_t project_id);
    // "Name <email>" of a source user, for annotating restored notes.
    std::string author(std::int64_t user_id);

  private:
    std::vector<SourceObject> read(Kind kind, store::RowQuery query);

    store::Replica& replica_;
    Scope scope_;
    // Tombstoned objects are restored when the scope names them: a named project
    // or ticket gone from the source brings its children deleted with it or later.
    std::string project_deleted_since_;  // per scope, the earliest tombstone of a named root
};

}  // namespace smartq::sync::restore
