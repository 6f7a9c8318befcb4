// A ticket's "children stored" marks, written in one unit with nothing after the last of its
// children: `tickets` holds the update time the children were read at (what the next run
// compares with the listing), `ticket_children` how many rows of each table below a ticket
// (the caller names them: notes, tasks, files) were live then. verify and the start of every sync
// compare the counts with the rows: a mark whose children are missing (a write lost after the mark
// landed) is a finding, and the sync drops it so that the ticket is read again.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "store/replica.hpp"

namespace smartq::store {

inline constexpr std::string_view kTicketMarks = "tickets";

// The tables below a ticket, each with a ticket_id column.
using ChildTables = std::span<const std::string_view>;

// Writes both marks in one write unit (the caller's, if one is open).
void mark_children_stored(Replica& replica, std::int64_t ticket, std::string_view update_mark,
                          ChildTables children);

struct MarkGap {
    std::string ticket;
    std::string marked;  // "notes=10 tasks=2 files=3" when marked
    std::string stored;  // the same count of the rows there now
    std::string sentence() const;
};

// Live tickets whose stored children differ from what their mark vouches for.
std::vector<MarkGap> marks_without_children(Replica& replica, ChildTables children);

// Drops both marks of each ticket: the next run reads it again.
void drop_marks(Replica& replica, const std::vector<MarkGap>& gaps);

}  // namespace smartq::store
