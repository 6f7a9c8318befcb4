// projects/<id>/roles and roles/default
#include <algorithm>

#include "model_api.hpp"

namespace smartq::sandbox {

namespace {

void apply_role_form(const Model& model, Role& role, const Form& form, bool creating) {
    if (creating || form.has("name"))
        role.name = form.required_text("name");
    if (creating && !form.has("access_level"))
        bad_request("role[access_level] is required");
    if (auto level = form.integer("access_level")) {
        if (*level < 0 || *level > 5)
            bad_request("role[access_level] must be between 0 and 5");
        role.access_level = static_cast<int>(*level);
    }
    if (auto max_step = form.text("max_step")) {
        if (max_step->empty()) {
            role.max_step.reset();
        } else {
            auto step_id = form.integer("max_step");
            const Step* step = model.steps.find(*step_id);
            if (!step || step->project_id != role.project_id)
                bad_request("role[max_step] " + *max_step + " is not a step of this project");
            role.max_step = *step_id;
        }
    }
    auto set_flag = [&](const char* key, bool& target) {
        if (auto value = form.flag(key))
            target = *value;
    };
    set_flag("can_edit_project", role.can_edit_project);
    set_flag("can_manage_people_notes", role.can_manage_people_notes);
    set_flag("can_see_private_notes", role.can_see_private_notes);
}

}  // namespace

ApiResponse handle_roles(Model& model, const ApiRequest& request, Project& project,
                         const Path& rest) {
    if (rest.empty()) {
        if (request.method == "GET")
            return list_answer(model, project.roles, page_of(Query(request), 1000, model.wire),
                               [&](Renderer& r, Id id) { r.role(*model.roles.find(id)); });
        if (request.method == "POST") {
            Role role;
            role.project_id = project.id;
            apply_role_form(model, role, Form(request, "role"), true);
            Role& created = model.roles.insert(std::move(role));
            project.roles.push_back(created.id);
            ++model.generation;
            return object_answer(model, [&](Renderer& r) { r.role(created); });
        }
        method_not_found(request);
    }
    if (rest.size() != 1)
        method_not_found(request);
    const Id id = rest[0] == "default" ? project.default_role_id : parse_id(rest[0], "role");
    Role* role = model.roles.find(id);
    if (!role || role->project_id != project.id)
        not_found("role", rest[0]);
    auto render = [&](Renderer& r) { r.role(*role); };
    if (request.method == "GET")
        return object_answer(model, render);
    if (request.method == "PUT") {
        apply_role_form(model, *role, Form(request, "role"), false);
        ++model.generation;
        return object_answer(model, render);
    }
    if (request.method == "DELETE") {
        model.delete_role(role->id);
        return ok("true");
    }
    method_not_found(request);
}

}  // namespace smartq::sandbox
