#include <doctest/doctest.h>

#include <sqlite3.h>

#include <string>
#include <vector>

#include "offline_fixture.hpp"
#include "store/search.hpp"
#include "store/sqlite.hpp"

using namespace smartq::store;
using namespace smartq::store::testing;

namespace {

// One project with a step, a user, a ticket assigned to the user with a chosen custom field
// value, and a note with a reply.
struct Account : SmartqReplica {
    Account() {
        put("users", named(2, {"Bob", "bob@example.com"}));
        put("projects", named(5, {"Alpha"}));
        put("steps", named(11, {std::int64_t{5}, "Review"}));
        put("custom_fields",
            Record{{std::int64_t{5}, "f1"}, {"Priority"}, "{\"name\":\"f1\"}", {}});
        put("custom_field_values", named(71, {std::int64_t{5}, "f1", "High"}));
        put("tickets", smartq_ticket(10, 5, "Fix login", "the password field", "",
                                     {{std::int64_t{2}}}, {{"f1", "71", std::int64_t{71}}}));
        put("notes", smartq_note(100, 10, "first words"));
        put("notes", smartq_note(101, 10, "a reply", std::int64_t{100}));
    }

    // "column>table(key)" of each FOREIGN KEY of `table`, as Datasette reads them.
    std::vector<std::string> foreign_keys(std::string_view table) {
        std::vector<std::string> keys;
        auto result = replica.query(
            "SELECT \"from\" || '>' || \"table\" || '(' || \"to\" || ')' FROM "
            "pragma_foreign_key_list('" +
            std::string(table) + "') ORDER BY 1");
        for (const auto& row : result.rows) {
            keys.push_back(std::get<std::string>(row[0]));
        }
        return keys;
    }
    std::vector<std::string> primary_key(std::string_view table) {
        std::vector<std::string> columns;
        auto result = replica.query("SELECT name FROM pragma_table_info('" + std::string(table) +
                                    "') WHERE pk > 0 ORDER BY pk");
        for (const auto& row : result.rows) {
            columns.push_back(std::get<std::string>(row[0]));
        }
        return columns;
    }
};

using Names = std::vector<std::string>;

}  // namespace

TEST_CASE("every reference is a foreign key, and a join table's rows are its primary key") {
    Account a;
    CHECK(a.foreign_keys("tickets") ==
          Names{"owner_id>users(id)", "project_id>projects(id)", "step_id>steps(id)"});
    CHECK(a.foreign_keys("notes") ==
          Names{"owner_id>users(id)", "parent_id>notes(id)", "ticket_id>tickets(id)"});
    CHECK(a.foreign_keys("ticket_assignees") ==
          Names{"ticket_id>tickets(id)", "user_id>users(id)"});
    CHECK(a.foreign_keys("ticket_custom_field_values") ==
          Names{"ticket_id>tickets(id)", "value_id>custom_field_values(id)"});
    CHECK(a.primary_key("ticket_assignees") == Names{"ticket_id", "user_id"});
    CHECK(a.primary_key("ticket_custom_field_values") ==
          Names{"ticket_id", "field_name", "value", "value_id"});
    CHECK(count(a.replica, "PRAGMA foreign_keys") == 0);
    CHECK(a.replica.integrity_check().empty());
}

TEST_CASE("a row naming what the source does not show is stored, and is no problem") {
    Account a;
    // An owner and an assignee the login cannot see, a step of another project, a reply to a
    // note that is gone for good.
    a.put("tickets", smartq_ticket(12, 5, "Foreign", "", "", {{std::int64_t{404}}}));
    auto orphan = smartq_note(102, 12, "orphan reply", std::int64_t{999});
    a.put("notes", orphan);
    CHECK(count(a.replica, "SELECT count(*) FROM tickets WHERE id = 12") == 1);
    CHECK(count(a.replica, "SELECT count(*) FROM notes WHERE parent_id = 999") == 1);
    CHECK(count(a.replica, "SELECT count(*) FROM pragma_foreign_key_check") >= 3);
    CHECK(a.replica.integrity_check().empty());
}

TEST_CASE("an assignee the server lists twice is stored once") {
    Account a;
    a.put("tickets",
          smartq_ticket(10, 5, "Fix login", "changed", "", {{std::int64_t{2}}, {std::int64_t{2}}}));
    CHECK(count(a.replica, "SELECT count(*) FROM ticket_assignees WHERE ticket_id = 10") == 1);
}

TEST_CASE("a replica of schema 6 gets its keys by a rebuild that keeps rows, indexes and views") {
    Account a;
    auto path = a.replica.path();
    a.replica = Replica::open(a.dir / "other.db", kSmartqSpecs, Mode::ReadWrite);
    {
        // As schema 6 left it: parent keys only, join tables without a primary key (and so
        // with a duplicate row).
        sqlite::Connection db(path, SQLITE_OPEN_READWRITE);
        db.exec(R"sql(
            PRAGMA writable_schema = ON;
            UPDATE sqlite_schema SET sql = substr(sql, 1, instr(sql, ', FOREIGN KEY("step_id")')
              - 1) || ')' WHERE name = 'tickets';
            UPDATE sqlite_schema SET sql = substr(sql, 1, instr(sql, ', FOREIGN KEY("owner_id")')
              - 1) || ')' WHERE name = 'notes';
            PRAGMA writable_schema = OFF;
            PRAGMA legacy_alter_table = ON;
            CREATE TABLE old_assignees("ticket_id" INTEGER NOT NULL, "user_id" INTEGER,
              FOREIGN KEY("ticket_id") REFERENCES "tickets"("id") ON DELETE CASCADE);
            INSERT INTO old_assignees SELECT ticket_id, user_id FROM ticket_assignees;
            INSERT INTO old_assignees VALUES(10, 2);
            DROP TABLE ticket_assignees;
            ALTER TABLE old_assignees RENAME TO ticket_assignees;
            CREATE INDEX ticket_assignees_parent ON ticket_assignees(ticket_id);
            PRAGMA user_version = 6;)sql");
    }
    {
        auto old = Replica::open(path, kSmartqSpecs, Mode::ReadOnly);
        CHECK(count(old, "SELECT count(*) FROM pragma_foreign_key_list('tickets')") == 1);
        CHECK(count(old, "SELECT count(*) FROM ticket_assignees") == 2);
    }
    a.replica = Replica::open(path, kSmartqSpecs, Mode::ReadWrite);
    CHECK(count(a.replica, "PRAGMA user_version") == 7);
    CHECK(a.foreign_keys("tickets") ==
          Names{"owner_id>users(id)", "project_id>projects(id)", "step_id>steps(id)"});
    CHECK(a.foreign_keys("notes") ==
          Names{"owner_id>users(id)", "parent_id>notes(id)", "ticket_id>tickets(id)"});
    CHECK(a.primary_key("ticket_assignees") == Names{"ticket_id", "user_id"});
    CHECK(count(a.replica, "SELECT count(*) FROM ticket_assignees") == 1);
    CHECK(count(a.replica, "SELECT count(*) FROM sqlite_master WHERE name LIKE '_rebuilt_%'") == 0);
    CHECK(std::get<std::string>(scalar(a.replica, "SELECT assignees FROM ticket_details")) ==
          "[\"Bob\"]");
    CHECK(count(a.replica, "SELECT count(*) FROM note_details") == 2);
    CHECK(count(a.replica, "SELECT count(*) FROM ticket_history") == 1);
    CHECK(count(a.replica,
                "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = "
                "'tickets_project_id'") == 1);
    CHECK(search(a.replica, {.query = "password"}).rows.size() == 1);
    CHECK(search(a.replica, {.query = "reply"}).rows.size() == 1);
    // The triggers are back: a change reaches the index.
    a.put("tickets", smartq_ticket(10, 5, "Fix login", "the username field"));
    CHECK(search(a.replica, {.query = "password"}).rows.empty());
    CHECK(search(a.replica, {.query = "username"}).rows.size() == 1);
    CHECK(a.replica.integrity_check().empty());
    sqlite::Connection db(path, SQLITE_OPEN_READWRITE);
    db.exec("INSERT INTO tickets_fts(tickets_fts) VALUES('integrity-check')");
    db.exec("INSERT INTO notes_fts(notes_fts) VALUES('integrity-check')");
}

TEST_CASE("a table whose keys are declared in another order is not rebuilt") {
    Account a;
    auto path = a.replica.path();
    a.replica = Replica::open(a.dir / "other.db", kSmartqSpecs, Mode::ReadWrite);
    auto notes_sql = [&](sqlite::Connection& db) {
        sqlite::Statement sql(db, "SELECT sql FROM sqlite_schema WHERE name = 'notes'");
        REQUIRE(sql.step());
        auto text = sql.text(0);
        sql.reset();
        return text;
    };
    std::string swapped;
    {
        // The order links.cpp's own list once gave: the author's key before the parent note's.
        sqlite::Connection db(path, SQLITE_OPEN_READWRITE);
        auto text = notes_sql(db);
        std::string parent = R"(, FOREIGN KEY("parent_id") REFERENCES "notes"("id"))";
        std::string owner = R"(, FOREIGN KEY("owner_id") REFERENCES "users"("id"))";
        auto at = text.find(parent + owner);
        REQUIRE(at != std::string::npos);
        swapped = text.replace(at, parent.size() + owner.size(), owner + parent);
        db.exec("PRAGMA writable_schema = ON");
        sqlite::Statement write(db, "UPDATE sqlite_schema SET sql = ?1 WHERE name = 'notes'");
        write.bind(1, swapped);
        write.step();
        write.reset();
        db.exec("PRAGMA writable_schema = OFF");
    }
    a.replica = Replica::open(path, kSmartqSpecs, Mode::ReadWrite);
    sqlite::Connection db(path, SQLITE_OPEN_READWRITE);
    CHECK(notes_sql(db) == swapped);
}
