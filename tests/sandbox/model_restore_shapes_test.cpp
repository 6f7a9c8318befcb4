// The restore shapes of WireOptions: answers and rules a real server may have
// that the guide allows. Each is off by default and changes only what it says.
#include "model_support.hpp"

using namespace smartq::sandbox;
using namespace smartq::sandbox::testing;

namespace {

WireOptions with(void (*set)(WireOptions&)) {
    WireOptions wire;
    set(wire);
    return wire;
}

// A seeded ticket of project 1001 with at least one custom field value, as listed.
simdjson::dom::element ticket_with_fields(Answer& list) {
    for (auto t : list.data().get_array()) {
        auto nested = t["custom_fields"];
        if (!nested.error() && count_of(nested.value()) > 0)
            return t;
        if (!t["f2"].error() || !t["f1"].error())
            return t;
    }
    FAIL("no seeded ticket with custom field values");
    return {};
}

}  // namespace

TEST_CASE("nested_custom_fields puts a ticket's values under custom_fields, nothing beside") {
    Client c;
    c.account->set_wire(with([](WireOptions& w) { w.nested_custom_fields = true; }));
    auto list = c.get("projects/1001/tickets?archived=2&count=1000&custom_fields=1");
    auto ticket = ticket_with_fields(*list);
    auto nested = ticket["custom_fields"];
    REQUIRE_FALSE(nested.error());
    CHECK(nested.value().is_object());
    for (auto member : ticket.get_object())
        CHECK_FALSE(std::string_view(member.key).starts_with("f"));
    c.account->set_wire({});
    auto flat = c.get("projects/1001/tickets?archived=2&count=1000&custom_fields=1");
    CHECK(flat->data().at(0)["custom_fields"].error());
}

TEST_CASE("root_parent renders a root note's parent as null, \"0\" or not at all") {
    Client c;
    // The first note of a thread is a root.
    auto root_note = [&]() -> std::string {
        auto list = c.get("projects/1001/tickets?archived=2&count=1000&get_info_by_note=1");
        for (auto t : list->data().get_array()) {
            if (count_of(t["notes"]) == 0)
                continue;
            auto parent = t["notes"].at(0)["parent_id"];
            if (parent.error())
                return "absent";
            return parent.value().is_null() ? "null" : as_str(parent.value());
        }
        FAIL("no seeded ticket with notes");
        return {};
    };
    CHECK(root_note() == "null");
    for (std::string shape : {"0", "absent", "null"}) {
        WireOptions wire;
        wire.root_parent = shape;
        c.account->set_wire(wire);
        CHECK(root_note() == shape);
    }
}

TEST_CASE("zero_dates spells an unset deadline 0000-00-00 00:00:00") {
    Client c;
    c.account->set_wire(with([](WireOptions& w) { w.zero_dates = true; }));
    auto list = c.get("projects/1001/tickets?archived=2&count=1000");
    int zero = 0, null = 0;
    for (auto t : list->data().get_array()) {
        auto deadline = t["deadline_date"].value();
        null += deadline.is_null();
        zero += deadline.is_string() && as_str(deadline) == "0000-00-00 00:00:00";
    }
    CHECK(zero > 0);
    CHECK(null == 0);
}

TEST_CASE("empty_arrays renders an empty object as []") {
    Client c;
    auto options_of_text_field = [&]() {
        auto fields = c.get("projects/1001/custom_fields");
        for (auto f : fields->data().get_array())
            if (as_str(f["type"]) == "text")
                return std::string(simdjson::minify(f["options"].value()));
        FAIL("no text field");
        return std::string();
    };
    CHECK(options_of_text_field() == "{}");
    c.account->set_wire(with([](WireOptions& w) { w.empty_arrays = true; }));
    CHECK(options_of_text_field() == "[]");
}

TEST_CASE("default_steps gives a new project To Do, In Progress and Done, and its default role") {
    Client c;
    auto created = c.call("POST", "projects", {{"project[name]", "Plain"}});
    auto plain = std::to_string(as_int(created->data()["id"]));
    CHECK(count_of(c.get("projects/" + plain + "/steps")->data()) == 0);
    c.account->set_wire(with([](WireOptions& w) { w.default_steps = true; }));
    created = c.call("POST", "projects", {{"project[name]", "Board"}});
    auto board = std::to_string(as_int(created->data()["id"]));
    std::vector<std::string> names;
    auto steps = c.get("projects/" + board + "/steps");
    for (auto s : steps->data().get_array())
        names.push_back(as_str(s["name"]));
    CHECK(names == std::vector<std::string>{"To Do", "In Progress", "Done"});
    CHECK(count_of(c.get("projects/" + board + "/roles")->data()) == 1);
}

TEST_CASE("required_fields refuses a ticket without a required field's value, before it exists") {
    Client c;
    std::string required;
    auto fields = c.get("projects/1001/custom_fields");
    for (auto f : fields->data().get_array())
        if (f["required"].get_bool().value())
            required = as_str(f["name"]);
    REQUIRE_FALSE(required.empty());
    auto step = std::to_string(as_int(c.get("projects/1001/steps")->data().at(0)["id"]));
    Form form{{"ticket[name]", "Needs a customer"}, {"ticket[step_id]", step}};
    auto before = count_of(c.get("projects/1001/tickets?archived=2&count=1000")->data());
    c.account->set_wire(with([](WireOptions& w) { w.required_fields = true; }));
    auto refused = c.call("POST", "projects/1001/tickets", form);
    CHECK(refused->status() == 400);
    CHECK(refused->message().find(required) != std::string::npos);
    CHECK(count_of(c.get("projects/1001/tickets?archived=2&count=1000")->data()) == before);
    form.push_back({"ticket[" + required + "]", "ACME"});
    CHECK(c.call("POST", "projects/1001/tickets", form)->status() == 200);
    c.account->set_wire({});
    form.pop_back();
    CHECK(c.call("POST", "projects/1001/tickets", form)->status() == 200);
}

TEST_CASE("basename_uploads keeps only the last segment of an upload's name") {
    Client c;
    auto list = c.get("projects/1001/tickets?archived=2&count=1000&get_info_by_note=1");
    std::string note;
    for (auto t : list->data().get_array())
        if (note.empty() && count_of(t["notes"]) > 0)
            note = "projects/1001/tickets/" + std::to_string(as_int(t["id"])) + "/notes/" +
                   std::to_string(as_int(t["notes"].at(0)["id"]));
    REQUIRE_FALSE(note.empty());
    auto upload = [&](const char* name) {
        auto answer = c.call("POST", note + "/filesv2", {}, Upload{name, "text/plain", "x"});
        return as_str(answer->data()["name"]);
    };
    CHECK(upload("docs/plan.txt") == "docs/plan.txt");
    c.account->set_wire(with([](WireOptions& w) { w.basename_uploads = true; }));
    CHECK(upload("docs/plan.txt") == "plan.txt");
    CHECK(upload("C:\\tmp\\a.txt") == "a.txt");
    CHECK(upload("plain.txt") == "plain.txt");
}
