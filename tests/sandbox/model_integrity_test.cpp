// The sync-integrity switches (issue 10): each makes the listings misbehave in one way only.
#include <algorithm>
#include <set>

#include "model_support.hpp"

using namespace smartq::sandbox;
using namespace smartq::sandbox::testing;

namespace {

Client with(WireOptions wire, Size size = Size::Tiny) {
    Client c(size);
    c.account->set_wire(wire);
    return c;
}

std::string first_step(Client& c) {
    return std::to_string(as_int(c.get("projects/1001/steps")->data().at(0)["id"]));
}

std::vector<std::int64_t> page(Client& c, const std::string& query) {
    return ids_of(c.get("projects/1001/tickets?archived=2&" + query)->data());
}

}  // namespace

TEST_CASE(
    "integrity: bulk_insert_time gives new tickets one insert_time, tie_shuffle reorders ties") {
    WireOptions wire;
    wire.bulk_insert_time = true;
    auto c = with(wire);
    auto step = first_step(c);
    for (int i = 0; i < 40; ++i)
        REQUIRE(
            c.call("POST", "projects/1001/tickets",
                   {{"ticket[name]", "Imported " + std::to_string(i)}, {"ticket[step_id]", step}})
                ->status() == 200);
    auto rows_answer =
        c.get("projects/1001/tickets?archived=2&count=1000&orderCol=insert_time&reverse=1");
    auto rows = rows_answer->data();
    std::set<std::string> imported;
    for (auto t : rows.get_array())
        if (as_str(t["name"]).starts_with("Imported"))
            imported.insert(as_str(t["insert_time"]));
    CHECK(imported.size() == 1);  // all 40 within one second
    auto order = "count=1000&orderCol=insert_time&reverse=1";
    CHECK(page(c, order) == page(c, order));  // ties by id while the switch is off
    wire.bulk_insert_time = false;
    wire.tie_shuffle = true;
    c.account->set_wire(wire);
    auto first = page(c, order);
    bool reordered = false;
    for (int i = 0; i < 5 && !reordered; ++i)
        reordered = page(c, order) != first;
    CHECK(reordered);
    auto second = page(c, order);
    CHECK(std::set(first.begin(), first.end()) == std::set(second.begin(), second.end()));
    // Rows that do not tie stay where they are: the oldest tickets are first in both.
    auto ascending = "count=1000&orderCol=insert_time&reverse=0";
    CHECK(page(c, ascending).front() == page(c, ascending).front());
}

TEST_CASE("integrity: unpaged_lists answers every row of the lists the guide gives no count for") {
    WireOptions wire;
    wire.page_cap = 2;
    wire.unpaged_lists = true;
    auto c = with(wire);
    auto steps_answer = c.get("projects/1001/steps?count=1&offset=3");
    auto steps = steps_answer->data();
    CHECK(count_of(steps) == count_of(c.get("projects/1001/steps")->data()));
    CHECK(count_of(steps) > 2);
    CHECK(count_of(c.get("projects/1001/tickets?count=10")->data()) == 2);  // still capped
}

TEST_CASE("integrity: ignore_offset answers the first page of ticket lists at every offset") {
    WireOptions wire;
    wire.ignore_offset = true;
    auto c = with(wire);
    CHECK(page(c, "count=3&offset=0") == page(c, "count=3&offset=6"));
    CHECK(count_of(c.get("projects/1001/tickets/" + std::to_string(page(c, "count=1").front()) +
                         "/notes?count=1&offset=1")
                       ->data()) <= 1);
}

TEST_CASE("integrity: foreign_tickets adds another project's ticket to a list's first page") {
    WireOptions wire;
    wire.foreign_tickets = true;
    auto c = with(wire);
    auto rows_answer = c.get("projects/1001/tickets?archived=2&count=1000");
    auto rows = rows_answer->data();
    std::set<std::int64_t> projects;
    for (auto t : rows.get_array())
        projects.insert(as_int(t["project_id"]));
    CHECK(projects.size() == 2);
    auto later_answer = c.get("projects/1001/tickets?archived=2&count=2&offset=2");
    auto later = later_answer->data();
    for (auto t : later.get_array())
        CHECK(as_int(t["project_id"]) == 1001);
}

TEST_CASE("integrity: children_404 refuses one ticket's notes and tasks, not the ticket") {
    auto c = with({});
    auto ticket = std::to_string(page(c, "count=1").front());
    WireOptions wire;
    wire.children_404 = std::stoll(ticket);
    c.account->set_wire(wire);
    auto base = "projects/1001/tickets/" + ticket;
    CHECK(c.get(base)->status() == 200);
    CHECK(c.get(base + "/notes")->status() == 404);
    CHECK(c.get(base + "/tasks")->status() == 404);
    // Only what is read: the admin's mutations still write the ticket's children.
    CHECK(c.call("POST", base + "/notes", {{"note[text]", "still written"}}, std::nullopt, 1)
              ->status() == 200);
    auto other = std::to_string(page(c, "count=2").back());
    CHECK(c.get("projects/1001/tickets/" + other + "/notes")->status() == 200);
}

TEST_CASE("integrity: private_notes_hidden lists a private note to its author only") {
    auto c = with({});
    auto ticket = std::to_string(page(c, "count=1").front());
    auto notes = "projects/1001/tickets/" + ticket + "/notes";
    REQUIRE(c.call("POST", notes, {{"note[text]", "mine"}, {"note[private]", "1"}}, std::nullopt, 2)
                ->status() == 200);
    auto all = count_of(c.get(notes)->data());
    WireOptions wire;
    wire.private_notes_hidden = true;
    c.account->set_wire(wire);
    CHECK(count_of(c.get(notes)->data()) == all - 1);  // the administrator no longer sees it
    CHECK(count_of(c.call("GET", notes, {}, std::nullopt, 2)->data()) >= 1);
}
