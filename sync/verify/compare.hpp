// Compares the live objects of two replicas, usually of different accounts:
// a backup and the account it was restored into. Ids, server-set times and
// authors differ between accounts, so objects are matched by natural keys
// (user -> email, project -> name, step/role -> name in its project, custom
// field -> label in its project, value -> title in its field) and by their
// canonical content, with every reference rewritten to the identity of the
// object it points to. Objects are multisets: two identical tickets are fine.
//
// What is compared, per resource: every field the source replica holds
// (canonical.hpp), not the fields a restore writes, so that a field the
// restore forgets shows as a difference. Left out are what no client can set
// (ids, owner_id, every *_time, passwords, avatar_url: the restore's report
// names them once) and what is compared another way: parents through the
// tree, a ticket's custom field values keyed by the field's label (choice
// values by title), a field's generated name (f3 in one account is f7 in the
// other), and for files the downloaded body (files.sha256, files.size).
// Missing, null, "", [], {} and a zero date are the same value; JSON booleans
// compare as 1/0 and numbers by value. Changed objects are paired by natural
// key and then by content, never by the target's order, and a file name the
// server cut to its basename is reported as renamed, once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "store/replica.hpp"

namespace smartq::sync::verify {

// What to compare. Ids are those of the SOURCE replica (the first argument).
// Nothing listed: the whole account (users and every project). Projects
// listed: those projects, matched in the target by name, compared in both
// directions (roles, steps, fields, values, tickets and their children).
// Tickets listed: each must have an equal copy, with equal notes, tasks and
// files, in the target's project of the same name; other tickets of the
// target are not looked at (a restore may add tickets to a busy project).
struct CompareScope {
    std::vector<std::int64_t> projects;
    std::vector<std::int64_t> tickets;
    // Users of the target left out of a whole-account comparison, e.g. the
    // administrator a restore drill logs in as.
    std::vector<std::string> ignored_target_users;  // emails
    // The target's notes carry restore --annotate-authors' first line, left out of the comparison.
    bool annotated_target_notes = false;

    bool whole_account() const { return projects.empty() && tickets.empty(); }
};

struct ObjectCounts {
    std::size_t source = 0;
    std::size_t target = 0;
};

struct Comparison {
    std::vector<std::string> differences;        // the first `limit`, one sentence each
    std::size_t total = 0;                       // every difference found
    std::map<std::string, ObjectCounts> counts;  // live objects compared, by resource
    bool equal() const { return total == 0; }
};

// The full result. Memory grows with the largest project, not the account
// (users are held whole: they are few).
Comparison compare(store::Replica& source, store::Replica& target, const CompareScope& scope,
                   std::size_t limit = 50);

// The differences as sentences: empty when equal; otherwise at most 50, and a
// last line "N differences in total" when some were left out.
std::vector<std::string> compare_replicas(store::Replica& source, store::Replica& target,
                                          const CompareScope& scope);

}  // namespace smartq::sync::verify
