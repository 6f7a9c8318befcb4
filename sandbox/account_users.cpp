// users, users/me
#include "model_api.hpp"

namespace smartq::sandbox {

namespace {

void require_unique_email(const Model& model, const std::string& email, Id except) {
    model.users.for_each([&](const User& other) {
        if (other.email == email && other.id != except)
            bad_request("A user with email '" + email + "' already exists");
    });
}

// Applies user[...] fields; `creating` requires name, email and password.
void apply_user_form(const Model& model, User& user, const Form& form, bool creating) {
    if (creating || form.has("name"))
        user.name = form.required_text("name");
    if (creating || form.has("email")) {
        user.email = form.required_text("email");
        require_unique_email(model, user.email, user.id);
    }
    if (creating || form.has("password"))
        user.password = form.required_text("password");
    auto set_flag = [&](const char* key, bool& target) {
        if (auto value = form.flag(key))
            target = *value;
    };
    set_flag("is_account_administrator", user.is_account_administrator);
    set_flag("can_manage_projects", user.can_manage_projects);
    set_flag("can_view_profiles", user.can_view_profiles);
    set_flag("can_manage_profiles", user.can_manage_profiles);
    auto set_text = [&](const char* key, std::string& target) {
        if (auto value = form.text(key))
            target = *value;
    };
    set_text("company", user.company);
    set_text("title", user.title);
    set_text("address", user.address);
    set_text("work_phone", user.work_phone);
    set_text("home_phone", user.home_phone);
    set_text("cell_phone", user.cell_phone);
    set_text("comments", user.comments);
}

ApiResponse user_item(Model& model, const ApiRequest& request, User& user) {
    auto render = [&](Renderer& r) { r.user(user); };
    if (request.method == "GET")
        return object_answer(model, render);
    if (request.method == "PUT") {
        apply_user_form(model, user, Form(request, "user"), false);
        ++model.generation;
        return object_answer(model, render);
    }
    if (request.method == "DELETE") {
        if (user.id == request.user_id)
            bad_request("You cannot delete your own user");
        model.delete_user(user.id);
        return ok("true");
    }
    method_not_found(request);
}

}  // namespace

ApiResponse handle_users(Model& model, const ApiRequest& request, const Path& path) {
    if (path.size() == 1) {
        if (request.method == "GET") {
            std::vector<Id> ids;
            model.users.for_each([&](const User& user) { ids.push_back(user.id); });
            return list_answer(model, ids, page_of(Query(request), 1000, model.wire),
                               [&](Renderer& r, Id id) { r.user(*model.users.find(id)); });
        }
        if (request.method == "POST") {
            User user;
            user.id = model.users.next_id();
            apply_user_form(model, user, Form(request, "user"), true);
            User& created = model.users.insert(std::move(user));
            ++model.generation;
            return object_answer(model, [&](Renderer& r) { r.user(created); });
        }
        method_not_found(request);
    }
    if (path.size() != 2)
        method_not_found(request);
    if (path[1] == "me") {
        if (request.method == "DELETE")
            method_not_found(request);
        User* me = model.users.find(request.user_id);
        if (!me)
            not_found("user", std::to_string(request.user_id));
        return user_item(model, request, *me);
    }
    User* user = model.users.find(parse_id(path[1], "user"));
    if (!user)
        not_found("user", path[1]);
    return user_item(model, request, *user);
}

}  // namespace smartq::sandbox
