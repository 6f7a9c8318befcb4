#include "store/child_marks.hpp"

#include <fmt/format.h>

#include <array>

namespace smartq::store {

namespace {

constexpr std::string_view kChildCounts = "ticket_children";

// The counts of one ticket's live children as SQL over a ticket id expression:
// 'notes=10 tasks=2 files=3'.
std::string counts_sql(std::string_view ticket, ChildTables children) {
    std::string sql;
    for (auto table : children) {
        sql += fmt::format(
            "{}'{}{}=' || (SELECT count(*) FROM {} c WHERE c.ticket_id = {} AND "
            "c.deleted_at IS NULL)",
            sql.empty() ? "" : " || ", sql.empty() ? "" : " ", table, table, ticket);
    }
    return sql;
}

}  // namespace

void mark_children_stored(Replica& replica, std::int64_t ticket, std::string_view update_mark,
                          ChildTables children) {
    auto counts = fmt::format("SELECT {}", counts_sql("?1", children));
    auto stored = replica.repeated_query(counts, std::array<Value, 1>{ticket});
    auto key = std::to_string(ticket);
    replica.set_mark(kTicketMarks, key, update_mark);
    replica.set_mark(kChildCounts, key, as_text(stored.rows.at(0).at(0)));
}

std::string MarkGap::sentence() const {
    return fmt::format("ticket {} is marked as read with {} but the replica holds {}", ticket,
                       marked, stored);
}

std::vector<MarkGap> marks_without_children(Replica& replica, ChildTables children) {
    auto rows = replica.query(fmt::format(
        "SELECT key, marker, stored FROM (SELECT m.key, m.marker, {} AS stored FROM _sync_marks m "
        "JOIN tickets t ON t.id = CAST(m.key AS INTEGER) WHERE m.resource = '{}' AND "
        "t.deleted_at IS NULL) WHERE marker != stored ORDER BY CAST(key AS INTEGER)",
        counts_sql("t.id", children), kChildCounts));
    std::vector<MarkGap> gaps;
    for (const auto& row : rows.rows)
        gaps.push_back({as_text(row[0]), as_text(row[1]), as_text(row[2])});
    return gaps;
}

void drop_marks(Replica& replica, const std::vector<MarkGap>& gaps) {
    auto tx = replica.begin();
    for (const auto& gap : gaps) {
        replica.drop_mark(kTicketMarks, gap.ticket);
        replica.drop_mark(kChildCounts, gap.ticket);
    }
    tx.commit();
}

}  // namespace smartq::store
