// Users, projects, roles, steps, custom fields and values through Account::handle.
#include "model_support.hpp"

using namespace smartq::sandbox;
using namespace smartq::sandbox::testing;

TEST_CASE("errors use the guide's envelope and status") {
    Client c;
    auto root = c.get("");
    CHECK(root->status() == 405);
    CHECK(root->message() == "method \"GET\" not found for resource \"\"");
    CHECK(root->root["data"].is_null());
    CHECK(as_int(root->root["error"]["code"]) == 405);
    CHECK(c.get("nothing")->status() == 405);
    CHECK(c.call("PATCH", "projects")->status() == 405);
    CHECK(c.get("projects/999999")->status() == 404);
    CHECK(c.get("projects/abc")->status() == 404);
    CHECK(c.get("projects?count=x")->status() == 400);
    CHECK(c.get("projects?count=0")->status() == 400);
    CHECK(c.get("projects?offset=-1")->status() == 400);
}

TEST_CASE("users: me, list defaults, create, update, delete") {
    Client c;
    auto me = c.get("users/me");
    CHECK(as_str(me->data()["email"]) == "admin@example.com");
    CHECK(me->data()["is_account_administrator"].get_bool().value());
    CHECK(me->data()["password"].error());         // never rendered
    CHECK(count_of(c.get("users")->data()) == 5);  // default count 1000 covers all
    CHECK(ids_of(c.get("users?count=2&offset=1")->data()) == std::vector<std::int64_t>{2, 3});

    auto created = c.call("POST", "users",
                          {{"user[name]", "John Smith"},
                           {"user[email]", "john@example.com"},
                           {"user[password]", "zaq123"},
                           {"user[is_account_administrator]", "1"},
                           {"user[title]", "Director"}});
    REQUIRE(created->status() == 200);
    const auto id = as_int(created->data()["id"]);
    CHECK(id == 6);
    CHECK(as_str(created->data()["title"]) == "Director");
    CHECK(as_str(created->data()["company"]) == "");
    CHECK(c.account->check_password("john@example.com", "zaq123") == id);
    CHECK(!c.account->check_password("john@example.com", "wrong"));

    CHECK(
        c.call("POST", "users",
               {{"user[name]", "X"}, {"user[email]", "john@example.com"}, {"user[password]", "p"}})
            ->status() == 400);
    CHECK(c.call("POST", "users", {{"user[name]", "X"}, {"user[email]", "x@e.com"}})->status() ==
          400);
    CHECK(
        c.call("POST", "users", {{"user[email]", "y@e.com"}, {"user[password]", "p"}})->status() ==
        400);
    CHECK(c.call("POST", "users",
                 {{"user[name]", "X"},
                  {"user[email]", "z@e.com"},
                  {"user[password]", "p"},
                  {"user[can_manage_projects]", "maybe"}})
              ->status() == 400);

    auto updated = c.call("PUT", "users/6", {{"user[company]", "ACME"}});
    CHECK(as_str(updated->data()["company"]) == "ACME");
    CHECK(as_str(c.call("PUT", "users/me", {{"user[name]", "Root"}})->data()["name"]) == "Root");
    CHECK(c.call("DELETE", "users/1")->status() == 400);  // yourself
    CHECK(c.call("DELETE", "users/6")->status() == 200);
    CHECK(c.get("users/6")->status() == 404);
    // ids are never reused
    auto again =
        c.call("POST", "users",
               {{"user[name]", "J"}, {"user[email]", "j2@example.com"}, {"user[password]", "p"}});
    CHECK(as_int(again->data()["id"]) == 7);
}

TEST_CASE("projects: list defaults, activeFilter, nameFilter, create as in the guide") {
    Client c(Size::Small);
    CHECK(count_of(c.get("projects")->data()) == 5);
    CHECK(count_of(c.get("projects?activeFilter=1")->data()) == 4);  // one closed
    CHECK(count_of(c.get("projects?activeFilter=0")->data()) == 5);
    CHECK(ids_of(c.get("projects?nameFilter=alp")->data()) == std::vector<std::int64_t>{1001});
    CHECK(ids_of(c.get("projects?count=2&offset=3")->data()) ==
          std::vector<std::int64_t>{1004, 1005});

    auto created = c.call("POST", "projects",
                          {{"project[name]", "New project"}, {"project[description]", "D"}});
    REQUIRE(created->status() == 200);
    auto data = created->data();
    CHECK(as_str(data["name"]) == "New project");
    CHECK(as_int(data["owner_id"]) == 1);
    CHECK(data["active"].get_bool().value());
    const auto id = as_int(data["id"]);
    CHECK(c.call("POST", "projects", {{"project[description]", "no name"}})->status() == 400);
    CHECK(as_str(c.call("PUT", "projects/" + std::to_string(id), {{"project[name]", "Renamed"}})
                     ->data()["name"]) == "Renamed");
    CHECK(!c.call("PUT", "projects/" + std::to_string(id), {{"project[active]", "0"}})
               ->data()["active"]
               .get_bool()
               .value());
    // a new project has its default role and nothing else
    CHECK(count_of(c.get("projects/" + std::to_string(id) + "/roles")->data()) == 1);
    CHECK(count_of(c.get("projects/" + std::to_string(id) + "/steps")->data()) == 0);
}

TEST_CASE("roles: list, default, create, update, delete") {
    Client c;
    CHECK(count_of(c.get("projects/1001/roles")->data()) == 3);
    auto def = c.get("projects/1001/roles/default");
    CHECK(as_str(def->data()["name"]) == "Default");
    CHECK(def->data()["is_default"].get_bool().value());
    CHECK(as_int(c.call("PUT", "project/1001/roles/default", {{"role[access_level]", "4"}})
                     ->data()["access_level"]) == 4);
    auto created = c.call("POST", "projects/1001/roles",
                          {{"role[name]", "Dev"},
                           {"role[access_level]", "3"},
                           {"role[max_step]", "40002"},
                           {"role[can_see_private_notes]", "1"}});
    REQUIRE(created->status() == 200);
    CHECK(as_int(created->data()["max_step"]) == 40002);
    const auto id = std::to_string(as_int(created->data()["id"]));
    CHECK(c.call("POST", "projects/1001/roles", {{"role[name]", "NoLevel"}})->status() == 400);
    CHECK(
        c.call("POST", "projects/1001/roles", {{"role[name]", "Bad"}, {"role[access_level]", "9"}})
            ->status() == 400);
    // a step of another project is not a max_step here
    auto other_step = as_int(c.get("projects/1002/steps")->data().at(0)["id"]);
    CHECK(c.call("POST", "projects/1001/roles",
                 {{"role[name]", "X"},
                  {"role[access_level]", "1"},
                  {"role[max_step]", std::to_string(other_step)}})
              ->status() == 400);
    CHECK(c.get("projects/1002/roles/" + id)->status() == 404);
    CHECK(c.call("DELETE", "projects/1001/roles/" + std::to_string(as_int(def->data()["id"])))
              ->status() == 400);
    CHECK(c.call("DELETE", "projects/1001/roles/" + id)->status() == 200);
    CHECK(c.get("projects/1001/roles/" + id)->status() == 404);
}

TEST_CASE("steps: ordered by pos, create appends, refuse deleting a used step") {
    Client c;
    auto steps_answer = c.get("projects/1001/steps");
    auto steps = steps_answer->data();
    REQUIRE(count_of(steps) >= 3);
    CHECK(as_str(steps.at(0)["name"]) == "Backlog");
    auto created =
        c.call("POST", "projects/1001/steps", {{"step[name]", "Shipped"}, {"step[limit]", "5"}});
    CHECK(as_int(created->data()["pos"]) == static_cast<std::int64_t>(count_of(steps)));
    CHECK(as_int(created->data()["limit"]) == 5);
    const auto id = std::to_string(as_int(created->data()["id"]));
    c.call("PUT", "projects/1001/steps/" + id, {{"step[pos]", "-1"}});
    CHECK(as_str(c.get("projects/1001/steps")->data().at(0)["name"]) == "Shipped");
    CHECK(c.call("POST", "projects/1001/steps", {{"step[limit]", "5"}})->status() == 400);
    CHECK(c.call("PUT", "projects/1001/steps/" + id, {{"step[limit]", "many"}})->status() == 400);
    // a step that holds tickets cannot go; an empty one can
    auto used = as_int(c.get("projects/1001/tickets?archived=2&count=1")->data().at(0)["step_id"]);
    CHECK(c.call("DELETE", "projects/1001/steps/" + std::to_string(used))->status() == 400);
    CHECK(c.call("DELETE", "projects/1001/steps/" + id)->status() == 200);
}

TEST_CASE("custom fields: every type, values, validation") {
    Client c;
    auto fields_answer = c.get("projects/1001/custom_fields");
    auto fields = fields_answer->data();
    REQUIRE(count_of(fields) == 6);
    std::vector<std::string> types;
    for (auto f : fields.get_array())
        types.push_back(as_str(f["type"]));
    CHECK(types ==
          std::vector<std::string>{"float", "string", "text", "choice", "choice", "choice"});
    CHECK(count_of(fields.at(3)["values"]) == 4);  // choice lists carry their values
    CHECK(as_str(fields.at(3)["options"]["choiceType"]) == "checkbox");
    CHECK(fields.at(1)["values"].error());
    const std::string checkbox = as_str(fields.at(3)["name"]);
    CHECK(as_str(c.get("projects/1001/custom_fields/" + checkbox)->data()["label"]) == "Platforms");
    CHECK(c.get("projects/1002/custom_fields/" + checkbox)->status() == 404);
    CHECK(c.get("projects/1001/custom_fields/zz")->status() == 404);

    auto created = c.call("POST", "projects/1001/custom_fields",
                          {{"field[type]", "float"},
                           {"field[label]", "New field"},
                           {"field[required]", "1"},
                           {"field[options][min]", "1"},
                           {"field[options][max]", "99"}});
    REQUIRE(created->status() == 200);
    CHECK(created->data()["options"]["max"].get_double().value() == 99);
    CHECK(c.call("POST", "projects/1001/custom_fields",
                 {{"field[type]", "date"}, {"field[label]", "x"}})
              ->status() == 400);
    CHECK(c.call("POST", "projects/1001/custom_fields", {{"field[type]", "float"}})->status() ==
          400);
    CHECK(c.call("POST", "projects/1001/custom_fields",
                 {{"field[type]", "float"},
                  {"field[label]", "x"},
                  {"field[options][min]", "5"},
                  {"field[options][max]", "1"}})
              ->status() == 400);
    auto choice = c.call("POST", "projects/1001/custom_fields",
                         {{"field[type]", "choice"},
                          {"field[label]", "Colour"},
                          {"field[options][choiceType]", "radio"},
                          {"field[options][fieldLayout][0]", "Red"},
                          {"field[options][fieldLayout][1]", "Blue"}});
    REQUIRE(choice->status() == 200);
    CHECK(count_of(choice->data()["values"]) == 2);
    const std::string name = as_str(choice->data()["name"]);
    const std::string base = "projects/1001/custom_fields/" + name + "/values";
    auto value = c.call("POST", base, {{"value[title]", "Green"}, {"value[is_default]", "1"}});
    CHECK(as_str(value->data()["title"]) == "Green");
    CHECK(as_int(value->data()["pos"]) == 2);
    const std::string vid = std::to_string(as_int(value->data()["id"]));
    CHECK(count_of(c.get(base)->data()) == 3);
    CHECK(as_str(c.call("PUT", base + "/" + vid, {{"value[title]", "Lime"}})->data()["title"]) ==
          "Lime");
    CHECK(c.call("POST", base, {{"value[pos]", "1"}})->status() == 400);
    CHECK(c.call("POST", "projects/1001/custom_fields/" + as_str(fields.at(0)["name"]) + "/values",
                 {{"value[title]", "x"}})
              ->status() == 400);
    CHECK(c.call("DELETE", base + "/" + vid)->status() == 200);
    CHECK(c.get(base + "/" + vid)->status() == 404);
    CHECK(c.call("DELETE", "projects/1001/custom_fields/" + name)->status() == 200);
    CHECK(c.get(base)->status() == 404);
}
