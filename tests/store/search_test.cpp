#include <doctest/doctest.h>

#include <sqlite3.h>

#include <chrono>

#include "offline_fixture.hpp"
#include "store/search.hpp"
#include "store/sqlite.hpp"

using namespace smartq::store;
using namespace smartq::store::testing;

namespace {

struct Account : SmartqReplica {
    Account() {
        for (auto [id, name] : {std::pair{1, "Alpha"}, std::pair{2, "Beta"}}) {
            auto data = "{\"id\":" + std::to_string(id) + ",\"name\":" + json_string(name) + "}";
            put("projects", Record{{std::int64_t{id}}, {name}, data, {}});
        }
    }
    void ticket(const Record& record, std::string_view at = "2024-01-01 10:00:00") {
        put("tickets", record, at);
    }
    void note(const Record& record, std::string_view at = "2024-01-01 10:00:00") {
        put("notes", record, at);
    }
    // "kind:ticket_id:note_id" of each hit, best first.
    std::vector<std::string> hits(SearchRequest request) {
        std::vector<std::string> found;
        for (const auto& row : search(replica, request).rows) {
            found.push_back(std::get<std::string>(row[0]) + ":" + as_text(row[3]) + ":" +
                            as_text(row[5]));
        }
        return found;
    }
    std::string text(std::string_view sql) { return std::get<std::string>(scalar(replica, sql)); }
    // The path of this replica rewritten by `sql`, as an older version left it; the replica is
    // closed first.
    std::filesystem::path as_left_by(std::string_view sql) {
        auto path = replica.path();
        replica = Replica::open(dir / "other.db", kSmartqSpecs, Mode::ReadWrite);
        sqlite::Connection(path, SQLITE_OPEN_READWRITE).exec(sql);
        return path;
    }
    // FTS5's own check that an external-content index matches its table, on a connection of
    // its own: the command is an INSERT, which Replica::query refuses.
    void check_indexes() {
        sqlite::Connection db(replica.path(), SQLITE_OPEN_READWRITE);
        db.exec("INSERT INTO tickets_fts(tickets_fts) VALUES('integrity-check')");
        db.exec("INSERT INTO notes_fts(notes_fts) VALUES('integrity-check')");
    }
};

using Hits = std::vector<std::string>;

}  // namespace

TEST_CASE("a sync's write stores the plain text of a description, tags and a note") {
    Account a;
    a.ticket(smartq_ticket(10, 1, "Fix login", "<p>Fish &amp; <b>chips</b></p>", "bug,ui"));
    a.note(smartq_note(100, 10, "<ul><li>first</li><li>second</li></ul>"));
    CHECK(a.text("SELECT description FROM tickets WHERE id = 10") == "Fish & chips");
    CHECK(a.text("SELECT tags FROM tickets WHERE id = 10") == "bug,ui");
    CHECK(a.text("SELECT text FROM notes WHERE id = 100") == "first\nsecond");
    a.ticket(smartq_ticket(10, 1, "Fix login", "<i>changed</i>"), "2024-01-01 11:00:00");
    CHECK(a.text("SELECT description FROM tickets WHERE id = 10") == "changed");
}

TEST_CASE("the indexes follow every insert and update, and only live objects are hits") {
    Account a;
    a.ticket(smartq_ticket(10, 1, "Fix login", "the <b>password</b> field"));
    a.note(smartq_note(100, 10, "password reset <em>done</em>"));
    CHECK(a.hits({.query = "password"}).size() == 2);
    a.ticket(smartq_ticket(10, 1, "Fix login", "the username field"), "2024-01-01 11:00:00");
    CHECK(a.hits({.query = "password"}) == Hits{"note:10:100"});
    CHECK(a.hits({.query = "username"}) == Hits{"ticket:10:"});
    CHECK(a.replica.tombstone(smartq_spec("notes"), key(100), a.run, "2024-01-01 12:00:00"));
    CHECK(a.hits({.query = "password"}).empty());
    CHECK(a.replica.integrity_check().empty());
    a.check_indexes();
}

TEST_CASE("an index entry rolls back with its row") {
    Account a;
    {
        auto transaction = a.replica.begin();
        a.ticket(smartq_ticket(10, 1, "Unicorn", ""));
        CHECK(count(a.replica, "SELECT count(*) FROM _tickets_fts_pending") == 1);
    }
    CHECK(count(a.replica, "SELECT count(*) FROM tickets") == 0);
    CHECK(count(a.replica, "SELECT count(*) FROM _tickets_fts_pending") == 0);
    CHECK(a.hits({.query = "unicorn"}).empty());
    a.check_indexes();
}

TEST_CASE("within a batch the index follows a row changed, deleted and stored again") {
    Account a;
    a.ticket(smartq_ticket(10, 1, "Kept", "first words"));
    a.ticket(smartq_ticket(11, 1, "Gone", "doomed words"));
    {
        auto batch = a.replica.batch(std::chrono::hours(1));
        a.ticket(smartq_ticket(10, 1, "Kept", "second words"), "2024-01-01 11:00:00");
        a.ticket(smartq_ticket(10, 1, "Kept", "third words"), "2024-01-01 12:00:00");
        a.note(smartq_note(100, 10, "a new note"));
        a.note(smartq_note(100, 10, "the note edited"), "2024-01-01 11:00:00");
        CHECK(a.replica.tombstone(smartq_spec("tickets"), key(11), a.run, "2024-01-01 12:00:00"));
    }
    CHECK(count(a.replica, "SELECT count(*) FROM _tickets_fts_pending") == 0);
    CHECK(count(a.replica, "SELECT count(*) FROM _notes_fts_pending") == 0);
    CHECK(a.hits({.query = "first"}).empty());
    CHECK(a.hits({.query = "second"}).empty());
    CHECK(a.hits({.query = "third"}) == Hits{"ticket:10:"});
    CHECK(a.hits({.query = "new"}).empty());
    CHECK(a.hits({.query = "edited"}) == Hits{"note:10:100"});
    CHECK(a.hits({.query = "doomed"}).empty());
    a.check_indexes();
}

TEST_CASE("a row deleted and a new one under its rowid leave one entry, the new one's") {
    Account a;
    a.ticket(smartq_ticket(10, 1, "Old name", ""));
    {
        // Outside the store's API, as a script would: the triggers still note the change.
        sqlite::Connection db(a.replica.path(), SQLITE_OPEN_READWRITE);
        db.exec(
            "BEGIN; DELETE FROM tickets WHERE id = 10; INSERT INTO tickets(id, project_id, "
            "data, hash, first_seen_at, changed_at, seen_run, changed_run, description) "
            "SELECT 10, 1, '{}', '', '', '', 1, 1, 'replacement text'; COMMIT");
    }
    a.ticket(smartq_ticket(12, 1, "Another", ""));
    CHECK(a.hits({.query = "old"}).empty());
    CHECK(a.hits({.query = "replacement"}) == Hits{"ticket:10:"});
    a.check_indexes();
}

TEST_CASE("a replica whose triggers wrote the indexes row by row is moved to the pending rows") {
    Account a;
    a.ticket(smartq_ticket(10, 1, "Before", "old words"));
    // As schema version 4 left it.
    auto path = a.as_left_by(
        "ALTER TABLE _sync_state RENAME TO sync_state; ALTER TABLE _sync_marks RENAME TO "
        "sync_marks; ALTER TABLE _id_map RENAME TO id_map; "
        "DROP TRIGGER tickets_ai; DROP TRIGGER tickets_ad; DROP TRIGGER tickets_au; "
        "DROP TABLE _tickets_fts_pending; "
        "CREATE TRIGGER tickets_ad AFTER DELETE ON tickets BEGIN INSERT INTO "
        "tickets_fts(tickets_fts, rowid, name, description, tags) VALUES('delete', old.rowid, "
        "old.name, old.description, old.tags); END; "
        "CREATE TRIGGER tickets_ai AFTER INSERT ON tickets BEGIN INSERT INTO "
        "tickets_fts(rowid, name, description, tags) VALUES(new.rowid, new.name, "
        "new.description, new.tags); END; "
        "CREATE TRIGGER tickets_au AFTER UPDATE OF name, description, tags ON tickets BEGIN "
        "INSERT INTO tickets_fts(tickets_fts, rowid, name, description, tags) "
        "VALUES('delete', old.rowid, old.name, old.description, old.tags); INSERT INTO "
        "tickets_fts(rowid, name, description, tags) VALUES(new.rowid, new.name, "
        "new.description, new.tags); END; PRAGMA user_version = 4");
    auto upgraded = Replica::open(path, kSmartqSpecs, Mode::ReadWrite);
    CHECK(count(upgraded, "PRAGMA user_version") == 7);
    auto run = upgraded.start_run("acme", RunKind::Full, "2024-01-02 09:00:00");
    upgraded.upsert(smartq_spec("tickets"), smartq_ticket(10, 1, "After", "new words"), run,
                    "2024-01-02 10:00:00");
    CHECK(search(upgraded, {.query = "old"}).rows.empty());
    CHECK(search(upgraded, {.query = "new"}).rows.size() == 1);
    sqlite::Connection(path, SQLITE_OPEN_READWRITE)
        .exec("INSERT INTO tickets_fts(tickets_fts) VALUES('integrity-check')");
}

TEST_CASE("a replica of schema 5 gets its internal tables underscored, keeping their rows") {
    Account a;
    a.ticket(smartq_ticket(10, 1, "Before", "old words"));
    a.replica.set_state("watermark", "2024-01-01 10:00:00");
    a.replica.set_mark("tickets", "10", "seen");
    a.replica.map_key("copy", "tickets", "10", "110");
    // As schema version 5 left it, with a change a script made and no sync has indexed yet.
    auto path = a.as_left_by(
        "ALTER TABLE _sync_state RENAME TO sync_state; ALTER TABLE _sync_marks RENAME TO "
        "sync_marks; ALTER TABLE _id_map RENAME TO id_map; ALTER TABLE _tickets_fts_pending "
        "RENAME TO tickets_fts_pending; ALTER TABLE _notes_fts_pending RENAME TO "
        "notes_fts_pending; UPDATE tickets SET description = 'scripted words' WHERE id = 10; "
        "PRAGMA user_version = 5");
    {
        // Until its next sync, a reader of the old replica finds the tables by their new names.
        auto reader = Replica::open(path, kSmartqSpecs, Mode::ReadOnly);
        CHECK(reader.get_state("watermark") == "2024-01-01 10:00:00");
        CHECK(reader.get_mark("tickets", "10") == "seen");
        CHECK(reader.mapped_key("copy", "tickets", "10") == "110");
        CHECK(count(reader, "PRAGMA user_version") == 5);
    }
    auto upgraded = Replica::open(path, kSmartqSpecs, Mode::ReadWrite);
    CHECK(count(upgraded, "PRAGMA user_version") == 7);
    CHECK(count(upgraded,
                "SELECT count(*) FROM sqlite_master WHERE name IN ('sync_state', 'sync_marks', "
                "'id_map', 'tickets_fts_pending', 'notes_fts_pending')") == 0);
    CHECK(upgraded.get_state("watermark") == "2024-01-01 10:00:00");
    CHECK(upgraded.get_mark("tickets", "10") == "seen");
    CHECK(upgraded.mapped_key("copy", "tickets", "10") == "110");
    // The migration's commit indexed the script's change, and the triggers write the new table.
    CHECK(search(upgraded, {.query = "old"}).rows.empty());
    CHECK(search(upgraded, {.query = "scripted"}).rows.size() == 1);
    auto run = upgraded.start_run("acme", RunKind::Full, "2024-01-02 09:00:00");
    upgraded.upsert(smartq_spec("tickets"), smartq_ticket(11, 1, "Other", "later words"), run,
                    "2024-01-02 10:00:00");
    CHECK(count(upgraded, "SELECT count(*) FROM _tickets_fts_pending") == 0);
    CHECK(search(upgraded, {.query = "later"}).rows.size() == 1);
    sqlite::Connection(path, SQLITE_OPEN_READWRITE)
        .exec("INSERT INTO tickets_fts(tickets_fts) VALUES('integrity-check')");
}

TEST_CASE("search ranks a match in a ticket's name above one in a description") {
    Account a;
    a.ticket(smartq_ticket(10, 1, "Invoice overdue", "a long description about nothing much"));
    a.ticket(smartq_ticket(11, 1, "Something else", "mentions the invoice once among many words"));
    auto found = a.hits({.query = "invoice"});
    CHECK(found == Hits{"ticket:10:", "ticket:11:"});
    auto result = search(a.replica, {.query = "invoice"});
    CHECK(result.columns == std::vector<std::string>{"kind", "project_id", "project", "ticket_id",
                                                     "ticket", "note_id", "snippet"});
    CHECK(std::get<std::string>(result.rows[0][6]) == "[Invoice] overdue");
    CHECK(std::get<std::string>(result.rows[0][2]) == "Alpha");
}

TEST_CASE("search filters by project and limits the hits") {
    Account a;
    a.ticket(smartq_ticket(10, 1, "Deploy alpha", ""));
    a.ticket(smartq_ticket(20, 2, "Deploy beta", ""));
    a.note(smartq_note(200, 20, "deploy notes"));
    CHECK(a.hits({.query = "deploy", .project = 2}) == Hits{"ticket:20:", "note:20:200"});
    CHECK(a.hits({.query = "deploy", .project = 1}) == Hits{"ticket:10:"});
    CHECK(a.hits({.query = "deploy", .limit = 1}).size() == 1);
}

TEST_CASE("search ignores diacritics and case") {
    Account a;
    a.ticket(smartq_ticket(10, 1, "Übersicht für Q3", ""));
    a.ticket(smartq_ticket(11, 1, "Cafe\u0301 menu", "Vérifier ✓"));
    CHECK(a.hits({.query = "ubersicht"}) == Hits{"ticket:10:"});
    CHECK(a.hits({.query = "ÜBERSICHT"}) == Hits{"ticket:10:"});
    CHECK(a.hits({.query = "cafe"}) == Hits{"ticket:11:"});
    CHECK(a.hits({.query = "verifier"}) == Hits{"ticket:11:"});
}

TEST_CASE("a query that is not FTS5 syntax is a SearchQueryError") {
    Account a;
    a.ticket(smartq_ticket(10, 1, "C++ build", ""));
    CHECK_THROWS_AS(search(a.replica, {.query = "\"unterminated"}), SearchQueryError);
    CHECK_THROWS_AS(search(a.replica, {.query = "AND"}), SearchQueryError);
    CHECK_THROWS_AS(search(a.replica, {.query = "nosuchcolumn:word"}), SearchQueryError);
    CHECK(a.hits({.query = "\"C++\""}) == Hits{"ticket:10:"});
}

TEST_CASE("search at a time finds the texts of then, not of now") {
    Account a;
    a.ticket(smartq_ticket(10, 1, "Renamed later", "old words"), "2024-01-01 10:00:00");
    a.note(smartq_note(100, 10, "first draft"), "2024-01-01 10:00:00");
    a.ticket(smartq_ticket(10, 1, "Renamed now", "new words"), "2024-01-01 12:00:00");
    a.ticket(smartq_ticket(11, 1, "Born later", ""), "2024-01-01 12:00:00");
    CHECK(a.replica.tombstone(smartq_spec("notes"), key(100), a.run, "2024-01-01 12:00:00"));
    CHECK(a.hits({.query = "old"}).empty());
    CHECK(a.hits({.query = "old", .at = "2024-01-01 11:00:00"}) == Hits{"ticket:10:"});
    CHECK(a.hits({.query = "draft", .at = "2024-01-01 11:00:00"}) == Hits{"note:10:100"});
    CHECK(a.hits({.query = "born", .at = "2024-01-01 11:00:00"}).empty());
    CHECK(a.hits({.query = "born", .at = "2024-01-01 12:00:00"}) == Hits{"ticket:11:"});
    auto then = search(a.replica, {.query = "old", .at = "2024-01-01 11:00:00"});
    CHECK(std::get<std::string>(then.rows.at(0)[2]) == "Alpha");
    CHECK(std::get<std::string>(then.rows.at(0)[4]) == "Renamed later");
}

TEST_CASE("the indexes are where Datasette and sqlite-utils look for them") {
    Account a;
    for (auto table : {"tickets", "notes"}) {
        // Datasette's detect_fts_sql, as it reads sqlite_master.
        auto sql = std::string(
                       "SELECT name FROM sqlite_master WHERE rootpage = 0 AND sql LIKE "
                       "'%VIRTUAL TABLE%USING FTS%content=\"") +
                   table + "\"%'";
        CHECK(std::get<std::string>(scalar(a.replica, sql)) == std::string(table) + "_fts");
    }
    CHECK(count(a.replica,
                "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN "
                "('tickets_ai', 'tickets_ad', 'tickets_au', 'notes_ai', 'notes_ad', "
                "'notes_au')") == 6);
}

TEST_CASE("a replica from before the plain-text columns gets them filled and indexed") {
    Account a;
    a.ticket(smartq_ticket(10, 1, "Old ticket", "<p>legacy &amp; words</p>"));
    a.note(smartq_note(100, 10, "legacy note"));
    // As schema version 3 left it: no derived columns, no indexes, no views.
    auto path = a.as_left_by(
        "DROP VIEW ticket_details; DROP VIEW note_details; DROP TRIGGER tickets_ai; "
        "DROP TRIGGER tickets_ad; DROP TRIGGER tickets_au; DROP TRIGGER notes_ai; "
        "DROP TRIGGER notes_ad; DROP TRIGGER notes_au; DROP TABLE tickets_fts; "
        "DROP TABLE notes_fts; DROP TABLE _tickets_fts_pending; DROP TABLE _notes_fts_pending; "
        "ALTER TABLE _sync_state RENAME TO sync_state; ALTER TABLE _sync_marks RENAME TO "
        "sync_marks; ALTER TABLE _id_map RENAME TO id_map; "
        "ALTER TABLE tickets DROP COLUMN description; "
        "ALTER TABLE tickets DROP COLUMN tags; ALTER TABLE notes DROP COLUMN text; "
        "PRAGMA user_version = 3");
    auto upgraded = Replica::open(path, kSmartqSpecs, Mode::ReadWrite);
    CHECK(std::get<std::string>(scalar(upgraded, "SELECT description FROM tickets")) ==
          "legacy & words");
    CHECK(std::get<std::string>(scalar(upgraded, "SELECT text FROM notes")) == "legacy note");
    CHECK(count(upgraded, "PRAGMA user_version") == 7);
    CHECK(search(upgraded, {.query = "legacy"}).rows.size() == 2);
    CHECK(count(upgraded, "SELECT count(*) FROM ticket_details") == 1);
}

TEST_CASE("a replica of a newer schema is refused") {
    Account a;
    auto path = a.as_left_by("PRAGMA user_version = 8");
    CHECK_THROWS_AS(Replica::open(path, kSmartqSpecs, Mode::ReadOnly), StoreError);
}
