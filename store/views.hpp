#pragma once

#include <span>

#include "store/sqlite.hpp"
#include "store/table_spec.hpp"

// Views that read a replica as a person does, without JSON paths or joins: for Datasette, for the
// export and serve pages, for `query`. Created when the specs have smartQ's tables (users,
// projects, steps, custom fields and their values, tickets, notes, tasks, files), else skipped;
// recreated at every read-write open so that a new program's definition replaces an old one.
//
// ticket_details: a ticket with its project, step, owner (name, email), assignee names (a JSON
//   array), tags, custom fields (a JSON object from label to value text; a choice shows its
//   title, several values are joined by ", "), counts of its live notes, tasks and files,
//   archived and its times. Tombstoned tickets are there with deleted_at set.
// note_details: a note with its ticket and project names, author, parent, private flag, plain
//   text and attachment names (a JSON array of its live files).
namespace smartq::store::views {

void ensure(sqlite::Connection& db, std::span<const TableSpec> specs);

}  // namespace smartq::store::views
