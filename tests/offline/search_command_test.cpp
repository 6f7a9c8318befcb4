// `smartq-backup search` as a person runs it: on a synced sandbox account, in every output
// format, with a project filter, across diacritics, with a broken query, and on a replica an
// older version of the program made (upgraded by the next sync, searchable as it was).
#include <doctest/doctest.h>
#include <simdjson.h>
#include <sqlite3.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "backup_env.hpp"
#include "support/text.hpp"

using namespace smartq;
using namespace smartq::test;

namespace {

struct Hit {
    std::string kind;
    std::int64_t ticket_id = 0;
    std::string ticket;
    std::string snippet;
};

std::vector<Hit> parse_hits(const std::string& json) {
    simdjson::dom::parser parser;
    std::vector<Hit> hits;
    for (auto row : parser.parse(json).get_array()) {
        Hit hit;
        hit.kind = std::string(std::string_view(row["kind"]));
        hit.ticket_id = int64_t(row["ticket_id"]);
        hit.ticket = std::string(std::string_view(row["ticket"]));
        hit.snippet = std::string(std::string_view(row["snippet"]));
        hits.push_back(std::move(hit));
    }
    return hits;
}

std::string form_value(std::string_view text) {
    std::string encoded;
    for (unsigned char c : text) {
        if (std::isalnum(c)) {
            encoded += static_cast<char>(c);
        } else {
            char hex[4];
            std::snprintf(hex, sizeof hex, "%%%02X", c);
            encoded += hex;
        }
    }
    return encoded;
}

// One value of the replica, read with SQLite itself.
std::string replica_text(const std::filesystem::path& db, const std::string& sql) {
    sqlite3* handle = nullptr;
    REQUIRE(sqlite3_open_v2(db.c_str(), &handle, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
    sqlite3_stmt* statement = nullptr;
    REQUIRE(sqlite3_prepare_v2(handle, sql.c_str(), -1, &statement, nullptr) == SQLITE_OK);
    std::string value;
    if (sqlite3_step(statement) == SQLITE_ROW && sqlite3_column_text(statement, 0) != nullptr) {
        value = reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
    }
    sqlite3_finalize(statement);
    sqlite3_close(handle);
    return value;
}

// A tiny sandbox account with two tickets of our own in project 1001, backed up.
struct SyncedAccount {
    SandboxFixture sandbox{sandbox::ServerOptions{.seed = 7}};
    BackupEnv env;

    SyncedAccount() {
        env.configure({{.port = sandbox.port()}});
        REQUIRE(env.run({"sync", "--no-files"}).code == 0);
        auto step = replica_text(
            env.replica(), "SELECT id FROM steps WHERE project_id = 1001 ORDER BY id LIMIT 1");
        REQUIRE(!step.empty());
        add_ticket(step, "Zebra crossing", "");
        add_ticket(step, "Other matter",
                   "<p>A long description in which a <b>zebra</b> is mentioned once, among "
                   "many other words about other things.</p>");
        REQUIRE(env.run({"sync", "--no-files"}).code == 0);
    }

    void add_ticket(const std::string& step, std::string_view name, std::string_view description) {
        auto answer = sandbox.api("POST", "/projects/1001/tickets",
                                  "ticket%5Bname%5D=" + form_value(name) +
                                      "&ticket%5Bdescription%5D=" + form_value(description) +
                                      "&ticket%5Bstep_id%5D=" + step);
        REQUIRE(answer.status < 300);
    }

    RunResult search(std::vector<std::string> args) const {
        args.insert(args.begin(), "search");
        return env.run(args);
    }
};

}  // namespace

TEST_CASE("search ranks a ticket named by the word above one that only mentions it") {
    SyncedAccount account;
    auto result = account.search({"--format", "json", "zebra"});
    REQUIRE(result.code == 0);
    auto hits = parse_hits(result.out);
    REQUIRE(hits.size() == 2);
    CHECK(hits[0].kind == "ticket");
    CHECK(hits[0].ticket == "Zebra crossing");
    CHECK(hits[0].snippet == "[Zebra] crossing");
    CHECK(hits[1].ticket == "Other matter");
    CHECK(contains(hits[1].snippet, "a [zebra] is mentioned"));
    CHECK(!contains(hits[1].snippet, "<b>"));
}

TEST_CASE("search keeps to one project with --project") {
    SyncedAccount account;
    auto in_project = account.search({"--format", "json", "--project", "1001", "zebra"});
    REQUIRE(in_project.code == 0);
    CHECK(parse_hits(in_project.out).size() == 2);
    auto elsewhere = account.search({"--format", "json", "--project", "1002", "zebra"});
    REQUIRE(elsewhere.code == 0);
    CHECK(parse_hits(elsewhere.out).empty());
}

TEST_CASE("search finds words whatever their accents, and tickets and notes alike") {
    SyncedAccount account;
    auto result = account.search({"--format", "json", "--limit", "500", "ubersicht"});
    REQUIRE(result.code == 0);
    auto hits = parse_hits(result.out);
    REQUIRE(!hits.empty());
    for (const auto& hit : hits) {
        CAPTURE(hit.ticket);
        CHECK(contains(hit.ticket, "Übersicht"));
        CHECK(contains(hit.snippet, "[Übersicht]"));
    }
    auto notes = parse_hits(account.search({"--format", "json", "spec"}).out);
    CHECK(std::any_of(notes.begin(), notes.end(), [](const Hit& h) { return h.kind == "note"; }));
}

TEST_CASE("search prints CSV with a header and a table for people") {
    SyncedAccount account;
    auto csv = account.search({"--format", "csv", "zebra"});
    REQUIRE(csv.code == 0);
    std::istringstream lines(csv.out);
    std::string header;
    std::getline(lines, header);
    header.erase(std::remove(header.begin(), header.end(), '\r'), header.end());
    CHECK(header == "kind,project_id,project,ticket_id,ticket,note_id,snippet");
    std::string first;
    std::getline(lines, first);
    CHECK(first.starts_with("ticket,1001,"));
    CHECK(contains(first, ",Zebra crossing,,[Zebra] crossing"));
    auto table = account.search({"zebra"});
    REQUIRE(table.code == 0);
    CHECK(contains(table.out, "[Zebra] crossing"));
}

TEST_CASE("a query that is not search syntax is one sentence and exit 64") {
    SyncedAccount account;
    for (std::string query : {"\"unterminated", "AND", "nosuchcolumn:zebra"}) {
        CAPTURE(query);
        auto result = account.search({query});
        CHECK(result.code == 64);
        CHECK(result.out.empty());
        CHECK(contains(result.err, "is not a valid search"));
        CHECK(std::count(result.err.begin(), result.err.end(), '\n') == 1);
    }
    CHECK(account.search({"\"C++\""}).code == 0);
}

// The replica of tests/offline/data: ticket 100005, "שלום עולם: right-to-left 5", was deleted
// with its project between the two syncs that made it (10:33:28 and 10:33:35).
TEST_CASE("a replica of schema version 3 is upgraded by a sync and searchable as it was") {
    SandboxFixture sandbox{sandbox::ServerOptions{.seed = 7}};
    BackupEnv env;
    env.configure({{.port = sandbox.port()}});
    std::filesystem::create_directories(env.replica().parent_path());
    {
        std::ifstream dump(std::string(SMARTQ_OFFLINE_DATA) + "/replica-v3.sql");
        std::stringstream sql;
        sql << dump.rdbuf();
        sqlite3* handle = nullptr;
        REQUIRE(sqlite3_open(env.replica().c_str(), &handle) == SQLITE_OK);
        CHECK(sqlite3_exec(handle, sql.str().c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
        sqlite3_close(handle);
    }
    auto before = env.run({"search", "menu"});
    CHECK(before.code != 0);
    CHECK(contains(before.err, "no search index yet"));

    REQUIRE(env.run({"sync", "--no-files"}).code == 0);
    CHECK(replica_text(env.replica(), "PRAGMA user_version") == "7");
    CHECK(replica_text(env.replica(),
                       "SELECT count(*) FROM sqlite_master WHERE name IN "
                       "('sync_state', 'sync_marks', 'id_map')") == "0");
    CHECK(replica_text(env.replica(),
                       "SELECT value FROM _sync_state WHERE key = "
                       "'tickets_watermark/1001'") == "2024-01-28 11:27:39");
    CHECK(replica_text(env.replica(),
                       "SELECT group_concat(\"from\") FROM (SELECT \"from\" FROM "
                       "pragma_foreign_key_list('tickets') ORDER BY 1)") ==
          "owner_id,project_id,step_id");
    CHECK(replica_text(env.replica(),
                       "SELECT group_concat(name) FROM (SELECT name FROM "
                       "pragma_table_info('ticket_assignees') WHERE pk > 0 "
                       "ORDER BY pk)") == "ticket_id,user_id");
    CHECK(replica_text(env.replica(), "SELECT count(*) FROM tickets WHERE description IS NULL") ==
          "0");
    CHECK(replica_text(env.replica(),
                       "SELECT description FROM tickets WHERE json_extract(data, "
                       "'$.description') LIKE '<p>See <a href=%' LIMIT 1") == "See the spec.");

    auto found_at = [&](const std::string& at) {
        auto result =
            env.run({"search", "--format", "json", "--limit", "500", "--at", at, "right"});
        REQUIRE(result.code == 0);
        auto hits = parse_hits(result.out);
        return std::any_of(hits.begin(), hits.end(), [](const Hit& h) {
            return h.ticket_id == 100005 && h.ticket == "שלום עולם: right-to-left 5";
        });
    };
    CHECK(found_at("2026-12-02 10:33:30"));
    CHECK(!found_at("2026-12-02 10:33:40"));
    auto bad_time = env.run({"search", "--at", "yesterday", "menu"});
    CHECK(bad_time.code == 64);
}
