#include <doctest/doctest.h>

#include "store/id_map_queries.hpp"
#include "store/tree_rows.hpp"
#include "store_fixture.hpp"

using namespace smartq::store;
using namespace smartq::store::testing;

namespace {

const TableSpec kNotes{
    .table = "notes",
    .resource = "notes",
    .key = {{"id", ColumnType::Integer}},
    .columns = {{"ticket_id", ColumnType::Integer, true, "tickets"}},
    .joins = {},
};

// Project 1 holds tickets 7 (deleted at 12:00), 8 and 9 (named O'Brien); project 2 ticket 20.
// Notes 100 (on 7) and 101, 102 (on 8; 102 deleted).
struct Tree {
    ScratchDir dir;
    std::vector<TableSpec> specs{kProjects, kTickets, kNotes, kCustomFields};
    Replica replica = Replica::open(dir / "replica.db", specs, Mode::ReadWrite);
    RunId run = replica.start_run("acme", RunKind::Full, "2024-01-01 09:00:00");
    Tree() {
        replica.upsert(kProjects, project(1, "Alpha"), run, "2024-01-01 09:00:00");
        replica.upsert(kProjects, project(2, "Beta"), run, "2024-01-01 09:00:00");
        replica.upsert(kTickets, ticket(9, 1, "O'Brien"), run, "2024-01-01 10:00:00");
        replica.upsert(kTickets, ticket(7, 1, "v1"), run, "2024-01-01 10:00:00");
        replica.upsert(kTickets, ticket(8, 1, "other"), run, "2024-01-01 10:00:00");
        replica.upsert(kTickets, ticket(20, 2, "elsewhere"), run, "2024-01-01 10:00:00");
        replica.upsert(kTickets, ticket(7, 1, "v2"), run, "2024-01-01 11:00:00");
        for (auto [id, on] : {std::pair{100, 7}, {101, 8}, {102, 8}})
            replica.upsert(kNotes, Record{{std::int64_t{id}}, {std::int64_t{on}}, "{}", {}}, run,
                           "2024-01-01 10:00:00");
        REQUIRE(replica.tombstone(kTickets, key(7), run, "2024-01-01 12:00:00"));
        REQUIRE(replica.tombstone(kNotes, key(102), run, "2024-01-01 12:00:00"));
    }

    // "id" or "id-" (tombstoned) of each row, in the order read.
    static std::string ids(const std::vector<TreeRow>& rows) {
        std::string out;
        for (const auto& row : rows)
            out += (out.empty() ? "" : " ") + as_text(row.key[0]) + (row.live ? "" : "-");
        return out;
    }
    std::string tickets(const RowQuery& query) {
        return ids(select_rows(replica, kTickets, query));
    }
};

}  // namespace

TEST_CASE("the rows of one parent: live ones by id, tombstoned ones when asked or deleted since") {
    Tree tree;
    CHECK(tree.tickets({.equal = {{"project_id", std::int64_t{1}}}}) == "8 9");
    CHECK(tree.tickets({.equal = {{"project_id", std::int64_t{1}}},
                        .deleted = RowQuery::Deleted::Included}) == "7- 8 9");
    CHECK(tree.tickets({.equal = {{"project_id", std::int64_t{1}}},
                        .deleted_since = "2024-01-01 12:00:00"}) == "7- 8 9");
    CHECK(tree.tickets({.equal = {{"project_id", std::int64_t{1}}},
                        .deleted_since = "2024-01-01 12:00:01"}) == "8 9");
}

TEST_CASE("rows of a table not keyed by an id, in the order they were first stored") {
    Tree tree;
    for (const char* name : {"f9", "f2", "f5"})
        tree.replica.upsert(kCustomFields, Record{{std::int64_t{1}, name}, {"text"}, "{}", {}},
                            tree.run);
    std::string names;
    for (const auto& row :
         select_rows(tree.replica, kCustomFields, {.order = RowQuery::Order::Stored}))
        names += as_text(row.key[1]) + " ";
    CHECK(names == "f9 f2 f5 ");
}

TEST_CASE("rows named by id: an empty list names none, and values are bound, never SQL text") {
    Tree tree;
    CHECK(tree.tickets({.ids = std::vector<std::int64_t>{20, 9, 7}}) == "9 20");
    CHECK(tree.tickets({.ids = std::vector<std::int64_t>{}}).empty());
    CHECK(tree.tickets({.equal = {{"title", std::string("O'Brien")}}}) == "9");
    CHECK(tree.tickets({.equal = {{"title", std::string("x' OR '1'='1")}}}).empty());
    CHECK_THROWS_AS(tree.tickets({.equal = {{"no_such_column", std::int64_t{1}}}}), StoreError);
}

TEST_CASE("the rows as of a past time carry that time's data") {
    Tree tree;
    auto rows =
        select_rows(tree.replica, kTickets,
                    {.equal = {{"project_id", std::int64_t{1}}}, .at = "2024-01-01 10:30:00"});
    REQUIRE(Tree::ids(rows) == "7 8 9");
    CHECK(rows[0].data.find("\"v1\"") != std::string::npos);
    CHECK(as_text(typed_value(kTickets, rows[0].columns, "title")) == "v2");  // today's column
    CHECK_THROWS_AS(select_rows(tree.replica, kTickets, {.at = "yesterday"}), StoreError);
}

TEST_CASE("a ticket's children under the live tickets of a project, tombstoned ones too") {
    Tree tree;
    CHECK(Tree::ids(rows_under_live_tickets(tree.replica, kNotes, 1)) == "101 102-");
    CHECK(Tree::ids(rows_under_live_tickets(tree.replica, kNotes, 2)).empty());
}

TEST_CASE("the id map knows which target keys some source object already took") {
    Tree tree;
    tree.replica.map_key("https://b.example acme", "tickets", "7", "70");
    CHECK(target_key_taken(tree.replica, "https://b.example acme", "tickets", "70"));
    CHECK_FALSE(target_key_taken(tree.replica, "https://b.example acme", "tickets", "7"));
    CHECK_FALSE(target_key_taken(tree.replica, "https://c.example acme", "tickets", "70"));
    CHECK_FALSE(target_key_taken(tree.replica, "https://b.example acme", "notes", "70"));
}
