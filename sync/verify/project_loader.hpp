// The verification's loader: one project's objects as a replica holds them,
// in canonical form (see canonical.hpp), every reference rewritten to the
// identity of what it points to, so that two replicas with different ids
// compare equal. The source replica and the read-back of a target are loaded
// alike.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "store/replica.hpp"
#include "sync/resources.hpp"
#include "sync/verify/object_diff.hpp"

namespace smartq::sync::verify {

// What the account-wide references resolve against.
struct AccountIndex {
    std::unordered_map<std::int64_t, std::string> user_emails;  // live and deleted
};

AccountIndex index_account(store::Replica& replica);

// The resources of a project's setup, in table order: those the table puts below projects
// but tickets and what lies below tickets (roles, steps, custom fields and their values).
std::vector<const Resource*> setup_resources();

// The canonical objects of one project, references rewritten to identities.
// What lies below tickets refers to its ticket by index into `tickets`.
struct ProjectObjects {
    std::map<Kind, std::vector<Object>> setup;  // by setup resource
    std::vector<Object> tickets;
    struct Child {
        std::size_t ticket;
        Object object;
    };
    // Each resource the table puts below tickets (notes, tasks, files, ...), in table order.
    std::map<Kind, std::vector<Child>> below;
};

class ProjectLoader {
  public:
    ProjectLoader(store::Replica& replica, const AccountIndex& account,
                  bool annotated_notes = false);
    ~ProjectLoader();
    ProjectLoader(const ProjectLoader&) = delete;
    ProjectLoader& operator=(const ProjectLoader&) = delete;

    // `only_tickets` empty: all live tickets of the project. `with_setup`:
    // its steps, fields, values and roles too.
    ProjectObjects load(std::int64_t project, const std::set<std::int64_t>& only_tickets,
                        bool with_setup);

  private:
    class Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace smartq::sync::verify
