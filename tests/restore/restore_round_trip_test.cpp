// Round trips through the programs: sandbox A seeded -> sync -> restore into
// sandbox B -> A's and B's dumps compare equal modulo ids, times and authors.
#include <doctest/doctest.h>
#include <sys/stat.h>

#include <simdjson.h>

#include <algorithm>
#include <map>
#include <sstream>

#include "restore_drill.hpp"

namespace smartq::test {

namespace {

unsigned mode_of(const std::filesystem::path& file) {
    struct stat info {};
    REQUIRE(::stat(file.c_str(), &info) == 0);
    return info.st_mode & 0777;
}

// The "email<TAB>password" lines of a passwords file, checked for shape.
std::vector<std::string> password_emails(const std::filesystem::path& file) {
    std::istringstream lines(read_file(file));
    std::vector<std::string> emails;
    for (std::string line; std::getline(lines, line);) {
        auto tab = line.find('\t');
        REQUIRE(tab != std::string::npos);
        CHECK(line.size() - tab - 1 == 20);
        emails.push_back(line.substr(0, tab));
    }
    return emails;
}

// The note texts of a dump; with `annotated`, as restore --annotate-authors writes them.
std::vector<std::string> note_texts(const std::string& dump, bool annotated) {
    simdjson::dom::parser parser;
    auto root = parser.parse(dump).value();
    std::map<std::int64_t, std::string> authors;
    // Named arrays: a range-for over a temporary's value() reads a destroyed object.
    simdjson::dom::array users = root["users"].get_array();
    simdjson::dom::array notes = root["notes"].get_array();
    for (auto user : users)
        authors[user["id"].get_int64().value()] =
            std::string(user["name"].get_string().value()) + " <" +
            std::string(user["email"].get_string().value()) + ">";
    std::vector<std::string> texts;
    for (auto note : notes) {
        std::string text(note["text"].get_string().value());
        if (annotated)
            text = "[originally by " + authors[note["owner_id"].get_int64().value()] + " at " +
                   std::string(note["insert_time"].get_string().value()) + "]\n" + text;
        texts.push_back(text);
    }
    std::sort(texts.begin(), texts.end());
    return texts;
}

}  // namespace

TEST_CASE("--annotate-authors names each note's author and time, and the restore verifies") {
    Drill drill;
    auto restored = drill.env.run({"restore", "--from", "a", "--to", "b", "--annotate-authors"});
    INFO(restored.out, restored.err);
    CHECK(restored.code == 0);
    CHECK(restored.out.find("difference:") == std::string::npos);
    auto source = drill.source.admin("GET", "dump").body;
    auto target = drill.target.admin("GET", "dump").body;
    auto expected = note_texts(source, true);
    REQUIRE_FALSE(expected.empty());
    CHECK(note_texts(target, false) == expected);
    drill.target.admin("POST", "reset");
    auto again = drill.env.run({"restore", "--from", "a", "--to", "b", "--annotate-authors"});
    INFO(again.out, again.err);
    CHECK(again.code == 0);
    CHECK(writes(stats(drill.target)) == 0);
}

TEST_CASE("restore of a tiny account into an empty one is equal, and a second run adds nothing") {
    Drill drill;
    auto restored = drill.env.run({"restore", "--from", "a", "--to", "b"});
    INFO(restored.out, restored.err);
    CHECK(restored.code == 0);
    CHECK(restored.out.find("difference:") == std::string::npos);
    CHECK(equal(drill.compare()));
    drill.target.admin("POST", "reset");
    auto again = drill.env.run({"restore", "--from", "a", "--to", "b"});
    INFO(again.out, again.err);
    CHECK(again.code == 0);
    CHECK(writes(stats(drill.target)) == 0);
    CHECK(equal(drill.compare()));
}

TEST_CASE("generated user passwords go to a 0600 file in the target's data directory") {
    Drill drill;
    auto file = drill.env.data_dir() / "b" / "generated-passwords.tsv";
    auto restored = drill.env.run({"restore", "--from", "a", "--to", "b"});
    INFO(restored.out, restored.err);
    CHECK(restored.code == 0);
    CHECK(mode_of(file) == 0600);
    auto emails = password_emails(file);
    // Tiny has five users; the administrator already exists in B.
    CHECK(emails.size() == 4);
    auto dump = drill.source.admin("GET", "dump").body;
    for (const auto& email : emails) {
        CHECK(email != "admin@sandbox.test");
        CHECK(dump.find("\"" + email + "\"") != std::string::npos);
    }
    CHECK(restored.err.find(file.string()) != std::string::npos);
    // A second run creates no user, so it adds no password.
    auto again = drill.env.run({"restore", "--from", "a", "--to", "b"});
    CHECK(again.code == 0);
    CHECK(password_emails(file).size() == 4);
}

TEST_CASE("--passwords-out takes the generated passwords instead of the data directory") {
    Drill drill;
    auto out = drill.env.dir().path() / "new-users.tsv";
    auto restored =
        drill.env.run({"restore", "--from", "a", "--to", "b", "--passwords-out", out.string()});
    INFO(restored.out, restored.err);
    CHECK(restored.code == 0);
    CHECK(mode_of(out) == 0600);
    CHECK(password_emails(out).size() == 4);
    CHECK_FALSE(std::filesystem::exists(drill.env.data_dir() / "b" / "generated-passwords.tsv"));
}

TEST_CASE("restore of a small account into an empty one is equal") {
    Drill drill(sandbox::Size::Small);
    auto restored = drill.env.run({"restore", "--from", "a", "--to", "b"});
    INFO(restored.out, restored.err);
    CHECK(restored.code == 0);
    auto comparison = drill.compare();
    INFO(comparison);
    CHECK(equal(comparison));
}

TEST_CASE("a restore that finds a difference on read-back exits 65") {
    Drill drill;
    // B already holds a project A never had: the read-back of B is not A.
    drill.target.api("POST", "/projects", "project%5Bname%5D=Intruder");
    auto restored = drill.env.run({"restore", "--from", "a", "--to", "b"});
    INFO(restored.out, restored.err);
    CHECK(restored.code == 65);
    CHECK(restored.out.find("difference:") != std::string::npos);
    CHECK(restored.out.find("Intruder") != std::string::npos);
}

TEST_CASE("a dry run sends only GETs and prints the plan") {
    Drill drill;
    auto planned = drill.env.run({"restore", "--from", "a", "--to", "b", "--dry-run"});
    INFO(planned.out, planned.err);
    CHECK(planned.code == 0);
    CHECK(planned.out.find("dry run") != std::string::npos);
    CHECK(planned.out.find("to create") != std::string::npos);
    CHECK(planned.out.find("project 'Alpha':") != std::string::npos);
    auto b = stats(drill.target);
    CHECK(b.total > 0);
    CHECK(writes(b) == 0);
    CHECK_FALSE(std::filesystem::exists(drill.env.data_dir() / "b" / "generated-passwords.tsv"));
}

TEST_CASE("restoring into the backed-up account needs --into-source") {
    Drill drill;
    drill.source.admin("POST", "reset");
    auto refused = drill.env.run({"restore", "--from", "a", "--to", "a"});
    CHECK(refused.code == 64);
    CHECK(refused.err.find("--into-source") != std::string::npos);
    CHECK(stats(drill.source).total == 0);
    auto into = drill.env.run({"restore", "--from", "a", "--to", "a", "--into-source"});
    INFO(into.out, into.err);
    CHECK(into.code == 0);
    CHECK(writes(stats(drill.source)) == 0);
}

TEST_CASE("an unknown --project or --ticket is a usage error and sends nothing") {
    Drill drill;
    auto project = drill.env.run({"restore", "--from", "a", "--to", "b", "--project", "999999"});
    CHECK(project.code == 64);
    CHECK(project.err.find("999999") != std::string::npos);
    auto ticket = drill.env.run({"restore", "--from", "a", "--to", "b", "--ticket", "888888"});
    CHECK(ticket.code == 64);
    CHECK(ticket.err.find("888888") != std::string::npos);
    CHECK(stats(drill.target).total == 0);
}

TEST_CASE("a malformed --at is a usage error") {
    Drill drill;
    auto refused = drill.env.run({"restore", "--from", "a", "--to", "b", "--at", "yesterday"});
    CHECK(refused.code == 64);
    CHECK(refused.err.find("yesterday") != std::string::npos);
    CHECK(stats(drill.target).total == 0);
}

}  // namespace smartq::test
