#include <doctest/doctest.h>

#include <sqlite3.h>

#include <fstream>

#include "store_fixture.hpp"

using namespace smartq::store;
using namespace smartq::store::testing;

namespace {

// A replica with one project and one run, the usual starting point.
struct Seeded {
    ScratchDir dir;
    Replica replica = open_replica(dir / "acct/replica.db");
    RunId run = replica.start_run("acme", RunKind::Full);
    Seeded() { replica.upsert(kProjects, project(1, "Alpha"), run); }
};

std::int64_t table_exists(Replica& replica, const std::string& name) {
    return count(replica, "SELECT count(*) FROM sqlite_master WHERE name = '" + name + "'");
}

void write_file(const std::filesystem::path& path, const std::string& bytes) {
    std::ofstream(path, std::ios::binary) << bytes;
}

}  // namespace

TEST_CASE("open creates the directory, the database and the fixed tables") {
    ScratchDir dir;
    auto replica = open_replica(dir / "deep/acct/replica.db");
    CHECK(std::filesystem::exists(dir / "deep/acct/replica.db"));
    CHECK(std::get<std::string>(scalar(replica, "SELECT * FROM pragma_journal_mode")) == "wal");
    CHECK(count(replica, "PRAGMA foreign_keys") == 0);
    for (auto name : {"runs", "changes", "history", "_sync_state", "_sync_marks", "_id_map",
                      "run_findings", "projects", "tickets", "custom_fields", "ticket_assignees",
                      "last_run_changes", "ticket_history", "tickets_project_id"}) {
        CAPTURE(name);
        CHECK(table_exists(replica, name) == 1);
    }
    CHECK(count(replica, "PRAGMA user_version") == 7);
    CHECK(replica.ok());
}

TEST_CASE("opening twice is idempotent and keeps the data") {
    ScratchDir dir;
    {
        auto replica = open_replica(dir / "replica.db");
        replica.upsert(kProjects, project(1, "Alpha"), replica.start_run("acme", RunKind::Full));
    }
    auto replica = open_replica(dir / "replica.db");
    CHECK(replica.find(kProjects, key(1))->data == project(1, "Alpha").data);
}

TEST_CASE("upsert reports each kind of change and logs all but unchanged ones") {
    Seeded s;
    auto run2 = s.replica.start_run("acme", RunKind::Incremental);
    CHECK(s.replica.upsert(kTickets, ticket(7, 1, "a"), run2) == ChangeKind::Inserted);
    CHECK(s.replica.upsert(kTickets, ticket(7, 1, "a"), run2) == ChangeKind::Unchanged);
    CHECK(s.replica.upsert(kTickets, ticket(7, 1, "b"), run2) == ChangeKind::Updated);
    auto changes = s.replica.query(
        "SELECT resource, key, kind, run_id FROM changes WHERE resource = 'tickets' ORDER BY id");
    REQUIRE(changes.rows.size() == 2);
    CHECK(changes.rows[0] == std::vector<Value>{"tickets", "7", "insert", run2});
    CHECK(changes.rows[1] == std::vector<Value>{"tickets", "7", "update", run2});
    auto row = s.replica.find(kTickets, key(7));
    REQUIRE(row);
    CHECK(row->columns == std::vector<Value>{std::int64_t{1}, "b"});
    CHECK(row->hash.size() == 64);
    CHECK(row->changed_run == run2);
    CHECK(row->seen_run == run2);
    CHECK_FALSE(row->deleted_at);
}

TEST_CASE("an unchanged upsert writes no row") {
    Seeded s;
    s.replica.upsert(kTickets, ticket(7, 1, "a", {3}), s.run, "2024-01-01 10:00:00");
    auto before = s.replica.total_changes();
    auto run2 = s.replica.start_run("acme", RunKind::Deep);
    auto after_start = s.replica.total_changes();
    CHECK(after_start > before);
    CHECK(s.replica.upsert(kTickets, ticket(7, 1, "a", {3}), run2) == ChangeKind::Unchanged);
    CHECK(s.replica.total_changes() == after_start);
    auto row = s.replica.find(kTickets, key(7));
    CHECK(row->changed_run == s.run);
    CHECK(row->changed_at == "2024-01-01 10:00:00");
}

TEST_CASE("join rows are replaced when their parent changes") {
    Seeded s;
    s.replica.upsert(kTickets, ticket(7, 1, "a", {1, 2}), s.run);
    s.replica.upsert(kTickets, ticket(8, 1, "x", {5}), s.run);
    CHECK(count(s.replica, "SELECT count(*) FROM ticket_assignees WHERE ticket_id = 7") == 2);
    s.replica.upsert(kTickets, ticket(7, 1, "b", {3}), s.run);
    auto rows = s.replica.query("SELECT ticket_id, user_id FROM ticket_assignees ORDER BY 1, 2");
    REQUIRE(rows.rows.size() == 2);
    CHECK(rows.rows[0] == std::vector<Value>{std::int64_t{7}, std::int64_t{3}});
    CHECK(rows.rows[1] == std::vector<Value>{std::int64_t{8}, std::int64_t{5}});
}

TEST_CASE("find returns nothing for a key never stored") {
    Seeded s;
    CHECK_FALSE(s.replica.find(kTickets, key(99)));
    CHECK_THROWS_AS(s.replica.find(kTickets, std::vector<Value>{}), StoreError);
}

TEST_CASE("composite keys are stored and named unambiguously") {
    CHECK(key_text(std::vector<Value>{std::int64_t{45}, "f3"}) == "45/f3");
    CHECK(key_text(std::vector<Value>{"a/b%c"}) == "a%2Fb%25c");
    CHECK_THROWS_AS(key_text(std::vector<Value>{1.5}), StoreError);
    Seeded s;
    std::vector<Value> field_key{std::int64_t{1}, "f/3"};
    Record field{field_key, {"text"}, R"({"name":"f/3"})", {}};
    CHECK(s.replica.upsert(kCustomFields, field, s.run) == ChangeKind::Inserted);
    CHECK(s.replica.find(kCustomFields, field_key)->columns == std::vector<Value>{"text"});
    CHECK(count(s.replica, "SELECT count(*) FROM changes WHERE key = '1/f%2F3'") == 1);
}

TEST_CASE("records that do not fit the spec are refused") {
    Seeded s;
    auto bad_key = ticket(7, 1, "a");
    bad_key.key.push_back(std::int64_t{2});
    CHECK_THROWS_AS(s.replica.upsert(kTickets, bad_key, s.run), StoreError);
    auto bad_columns = ticket(7, 1, "a");
    bad_columns.columns.pop_back();
    CHECK_THROWS_AS(s.replica.upsert(kTickets, bad_columns, s.run), StoreError);
    auto bad_join = ticket(7, 1, "a", {1});
    bad_join.joins[0][0].push_back(std::int64_t{9});
    CHECK_THROWS_AS(s.replica.upsert(kTickets, bad_join, s.run), StoreError);
    auto no_joins = ticket(7, 1, "a");
    no_joins.joins.clear();
    CHECK_THROWS_AS(s.replica.upsert(kTickets, no_joins, s.run), StoreError);
    CHECK_THROWS_WITH_AS(s.replica.upsert(kTickets, ticket(7, 1, "a"), s.run, "yesterday"),
                         doctest::Contains("YYYY-MM-DD"), StoreError);
    TableSpec unknown{"notes", "notes", {{"id", ColumnType::Integer}}, {}, {}};
    CHECK_THROWS_WITH_AS(s.replica.upsert(unknown, Record{{std::int64_t{1}}, {}, "{}", {}}, s.run),
                         doctest::Contains("not among the specs"), StoreError);
    CHECK_FALSE(s.replica.find(kTickets, key(7)));
    CHECK(count(s.replica, "SELECT count(*) FROM changes WHERE resource = 'tickets'") == 0);
}

TEST_CASE("specs that cannot become a schema are refused at open") {
    ScratchDir dir;
    auto refuse = [&](std::vector<TableSpec> specs, const char* why) {
        CAPTURE(why);
        CHECK_THROWS_WITH_AS(Replica::open(dir / "replica.db", specs, Mode::ReadWrite),
                             doctest::Contains(why), StoreError);
    };
    refuse({{"t", "t", {{"k", ColumnType::Real}}, {}, {}}}, "must be an integer or a text");
    refuse({{"t", "t", {}, {}, {}}}, "has no key");
    refuse({{"t", "t", {{"id", ColumnType::Integer}}, {{"data", ColumnType::Text}}, {}}},
           "the store uses that name");
    refuse({{"t", "t", {{"id", ColumnType::Integer}}, {{"id", ColumnType::Text}}, {}}},
           "two columns named id");
    refuse({{"t",
             "t",
             {{"id", ColumnType::Integer}},
             {{"p", ColumnType::Integer, false, "nope"}},
             {}}},
           "which is not in the specs");
    refuse({kProjects,
            kCustomFields,
            {"v",
             "v",
             {{"id", ColumnType::Integer}},
             {{"f", ColumnType::Integer, false, "custom_fields"}},
             {}}},
           "its key has 2");
    refuse({{"", "t", {{"id", ColumnType::Integer}}, {}, {}}}, "needs a table");
}

TEST_CASE("a ticket whose project is missing is stored, and the replica's check names it") {
    Seeded s;
    s.replica.upsert(kTickets, ticket(7, 99, "orphan"), s.run);
    CHECK(s.replica.find(kTickets, key(7)));
    CHECK(s.replica.integrity_check() ==
          std::vector<std::string>{"row 7 of tickets refers to a missing row of projects"});
}

TEST_CASE("an upsert with an unknown run is refused") {
    Seeded s;
    CHECK_THROWS_AS(s.replica.upsert(kTickets, ticket(7, 1, "a"), 999), StoreError);
    CHECK_FALSE(s.replica.find(kTickets, key(7)));
}

TEST_CASE("a run once accepted is refused after the transaction holding its row rolled back") {
    Seeded s;
    RunId gone = 0;
    {
        auto transaction = s.replica.begin();
        gone = s.replica.start_run("acme", RunKind::Full);
        s.replica.upsert(kTickets, ticket(7, 1, "a"), gone);
    }
    CHECK_THROWS_AS(s.replica.upsert(kTickets, ticket(8, 1, "b"), gone), StoreError);
    CHECK_FALSE(s.replica.find(kTickets, key(8)));
    CHECK_THROWS_AS(s.replica.upsert(kTickets, ticket(9, 1, "c"), 999), StoreError);
    CHECK(s.replica.upsert(kTickets, ticket(9, 1, "c"), s.run) == ChangeKind::Inserted);
}

TEST_CASE("a transaction not committed leaves nothing behind") {
    Seeded s;
    {
        auto transaction = s.replica.begin();
        s.replica.upsert(kTickets, ticket(7, 1, "a", {1}), s.run);
        CHECK_THROWS_WITH_AS(s.replica.begin(), doctest::Contains("already open"), StoreError);
    }
    CHECK_FALSE(s.replica.find(kTickets, key(7)));
    CHECK(count(s.replica, "SELECT count(*) FROM changes WHERE resource = 'tickets'") == 0);
    CHECK(count(s.replica, "SELECT count(*) FROM ticket_assignees") == 0);
    {
        auto transaction = s.replica.begin();
        s.replica.upsert(kTickets, ticket(7, 1, "a", {1}), s.run);
        transaction.commit();
        CHECK_THROWS_AS(transaction.commit(), StoreError);
    }
    CHECK(s.replica.find(kTickets, key(7)));
}

TEST_CASE("read-only open refuses writes and a missing replica") {
    ScratchDir dir;
    CHECK_THROWS_WITH_AS(open_replica(dir / "none.db", Mode::ReadOnly),
                         doctest::Contains("there is no replica"), StoreError);
    CHECK_FALSE(std::filesystem::exists(dir / "none.db"));
    {
        auto writer = open_replica(dir / "replica.db");
        writer.upsert(kProjects, project(1, "Alpha"), writer.start_run("acme", RunKind::Full));
    }
    auto reader = open_replica(dir / "replica.db", Mode::ReadOnly);
    CHECK(count(reader, "SELECT count(*) FROM projects") == 1);
    CHECK_THROWS_WITH_AS(reader.upsert(kProjects, project(2, "Beta"), 1),
                         doctest::Contains("read-only"), StoreError);
    CHECK_THROWS_AS(reader.start_run("acme", RunKind::Full), StoreError);
    CHECK_THROWS_AS(reader.set_state("k", "v"), StoreError);
    CHECK_THROWS_AS(reader.begin(), StoreError);
    CHECK_THROWS_AS(reader.begin_sweep(kProjects), StoreError);
    CHECK_THROWS_AS(reader.query("DELETE FROM projects"), StoreError);
    CHECK(count(reader, "SELECT count(*) FROM projects") == 1);
}

TEST_CASE("a file that is not a database is reported as a damaged replica") {
    ScratchDir dir;
    std::string garbage(8192, '\0');
    for (std::size_t i = 0; i < garbage.size(); ++i) {
        garbage[i] = static_cast<char>((i * 7919 + 13) % 251);
    }
    write_file(dir / "replica.db", garbage);
    auto message = "the replica at " + (dir / "replica.db").string() + " is damaged";
    for (auto mode : {Mode::ReadWrite, Mode::ReadOnly}) {
        CHECK_THROWS_WITH_AS(open_replica(dir / "replica.db", mode),
                             doctest::Contains(doctest::String(message.c_str())), ReplicaDamaged);
    }
}

TEST_CASE("a database with a corrupted page is found damaged by the integrity check") {
    ScratchDir dir;
    {
        auto replica = open_replica(dir / "replica.db");
        auto run = replica.start_run("acme", RunKind::Full);
        auto transaction = replica.begin();
        for (int id = 1; id <= 500; ++id) {
            replica.upsert(kProjects, project(id, std::string(200, 'x')), run);
        }
        transaction.commit();
    }  // closing the last connection checkpoints the WAL into the file
    auto size = std::filesystem::file_size(dir / "replica.db");
    REQUIRE(size > 16 * 4096);
    {
        std::fstream file(dir / "replica.db", std::ios::binary | std::ios::in | std::ios::out);
        file.seekp(static_cast<std::streamoff>(size / 2 / 4096 * 4096));
        std::string junk(4096, '\xA5');
        file.write(junk.data(), static_cast<std::streamsize>(junk.size()));
    }
    // Opening only proves the file is a database (it must stay cheap however large the
    // replica); the full check that verify runs finds the damaged page.
    std::vector<std::string> problems;
    try {
        auto replica = open_replica(dir / "replica.db", Mode::ReadOnly);
        problems = replica.integrity_check();
    } catch (const StoreError& error) {
        problems.push_back(error.what());
    }
    CHECK_FALSE(problems.empty());
}

TEST_CASE("query returns column names and typed values") {
    Seeded s;
    auto result = s.replica.query("SELECT 1 AS i, 2.5 AS r, 'x' AS t, NULL AS n, x'0aff' AS b");
    CHECK(result.columns == std::vector<std::string>{"i", "r", "t", "n", "b"});
    REQUIRE(result.rows.size() == 1);
    CHECK(result.rows[0] ==
          std::vector<Value>{std::int64_t{1}, 2.5, "x", std::monostate{}, "0aff"});
    CHECK(s.replica.query("SELECT json_extract(data, '$.name') FROM projects").rows[0][0] ==
          Value{"Alpha"});
}

TEST_CASE("query errors carry SQLite's message") {
    Seeded s;
    CHECK_THROWS_WITH_AS(s.replica.query("SELEC 1"), doctest::Contains("syntax error"), StoreError);
    CHECK_THROWS_WITH_AS(s.replica.query("SELECT * FROM nope"),
                         doctest::Contains("no such table: nope"), StoreError);
    CHECK_THROWS_WITH_AS(s.replica.query("SELECT 1; SELECT 2"), doctest::Contains("one SQL"),
                         StoreError);
    CHECK_THROWS_AS(s.replica.query(""), StoreError);
    CHECK_THROWS_WITH_AS(s.replica.query("UPDATE projects SET data = '{}'"),
                         doctest::Contains("may only read"), StoreError);
    CHECK(s.replica.find(kProjects, key(1))->data == project(1, "Alpha").data);
}

TEST_CASE("a column new in the spec is added by migration, keeping the rows") {
    ScratchDir dir;
    {
        auto replica = open_replica(dir / "replica.db");
        replica.upsert(kProjects, project(1, "Alpha"), replica.start_run("acme", RunKind::Full));
    }
    auto projects = kProjects;
    projects.columns.push_back({"owner_id", ColumnType::Integer, true});
    std::vector<TableSpec> specs{projects};
    auto replica = Replica::open(dir / "replica.db", specs, Mode::ReadWrite);
    CHECK(count(replica,
                "SELECT count(*) FROM pragma_table_info('projects') "
                "WHERE name = 'owner_id'") == 1);
    CHECK(table_exists(replica, "projects_owner_id") == 1);
    auto row = replica.find(projects, key(1));
    REQUIRE(row);
    CHECK(row->columns == std::vector<Value>{"Alpha", std::monostate{}});
    auto rekeyed = kProjects;
    rekeyed.key.push_back({"code", ColumnType::Text});
    std::vector<TableSpec> bad{rekeyed};
    CHECK_THROWS_WITH_AS(Replica::open(dir / "replica.db", bad, Mode::ReadWrite),
                         doctest::Contains("cannot be migrated"), StoreError);
}

TEST_CASE("a replica from a newer schema is refused") {
    ScratchDir dir;
    open_replica(dir / "replica.db");
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open((dir / "replica.db").c_str(), &db) == SQLITE_OK);
    REQUIRE(sqlite3_exec(db, "PRAGMA user_version = 99", nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(db);
    for (auto mode : {Mode::ReadWrite, Mode::ReadOnly}) {
        CHECK_THROWS_WITH_AS(open_replica(dir / "replica.db", mode),
                             doctest::Contains("schema version 99"), StoreError);
    }
}

TEST_CASE("a version 1 replica is migrated, keeping its change log and its check") {
    ScratchDir dir;
    RunId run = 0;
    {
        auto replica = open_replica(dir / "replica.db");
        run = replica.start_run("acme", RunKind::Full);
        replica.upsert(kProjects, project(1, "Alpha"), run);
    }
    // Version 1 checked `kind` with an IN list; put that table back.
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open((dir / "replica.db").c_str(), &db) == SQLITE_OK);
    REQUIRE(sqlite3_exec(db, R"sql(
        DROP VIEW last_run_changes;
        CREATE TABLE changes_v1(
          id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL REFERENCES runs(id),
          resource TEXT NOT NULL, key TEXT NOT NULL,
          kind TEXT NOT NULL CHECK(kind IN ('insert','update','delete','undelete')),
          at TEXT NOT NULL);
        INSERT INTO changes_v1 SELECT * FROM changes;
        DROP TABLE changes;
        ALTER TABLE changes_v1 RENAME TO changes;
        CREATE VIEW last_run_changes AS
          SELECT * FROM changes WHERE run_id = (SELECT max(id) FROM runs);
        PRAGMA user_version = 1;)sql",
                         nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(db);

    auto replica = open_replica(dir / "replica.db");
    CHECK(count(replica, "PRAGMA user_version") == 7);
    CHECK(count(replica, "SELECT count(*) FROM changes WHERE kind = 'insert'") == 1);
    CHECK(count(replica, "SELECT count(*) FROM last_run_changes") == 1);
    CHECK(count(replica,
                "SELECT count(*) FROM sqlite_master WHERE name = 'changes' AND "
                "sql LIKE '%IN (%'") == 0);
    CHECK(replica.ok());
    REQUIRE(sqlite3_open((dir / "replica.db").c_str(), &db) == SQLITE_OK);
    CHECK(sqlite3_exec(db,
                       "INSERT INTO changes(run_id, resource, key, kind, at) "
                       "VALUES(1, 'projects', '1', 'bogus', '2026-01-01 00:00:00')",
                       nullptr, nullptr, nullptr) == SQLITE_CONSTRAINT);
    sqlite3_close(db);
    replica.upsert(kProjects, project(1, "Beta"), replica.start_run("acme", RunKind::Full));
    CHECK(count(replica, "SELECT count(*) FROM changes WHERE kind = 'update'") == 1);
}

TEST_CASE("sync state, marks and the id map round-trip") {
    Seeded s;
    CHECK_FALSE(s.replica.get_state("watermark"));
    s.replica.set_state("watermark", "2024-01-01 00:00:00");
    s.replica.set_state("watermark", "2024-02-01 00:00:00");
    CHECK(s.replica.get_state("watermark") == "2024-02-01 00:00:00");
    CHECK_FALSE(s.replica.get_mark("tickets", "7"));
    s.replica.set_mark("tickets", "7", "a");
    s.replica.set_mark("tickets", "8", "b");
    s.replica.set_mark("tickets", "7", "c");
    s.replica.set_mark("notes", "7", "other");
    CHECK(s.replica.get_mark("tickets", "7") == "c");
    auto marks = s.replica.marks("tickets");
    CHECK(marks == std::unordered_map<std::string, std::string>{{"7", "c"}, {"8", "b"}});
    CHECK_FALSE(s.replica.mapped_key("copy", "tickets", "7"));
    s.replica.map_key("copy", "tickets", "7", "107");
    s.replica.map_key("other", "tickets", "7", "207");
    CHECK(s.replica.mapped_key("copy", "tickets", "7") == "107");
    CHECK(s.replica.mapped_key("other", "tickets", "7") == "207");
    CHECK_FALSE(s.replica.mapped_key("copy", "projects", "7"));
}

TEST_CASE("set_column changes one typed column and nothing else") {
    Seeded s;
    s.replica.upsert(kTickets, ticket(7, 1, "a"), s.run);
    auto changes = count(s.replica, "SELECT count(*) FROM changes");
    CHECK(s.replica.set_column(kTickets, key(7), "title", Value{"renamed"}));
    auto row = s.replica.find(kTickets, key(7));
    CHECK(row->columns[1] == Value{"renamed"});
    CHECK(row->data == ticket(7, 1, "a").data);
    CHECK(count(s.replica, "SELECT count(*) FROM changes") == changes);
    CHECK_FALSE(s.replica.set_column(kTickets, key(8), "title", Value{"x"}));
    CHECK_THROWS_WITH_AS(s.replica.set_column(kTickets, key(7), "nope", Value{"x"}),
                         doctest::Contains("no column nope"), StoreError);
}
