// Ticket lists (every parameter), writes, invariants and the wire variations.
#include <algorithm>
#include <set>

#include "model_support.hpp"

using namespace smartq::sandbox;
using namespace smartq::sandbox::testing;

namespace {

std::vector<std::int64_t> all_ticket_ids(Client& c, const std::string& project, int archived) {
    auto a =
        c.get("projects/" + project + "/tickets?count=100000&archived=" + std::to_string(archived));
    return ids_of(a->data());
}

std::string first_step(Client& c, const std::string& project) {
    auto a = c.get("projects/" + project + "/steps");
    return std::to_string(as_int(a->data().at(0)["id"]));
}

}  // namespace

TEST_CASE("tickets: defaults are 20 active tickets, newest first, without extras") {
    Client c(Size::Small);
    auto a = c.get("projects/1001/tickets");
    auto rows = a->data();
    REQUIRE(count_of(rows) == 20);
    std::string previous = "9999";
    for (auto t : rows.get_array()) {
        CHECK(!t["archived"].get_bool().value());
        CHECK(t["assigned_to"].error());
        CHECK(t["notes"].error());
        const std::string inserted = as_str(t["insert_time"]);
        CHECK(inserted <= previous);
        previous = inserted;
    }
    const auto active = all_ticket_ids(c, "1001", 0), archived = all_ticket_ids(c, "1001", 1),
               all = all_ticket_ids(c, "1001", 2);
    CHECK(!archived.empty());
    CHECK(active.size() + archived.size() == all.size());
    CHECK(c.get("projects/1001/tickets?archived=3")->status() == 400);
}

TEST_CASE("tickets: count/offset paging is exact in every order") {
    Client c(Size::Small);
    for (std::string col :
         {"insert_time", "update_time", "move_time", "title", "pos", "deadline_date"}) {
        for (std::string reverse : {"0", "1"}) {
            const std::string base =
                "projects/1001/tickets?archived=2&orderCol=" + col + "&reverse=" + reverse;
            auto whole = c.get(base + "&count=100000");
            const auto expected = ids_of(whole->data());
            std::vector<std::int64_t> paged;
            for (std::size_t offset = 0;; offset += 7) {
                auto page = c.get(base + "&count=7&offset=" + std::to_string(offset));
                const auto ids = ids_of(page->data());
                if (ids.empty())
                    break;
                paged.insert(paged.end(), ids.begin(), ids.end());
            }
            CHECK_MESSAGE(paged == expected, col, " reverse=", reverse);
        }
    }
    auto asc = c.get("projects/1001/tickets?archived=2&orderCol=title&reverse=0&count=100000");
    std::vector<std::string> titles;
    for (auto t : asc->data().get_array())
        titles.push_back(as_str(t["name"]));
    CHECK(std::is_sorted(titles.begin(), titles.end()));
    CHECK(c.get("projects/1001/tickets?orderCol=colour")->status() == 400);
    CHECK(c.get("projects/1001/tickets?reverse=maybe")->status() == 400);
}

TEST_CASE("tickets: filters, extras and the fields projection") {
    Client c(Size::Small);
    auto with =
        c.get("projects/1001/tickets?archived=2&count=100000&assigned_to=1&custom_fields=1");
    std::int64_t user = 0, step = 0;
    for (auto t : with->data().get_array()) {
        if (!user && count_of(t["assigned_to"]) > 0)
            user = as_int(t["assigned_to"].at(0));
        step = as_int(t["step_id"]);
    }
    REQUIRE(user);
    auto assigned =
        c.get("projects/1001/tickets?archived=2&count=100000&assigned_to=1&assignedToId=" +
              std::to_string(user));
    CHECK(count_of(assigned->data()) > 0);
    for (auto t : assigned->data().get_array()) {
        bool found = false;
        for (auto u : t["assigned_to"].get_array())
            found |= as_int(u) == user;
        CHECK(found);
    }
    auto by_step =
        c.get("projects/1001/tickets?archived=2&count=100000&stepIdFilter=" + std::to_string(step));
    for (auto t : by_step->data().get_array())
        CHECK(as_int(t["step_id"]) == step);
    auto named = c.get("projects/1001/tickets?archived=2&count=100000&nameFilter=FIX%20LOGIN");
    CHECK(count_of(named->data()) > 0);
    for (auto t : named->data().get_array())
        CHECK(as_str(t["name"]).starts_with("Fix login"));
    auto due = c.get(
        "projects/1001/tickets?archived=2&count=100000&requiredByFilter=2024-01-20%2000:00:00");
    CHECK(count_of(due->data()) > 0);
    for (auto t : due->data().get_array())
        CHECK(as_str(t["deadline_date"]) < "2024-01-20 00:00:00");
    CHECK(c.get("projects/1001/tickets?requiredByFilter=soon")->status() == 400);

    auto projected = c.get("projects/1001/tickets?fields=name,deadline_date");
    for (auto t : projected->data().get_array()) {
        std::set<std::string> keys;
        for (auto [k, v] : t.get_object())
            keys.insert(std::string(k));
        CHECK(keys == std::set<std::string>{"id", "name", "deadline_date"});
    }
    auto notes = c.get("projects/1001/tickets?archived=2&count=100000&get_info_by_note=1");
    std::size_t with_notes = 0;
    for (auto t : notes->data().get_array())
        with_notes += count_of(t["notes"]) > 0;
    CHECK(with_notes > 0);
    auto no_cover = c.get("projects/1001/tickets?get_cover=0");
    CHECK(no_cover->data().at(0)["cover"].error());
    CHECK(!c.get("projects/1001/tickets")->data().at(0)["cover"].error());
}

TEST_CASE("tickets: create as in the guide, with custom fields, and validation") {
    Client c;
    const std::string step = first_step(c, "1001");
    auto fa = c.get("projects/1001/custom_fields");
    auto fields = fa->data();
    const std::string f_float = as_str(fields.at(0)["name"]), f_text = as_str(fields.at(1)["name"]),
                      f_check = as_str(fields.at(3)["name"]),
                      f_radio = as_str(fields.at(4)["name"]);
    const std::string v1 = std::to_string(as_int(fields.at(3)["values"].at(0)["id"])),
                      v2 = std::to_string(as_int(fields.at(3)["values"].at(1)["id"])),
                      r1 = std::to_string(as_int(fields.at(4)["values"].at(0)["id"]));
    auto created = c.call("POST", "projects/1001/tickets",
                          {{"ticket[name]", "New Ticket"},
                           {"ticket[description]", "D"},
                           {"ticket[step_id]", step},
                           {"ticket[assigned_to][0]", "1"},
                           {"ticket[assigned_to][1]", "2"},
                           {"ticket[tags]", "a,b"},
                           {"ticket[required_by]", "2025-03-01 10:00:00"},
                           {"ticket[" + f_float + "]", "12.5"},
                           {"ticket[" + f_text + "]", "some important info"},
                           {"ticket[" + f_check + "][0]", v1},
                           {"ticket[" + f_check + "][1]", v2},
                           {"ticket[" + f_radio + "]", r1}});
    REQUIRE_MESSAGE(created->status() == 200, created->response.body);
    auto t = created->data();
    CHECK(as_str(t["name"]) == "New Ticket");
    CHECK(count_of(t["assigned_to"]) == 2);
    CHECK(as_str(t["deadline_date"]) == "2025-03-01 10:00:00");
    CHECK(t[f_float].get_double().value() == 12.5);
    CHECK(as_str(t[f_text]) == "some important info");
    CHECK(count_of(t[f_check]) == 2);
    CHECK(std::to_string(as_int(t[f_radio])) == r1);
    CHECK(!t["archived"].get_bool().value());
    CHECK(as_str(t["insert_time"]) == as_str(t["update_time"]));

    auto bad = [&](Form form) {
        form.emplace_back("ticket[name]", "x");
        return c.call("POST", "projects/1001/tickets", form)->status();
    };
    CHECK(bad({}) == 400);  // step_id is required
    CHECK(c.call("POST", "projects/1001/tickets", {{"ticket[step_id]", step}})->status() == 400);
    CHECK(bad({{"ticket[step_id]", "1"}}) == 400);
    CHECK(bad({{"ticket[step_id]", first_step(c, "1002")}}) == 400);
    CHECK(bad({{"ticket[step_id]", step}, {"ticket[assigned_to][0]", "999"}}) == 400);
    CHECK(bad({{"ticket[step_id]", step}, {"ticket[required_by]", "someday"}}) == 400);
    CHECK(bad({{"ticket[step_id]", step}, {"ticket[" + f_float + "]", "ten"}}) == 400);
    CHECK(bad({{"ticket[step_id]", step}, {"ticket[" + f_float + "]", "5000"}}) == 400);  // > max
    CHECK(bad({{"ticket[step_id]", step}, {"ticket[" + f_check + "][0]", r1}}) == 400);
    CHECK(bad({{"ticket[step_id]", step},
               {"ticket[" + f_radio + "][0]", r1},
               {"ticket[" + f_radio + "][1]", r1 + "1"}}) == 400);
    CHECK(bad({{"ticket[step_id]", step}, {"ticket[f99999]", "x"}}) == 400);
}

TEST_CASE("tickets: update, archive, move and delete keep the invariants") {
    Client c;
    const std::string step = first_step(c, "1001");
    auto created =
        c.call("POST", "projects/1001/tickets", {{"ticket[name]", "T"}, {"ticket[step_id]", step}});
    const std::string path =
        "projects/1001/tickets/" + std::to_string(as_int(created->data()["id"]));
    auto a = c.call("PUT", path, {{"ticket[archived]", "1"}, {"ticket[assigned_to]", ""}});
    CHECK(a->data()["archived"].get_bool().value());
    CHECK(count_of(a->data()["assigned_to"]) == 0);
    const auto active = all_ticket_ids(c, "1001", 0), archived = all_ticket_ids(c, "1001", 1);
    const auto id = as_int(created->data()["id"]);
    CHECK(std::find(active.begin(), active.end(), id) == active.end());
    CHECK(std::find(archived.begin(), archived.end(), id) != archived.end());
    // a failed PUT changes nothing
    CHECK(c.call("PUT", path, {{"ticket[name]", "changed"}, {"ticket[step_id]", "1"}})->status() ==
          400);
    CHECK(as_str(c.get(path)->data()["name"]) == "T");
    CHECK(
        c.get("projects/1002/tickets/" + std::to_string(as_int(created->data()["id"])))->status() ==
        404);
    CHECK(c.call("DELETE", path)->status() == 200);
    CHECK(c.get(path)->status() == 404);
}

TEST_CASE("wire variations: string ids, 1/0 booleans, keyed lists, page cap") {
    Client c;
    c.account->set_wire(
        {.string_ids = true, .int_bools = true, .keyed_lists = false, .page_cap = 0});
    auto t = c.get("projects/1001/tickets?assigned_to=1&custom_fields=1&archived=2&count=100");
    bool saw_assignee = false, saw_choice = false;
    for (auto row : t->data().get_array()) {
        CHECK(row["id"].is_string());
        CHECK(row["project_id"].is_string());
        CHECK(row["step_id"].is_string());
        CHECK(row["owner_id"].is_string());
        CHECK(row["archived"].is_int64());
        for (auto u : row["assigned_to"].get_array())
            saw_assignee |= u.is_string();
        for (auto [k, v] : row.get_object())
            if (v.is_array() && k != "assigned_to")
                for (auto id : v.get_array())
                    saw_choice |= id.is_string();
    }
    CHECK(saw_assignee);
    CHECK(saw_choice);
    auto me = c.get("users/me");
    CHECK(as_int(me->data()["is_account_administrator"]) == 1);
    auto notes = c.get("projects/1001/tickets?archived=2&get_info_by_note=1&count=100");
    for (auto row : notes->data().get_array())
        for (auto n : row["notes"].get_array()) {
            CHECK(n["ticket_id"].is_string());
            CHECK((n["parent_id"].is_null() || n["parent_id"].is_string()));
            CHECK(n["private"].is_int64());
        }
    CHECK(c.account->wire().string_ids);

    c.account->set_wire(
        {.string_ids = false, .int_bools = false, .keyed_lists = true, .page_cap = 0});
    auto keyed = c.get("users");
    REQUIRE(keyed->data().is_object());
    for (auto [k, v] : keyed->data().get_object())
        CHECK(std::string(k) == std::to_string(as_int(v["id"])));

    c.account->set_wire(
        {.string_ids = false, .int_bools = false, .keyed_lists = false, .page_cap = 3});
    CHECK(count_of(c.get("users?count=10")->data()) == 3);
    CHECK(ids_of(c.get("users?count=10&offset=3")->data()) == std::vector<std::int64_t>{4, 5});
}
