// Notes, tasks and files: threads, update_time bumps, cascades, downloads.
#include <set>

#include "model_support.hpp"

using namespace smartq::sandbox;
using namespace smartq::sandbox::testing;

namespace {

// The first seeded ticket of project 1001 that has notes, and its path.
std::string ticket_with_notes(Client& c) {
    auto a = c.get("projects/1001/tickets?archived=2&count=1000&get_info_by_note=1");
    for (auto t : a->data().get_array())
        if (count_of(t["notes"]) > 0)
            return "projects/1001/tickets/" + std::to_string(as_int(t["id"]));
    FAIL("no seeded ticket with notes");
    return "";
}

std::string update_time(Client& c, const std::string& ticket) {
    return as_str(c.get(ticket)->data()["update_time"]);
}

std::string download(Client& c, const std::string& file) {
    auto a = c.get(file + "/download");
    REQUIRE(a->response.read_at);
    std::string body(a->response.stream_size, '\0');
    std::size_t at = 0;
    while (std::size_t n = a->response.read_at(at, body.data() + at,
                                               std::min<std::size_t>(4096, body.size() - at)))
        at += n;
    CHECK(at == body.size());
    return body;
}

}  // namespace

TEST_CASE("notes: list, thread, private, update and delete bump the ticket") {
    Client c;
    const std::string ticket = ticket_with_notes(c);
    auto list = c.get(ticket + "/notes");
    const auto first = as_int(list->data().at(0)["id"]);
    const std::string seeded = update_time(c, ticket);

    auto reply = c.call("POST", ticket + "/notes",
                        {{"note[text]", "New Note"},
                         {"note[top_parent_id]", std::to_string(first)},
                         {"note[private]", "1"}});
    REQUIRE(reply->status() == 200);
    CHECK(as_int(reply->data()["parent_id"]) == first);
    CHECK(reply->data()["private"].get_bool().value());
    CHECK(as_int(reply->data()["owner_id"]) == 1);
    CHECK(update_time(c, ticket) > seeded);  // seeded times are in 2024, writes use the clock
    const std::string reply_path = ticket + "/notes/" + std::to_string(as_int(reply->data()["id"]));
    CHECK(as_str(c.call("PUT", reply_path, {{"note[text]", "<b>edited</b>"}})->data()["text"]) ==
          "<b>edited</b>");
    CHECK(c.call("POST", ticket + "/notes", {{"note[private]", "1"}})->status() == 400);
    CHECK(c.call("POST", ticket + "/notes", {{"note[text]", "x"}, {"note[parent_id]", "1"}})
              ->status() == 400);
    // Empty text is allowed (a note may only carry files), but the field must be sent on POST.
    CHECK(c.call("PUT", reply_path, {{"note[text]", ""}})->status() == 200);
    CHECK(c.call("POST", ticket + "/notes", {{"note[parent_id]", std::to_string(first)}})->status() == 400);
    CHECK(c.get("projects/1001/tickets/1/notes")->status() == 404);

    // deleting a note deletes its replies
    CHECK(c.call("DELETE", ticket + "/notes/" + std::to_string(first))->status() == 200);
    CHECK(c.get(reply_path)->status() == 404);
}

TEST_CASE("notes and tasks: count defaults to 20 and pages exactly") {
    Client c;
    const std::string ticket = ticket_with_notes(c);
    for (int i = 0; i < 25; ++i) {
        c.call("POST", ticket + "/notes", {{"note[text]", "n" + std::to_string(i)}});
        c.call("POST", ticket + "/tasks", {{"task", "t" + std::to_string(i)}});
    }
    for (std::string kind : {"/notes", "/tasks"}) {
        auto all = c.get(ticket + kind + "?count=1000");
        CHECK(count_of(c.get(ticket + kind)->data()) == 20);
        auto tail = c.get(ticket + kind + "?count=20&offset=20");
        CHECK(count_of(tail->data()) == count_of(all->data()) - 20);
        CHECK(as_int(tail->data().at(0)["id"]) == as_int(all->data().at(20)["id"]));
    }
}

TEST_CASE("tasks: both POST forms, toggle, delete, and the ticket bump") {
    Client c;
    const std::string ticket = ticket_with_notes(c);
    const std::string seeded = update_time(c, ticket);
    auto plain = c.call("POST", ticket + "/tasks", {{"task", "New Task"}});
    CHECK(as_str(plain->data()["text"]) == "New Task");
    CHECK(!plain->data()["done"].get_bool().value());
    CHECK(update_time(c, ticket) > seeded);
    auto bracket =
        c.call("POST", ticket + "/tasks", {{"task[text]", "Other"}, {"task[done]", "1"}});
    CHECK(bracket->data()["done"].get_bool().value());
    CHECK(c.call("POST", ticket + "/tasks", {})->status() == 400);
    const std::string path = ticket + "/tasks/" + std::to_string(as_int(plain->data()["id"]));
    CHECK(c.call("PUT", path, {{"task[done]", "1"}})->data()["done"].get_bool().value());
    CHECK(c.call("PUT", path, {{"task[done]", "yes"}})->status() == 400);
    CHECK(c.call("DELETE", path)->status() == 200);
    CHECK(c.get(path)->status() == 404);
}

TEST_CASE("files: seeded bodies are deterministic and random access, uploads round-trip") {
    Client c;
    Client twin;
    auto all = c.get("projects/1001/tickets?archived=2&count=1000&get_info_by_note=1");
    std::string file_path;
    for (auto t : all->data().get_array())
        for (auto n : t["notes"].get_array()) {
            const std::string note = "projects/1001/tickets/" + std::to_string(as_int(t["id"])) +
                                     "/notes/" + std::to_string(as_int(n["id"]));
            auto files = c.get(note + "/files");
            for (auto f : files->data().get_array())
                if (file_path.empty() && as_int(f["size"]) > 100)
                    file_path = note + "/files/" + std::to_string(as_int(f["id"]));
        }
    REQUIRE(!file_path.empty());
    const std::string body = download(c, file_path);
    CHECK(body == download(twin, file_path));
    auto a = c.get(file_path + "/download");
    char piece[10];
    CHECK(a->response.read_at(37, piece, 10) == 10);
    CHECK(std::string(piece, 10) == body.substr(37, 10));
    CHECK(a->response.read_at(body.size(), piece, 10) == 0);
    CHECK(a->response.content_disposition.starts_with("attachment; filename="));

    const std::string note = file_path.substr(0, file_path.find("/files/"));
    const std::string ticket = note.substr(0, note.find("/notes/"));
    const std::string before = update_time(c, ticket);
    auto up =
        c.call("POST", note + "/filesv2", {},
               Upload{"../../etc/\"passwd\"\n", "text/plain", std::string("hello\0world", 11)});
    REQUIRE(up->status() == 200);
    CHECK(as_int(up->data()["size"]) == 11);
    CHECK(update_time(c, ticket) >= before);
    const std::string uploaded = note + "/files/" + std::to_string(as_int(up->data()["id"]));
    CHECK(download(c, uploaded) == std::string("hello\0world", 11));
    auto d = c.get(uploaded + "/download");
    CHECK(d->response.content_disposition.find('\n') == std::string::npos);
    CHECK(d->response.content_disposition.find("filename*=UTF-8''") != std::string::npos);
    CHECK(c.call("POST", note + "/filesv2", {})->status() == 400);
    CHECK(c.call("DELETE", uploaded)->status() == 200);
    CHECK(c.get(uploaded)->status() == 404);
    CHECK(c.get(uploaded + "/download")->status() == 404);
}

TEST_CASE("tiny has an empty file, a multi-MB file and hostile names") {
    Client c;
    auto dump = c.account->dump();
    simdjson::dom::parser parser;
    auto files = parser.parse(dump)["files"].get_array().value();
    bool empty = false, big = false, traversal = false, long_name = false;
    for (auto f : files) {
        empty |= as_int(f["size"]) == 0;
        big |= as_int(f["size"]) > 2 * 1024 * 1024;
        traversal |= as_str(f["name"]) == "../../etc/passwd";
        long_name |= as_str(f["name"]).size() > 255;
    }
    CHECK(empty);
    CHECK(big);
    CHECK(traversal);
    CHECK(long_name);
}

TEST_CASE("cascades: deleting a ticket or a project removes everything below it") {
    Client c;
    const std::string ticket = ticket_with_notes(c);
    auto notes = c.get(ticket + "/notes");
    const std::string note = ticket + "/notes/" + std::to_string(as_int(notes->data().at(0)["id"]));
    CHECK(c.call("DELETE", ticket)->status() == 200);
    CHECK(c.get(note)->status() == 404);
    CHECK(c.call("DELETE", "projects/1001")->status() == 200);
    CHECK(c.get("projects/1001/steps")->status() == 404);
    const std::string dump = c.account->dump();
    simdjson::dom::parser parser;
    auto root = parser.parse(dump).value();
    for (const char* section : {"roles", "steps", "custom_fields", "tickets"})
        for (auto row : root[section].get_array())
            CHECK(as_int(row["project_id"]) != 1001);
    std::set<std::int64_t> tickets, notes_left;
    for (auto t : root["tickets"].get_array())
        tickets.insert(as_int(t["id"]));
    for (auto n : root["notes"].get_array()) {
        CHECK(tickets.count(as_int(n["ticket_id"])));
        notes_left.insert(as_int(n["id"]));
    }
    for (auto t : root["tasks"].get_array())
        CHECK(tickets.count(as_int(t["ticket_id"])));
    for (auto f : root["files"].get_array())
        CHECK(notes_left.count(as_int(f["note_id"])));
}
