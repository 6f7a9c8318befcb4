#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "store/table_spec.hpp"

// The references between smartQ's tables that are not a child's link to its parent: the columns
// the specs declare with ColumnSpec::links_to (a ticket's step and owner, a note's author and the
// note it replies to, a ticket's assignees, ...). The schema declares each as a FOREIGN KEY, so
// that Datasette and sqlite-utils show the links, but the replica never enforces one (PRAGMA
// foreign_keys stays off): the server the replica mirrors can break a reference (an owner the
// login cannot see, a step of another project) and the row must be stored all the same. Unlike
// ColumnSpec::references, a link cascades no tombstone and a missing row it names is no problem
// of the replica's. The views of views.hpp join along these same links.
namespace smartq::store::links {

struct Link {
    std::string_view table;   // the referring table, a resource or a join table
    std::string_view column;  // its column holding the other row's key
    std::string_view target;  // the table whose single key column that is
};

// The links of `table` (a resource or a join table) whose target table is among `specs` with a
// single key column, in the order of its columns.
std::vector<Link> of(std::span<const TableSpec> specs, std::string_view table);

// Whether `table`.`column` is declared a link in `specs`.
bool is_link(std::span<const TableSpec> specs, std::string_view table, std::string_view column);

}  // namespace smartq::store::links
