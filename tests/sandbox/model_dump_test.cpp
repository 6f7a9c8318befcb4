// Seeding, mutate, dump and the compare_dumps oracle.
#include <chrono>
#include <cstdio>
#include <set>

#include "model_support.hpp"

using namespace smartq::sandbox;
using namespace smartq::sandbox::testing;

namespace {

bool equal(const std::string& a, const std::string& b) {
    simdjson::dom::parser parser;
    const std::string result = compare_dumps(a, b);
    return parser.parse(result)["equal"].get_bool().value();
}

std::vector<std::string> differences(const std::string& a, const std::string& b) {
    simdjson::dom::parser parser;
    const std::string result = compare_dumps(a, b);
    std::vector<std::string> out;
    for (auto d : parser.parse(result)["differences"].get_array())
        out.push_back(as_str(d));
    return out;
}

// Builds the same small account through the API; `shuffle` creates and
// deletes throwaway objects first so that every id comes out different.
std::unique_ptr<Client> built(bool shuffle) {
    auto c = std::make_unique<Client>(Size::Empty);
    if (shuffle) {
        c->call("POST", "users",
                {{"user[name]", "tmp"}, {"user[email]", "tmp@e.com"}, {"user[password]", "p"}});
        c->call("DELETE", "users/2");
        c->call("POST", "projects", {{"project[name]", "tmp"}});
        c->call("POST", "projects/1001/steps", {{"step[name]", "tmp"}});
        c->call("POST", "projects/1001/custom_fields",
                {{"field[type]", "choice"}, {"field[label]", "tmp"}});
        c->call("POST", "projects/1001/custom_fields/f1/values", {{"value[title]", "tmp"}});
        c->call("POST", "projects/1001/tickets",
                {{"ticket[name]", "tmp"}, {"ticket[step_id]", "40001"}});
        c->call("POST", "projects/1001/tickets/100001/notes", {{"note[text]", "tmp"}});
        c->call("DELETE", "projects/1001");
    }
    auto id = [&](std::unique_ptr<Answer> a) { return std::to_string(as_int(a->data()["id"])); };
    const auto user =
        id(c->call("POST", "users",
                   {{"user[name]", "Ann"}, {"user[email]", "ann@e.com"}, {"user[password]", "p"}}));
    const auto project = id(c->call("POST", "projects", {{"project[name]", "Alpha"}}));
    const std::string p = "projects/" + project;
    const auto step = id(c->call("POST", p + "/steps", {{"step[name]", "Doing"}}));
    auto field = c->call("POST", p + "/custom_fields",
                         {{"field[type]", "choice"},
                          {"field[label]", "Prio"},
                          {"field[options][choiceType]", "radio"}});
    const std::string fname = as_str(field->data()["name"]);
    const auto value =
        id(c->call("POST", p + "/custom_fields/" + fname + "/values", {{"value[title]", "High"}}));
    const auto ticket = id(c->call("POST", p + "/tickets",
                                   {{"ticket[name]", "Fix login"},
                                    {"ticket[step_id]", step},
                                    {"ticket[assigned_to][0]", user},
                                    {"ticket[" + fname + "]", value}}));
    const std::string t = p + "/tickets/" + ticket;
    const auto note = id(c->call("POST", t + "/notes", {{"note[text]", "first"}}));
    c->call("POST", t + "/notes", {{"note[text]", "reply"}, {"note[parent_id]", note}});
    c->call("POST", t + "/tasks", {{"task", "check"}});
    c->call("POST", t + "/notes/" + note + "/filesv2", {}, Upload{"a.txt", "text/plain", "body"});
    return c;
}

}  // namespace

TEST_CASE("seeding is deterministic and sized, timings are printed") {
    for (auto [name, size] : {std::pair{"empty", Size::Empty},
                              {"tiny", Size::Tiny},
                              {"small", Size::Small},
                              {"medium", Size::Medium},
                              {"large", Size::Large}}) {
        const auto start = std::chrono::steady_clock::now();
        auto account = Account::create(3, size, {"a@e.com", "p"});
        const double ms =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                .count();
        std::printf("seed %-6s: %8.1f ms\n", name, ms);
        CHECK(parse_size(name) == size);
    }
    CHECK_THROWS_AS(parse_size("huge"), std::invalid_argument);
    CHECK(Account::create(5, Size::Small, {"a@e.com", "p"})->dump() ==
          Account::create(5, Size::Small, {"a@e.com", "p"})->dump());
    CHECK(Account::create(5, Size::Small, {"a@e.com", "p"})->dump() !=
          Account::create(6, Size::Small, {"a@e.com", "p"})->dump());

    simdjson::dom::parser parser;
    const std::string empty = Account::create(1, Size::Empty, {"a@e.com", "p"})->dump();
    auto root = parser.parse(empty).value();
    CHECK(count_of(root["users"]) == 1);
    CHECK(count_of(root["projects"]) == 0);
    const std::string small = Account::create(1, Size::Small, {"a@e.com", "p"})->dump();
    root = parser.parse(small).value();
    std::size_t archived = 0, tickets = count_of(root["tickets"]);
    for (auto t : root["tickets"].get_array())
        archived += t["archived"].get_bool().value();
    CHECK(tickets == 500);
    CHECK(archived > tickets / 10);
    CHECK(archived < tickets * 3 / 10);
    std::size_t replies = 0, privates = 0;
    for (auto n : root["notes"].get_array()) {
        replies += !n["parent_id"].is_null();
        privates += n["private"].get_bool().value();
    }
    CHECK(replies > 0);
    CHECK(privates > 0);
}

TEST_CASE("mutate is deterministic, covers every kind and keeps the invariants") {
    auto a = Account::create(9, Size::Small, {"a@e.com", "p"});
    auto b = Account::create(9, Size::Small, {"a@e.com", "p"});
    const std::string changes = a->mutate(42, 300, false);
    CHECK(changes == b->mutate(42, 300, false));
    CHECK(equal(a->dump(), b->dump()));
    CHECK(!equal(a->dump(), Account::create(9, Size::Small, {"a@e.com", "p"})->dump()));

    simdjson::dom::parser parser;
    std::set<std::string> kinds;
    auto list = parser.parse(changes)["changes"].get_array().value();
    CHECK(list.size() == 300);
    for (auto c : list)
        kinds.insert(as_str(c["kind"]) + " " + as_str(c["resource"]));
    for (const char* kind :
         {"updated ticket", "created ticket", "archived ticket", "deleted ticket", "created note",
          "edited note", "deleted note", "toggled task", "created file", "created project",
          "deleted project", "edited user", "edited step"})
        CHECK_MESSAGE(kinds.count(kind), kind);
    CHECK(!kinds.count("edited_silently note"));
    const std::string silent = a->mutate(43, 200, true);
    CHECK(silent.find("edited_silently") != std::string::npos);

    auto e = Account::create(1, Size::Empty, {"a@e.com", "p"});
    auto grown = parser.parse(e->mutate(1, 20, false))["changes"].get_array().value();
    CHECK(grown.size() == 20);
}

TEST_CASE("compare_dumps: equal modulo ids, different on any real change") {
    const std::string base = built(false)->account->dump();
    CHECK(equal(base, base));
    CHECK(equal(base, built(true)->account->dump()));  // every id differs
    CHECK(equal(Account::create(4, Size::Tiny, {"a@e.com", "p"})->dump(),
                Account::create(4, Size::Tiny, {"a@e.com", "p"})->dump()));

    auto changed = built(true);
    changed->call("PUT", "projects/1002/tickets/100002", {{"ticket[description]", "changed"}});
    auto d = differences(base, changed->account->dump());
    REQUIRE(!d.empty());
    CHECK(d.front() == "tickets: 'Fix login' in project 'Alpha' differs in description");

    auto fewer = built(false);
    fewer->call("DELETE", "projects/1001/tickets/100001/notes/1000002");
    d = differences(base, fewer->account->dump());
    CHECK(d == std::vector<std::string>{
                   "notes: note 'reply' on ticket 'Fix login' in project 'Alpha' missing in b"});

    auto body = built(false);
    body->call("DELETE", "projects/1001/tickets/100001/notes/1000001/files/9000001");
    body->call("POST", "projects/1001/tickets/100001/notes/1000001/filesv2", {},
               Upload{"a.txt", "text/plain", "BODY"});
    CHECK(!equal(base, body->account->dump()));

    auto assignee = built(false);
    assignee->call("PUT", "projects/1001/tickets/100001", {{"ticket[assigned_to][0]", "1"}});
    CHECK(!equal(base, assignee->account->dump()));

    CHECK_THROWS_AS(compare_dumps("not json", base), std::invalid_argument);
    CHECK_THROWS_AS(compare_dumps("{\"users\":[]}", base), std::invalid_argument);
}
