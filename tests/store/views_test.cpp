#include <doctest/doctest.h>

#include <map>

#include "offline_fixture.hpp"

using namespace smartq::store;
using namespace smartq::store::testing;

namespace {

// One project with a step, two users, a ticket with assignees, a choice and a text custom
// field, two notes (one a private reply with an attachment), a task, and a deleted file.
struct Account : SmartqReplica {
    Account() {
        put("users", named(1, {"Ann", "ann@example.com"}));
        put("users", named(2, {"Bob", "bob@example.com"}));
        put("projects", named(5, {"Alpha"}));
        put("steps", named(11, {std::int64_t{5}, "Review"}));
        put("custom_fields",
            Record{{std::int64_t{5}, "f1"}, {"Priority"}, "{\"name\":\"f1\"}", {}});
        put("custom_fields", Record{{std::int64_t{5}, "f2"}, {"Notes"}, "{\"name\":\"f2\"}", {}});
        put("custom_field_values", named(71, {std::int64_t{5}, "f1", "High"}));
        put("tickets",
            smartq_ticket(10, 5, "Fix login", "<p>It &amp; that</p>", "bug,ui",
                          {{std::int64_t{2}}, {std::int64_t{1}}},
                          {{"f1", "71", std::int64_t{71}}, {"f2", "free text", Value{}}}));
        put("notes", smartq_note(100, 10, "<b>first</b>"));
        put("notes", Record{{std::int64_t{101}},
                            {std::int64_t{10}, std::int64_t{100}, std::int64_t{1}, std::int64_t{1},
                             "2024-01-01 12:00:00", "2024-01-01 12:00:00"},
                            "{\"text\":\"reply\"}",
                            {}});
        put("tasks", named(300, {std::int64_t{10}, "Check"}));
        put("files", named(400, {std::int64_t{10}, std::int64_t{101}, "résumé.pdf"}));
        put("files", named(401, {std::int64_t{10}, std::int64_t{101}, "gone.txt"}));
        REQUIRE(replica.tombstone(smartq_spec("files"), key(401), run, "2024-01-01 13:00:00"));
    }

    std::map<std::string, Value> row(std::string_view sql) {
        auto result = replica.query(sql);
        REQUIRE(result.rows.size() == 1);
        std::map<std::string, Value> named;
        for (std::size_t i = 0; i < result.columns.size(); ++i) {
            named[result.columns[i]] = result.rows[0][i];
        }
        return named;
    }
};

std::string text(const Value& value) {
    return std::get<std::string>(value);
}
std::int64_t number(const Value& value) {
    return std::get<std::int64_t>(value);
}

}  // namespace

TEST_CASE("ticket_details names everything a ticket refers to") {
    Account a;
    auto t = a.row("SELECT * FROM ticket_details WHERE id = 10");
    CHECK(text(t["project"]) == "Alpha");
    CHECK(text(t["name"]) == "Fix login");
    CHECK(text(t["description"]) == "It & that");
    CHECK(text(t["step"]) == "Review");
    CHECK(text(t["owner"]) == "Ann");
    CHECK(text(t["owner_email"]) == "ann@example.com");
    CHECK(text(t["assignees"]) == R"(["Ann","Bob"])");
    CHECK(text(t["tags"]) == "bug,ui");
    CHECK(text(t["custom_fields"]) == R"({"Priority":"High","Notes":"free text"})");
    CHECK(number(t["notes"]) == 2);
    CHECK(number(t["tasks"]) == 1);
    CHECK(number(t["files"]) == 1);
    CHECK(number(t["archived"]) == 0);
    CHECK(text(t["insert_time"]) == "2024-01-01 10:00:00");
    CHECK(text(t["update_time"]) == "2024-01-02 10:00:00");
    CHECK(std::holds_alternative<std::monostate>(t["deleted_at"]));
}

TEST_CASE("note_details names a note's ticket, project, author and attachments") {
    Account a;
    auto n = a.row("SELECT * FROM note_details WHERE id = 101");
    CHECK(text(n["ticket"]) == "Fix login");
    CHECK(text(n["project"]) == "Alpha");
    CHECK(text(n["author"]) == "Ann");
    CHECK(number(n["parent_id"]) == 100);
    CHECK(number(n["private"]) == 1);
    CHECK(text(n["attachments"]) == R"(["résumé.pdf"])");
    auto first = a.row("SELECT text, attachments, author FROM note_details WHERE id = 100");
    CHECK(text(first["text"]) == "first");
    CHECK(text(first["attachments"]) == "[]");
    CHECK(text(first["author"]) == "Bob");
}

TEST_CASE("the views are left out of a replica without smartQ's tables") {
    ScratchDir dir;
    auto replica = open_replica(dir / "replica.db");
    CHECK(count(replica,
                "SELECT count(*) FROM sqlite_schema WHERE type = 'view' AND name IN "
                "('ticket_details', 'note_details')") == 0);
}
