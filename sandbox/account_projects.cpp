// projects, and the routing of everything below a project
#include <algorithm>

#include "model_api.hpp"

namespace smartq::sandbox {

namespace {

void apply_project_form(Project& project, const Form& form, bool creating) {
    if (creating || form.has("name"))
        project.name = form.required_text("name");
    if (auto description = form.text("description"))
        project.description = *description;
    if (auto active = form.flag("active"))
        project.active = *active;
}

ApiResponse list_projects(Model& model, const ApiRequest& request) {
    const Query query(request);
    const bool only_active = query.flag("activeFilter", false);
    const auto name_filter = query.text("nameFilter");
    std::vector<Id> ids;
    model.projects.for_each([&](const Project& p) {
        if (only_active && !p.active)
            return;
        if (name_filter && !contains_ignoring_case(p.name, *name_filter))
            return;
        ids.push_back(p.id);
    });
    return list_answer(model, ids, page_of(query, 20, model.wire),
                       [&](Renderer& r, Id id) { r.project(*model.projects.find(id)); });
}

// A server with WireOptions::default_steps gives each new project a board to start from.
void add_default_steps(Model& model, Project& project) {
    int pos = 0;
    for (const char* name : {"To Do", "In Progress", "Done"}) {
        Step step;
        step.project_id = project.id;
        step.name = name;
        step.pos = pos++;
        project.steps.push_back(model.steps.insert(std::move(step)).id);
    }
}

// A server with WireOptions::required_fields refuses, before it exists, a
// ticket that lacks a value for a required custom field.
void require_field_values(const Model& model, const Project& project, const ApiRequest& request) {
    const Form form(request, "ticket");
    for (Id id : project.fields) {
        const CustomField& field = *model.fields.find(id);
        if (!field.required)
            continue;
        auto values = form.list(field_name(id));
        bool given = values && std::any_of(values->begin(), values->end(),
                                           [](const std::string& v) { return !v.empty(); });
        if (!given)
            bad_request("ticket[" + field_name(id) + "]: the custom field '" + field.label +
                        "' is required");
    }
}

ApiResponse create_project(Model& model, const ApiRequest& request) {
    Project project;
    apply_project_form(project, Form(request, "project"), true);
    project.owner_id = request.user_id;
    Project& created = model.projects.insert(std::move(project));
    // Every project has a default role (GET roles/default); nothing else is implied.
    Role role;
    role.project_id = created.id;
    role.name = "Default";
    role.access_level = 1;
    created.default_role_id = model.roles.insert(std::move(role)).id;
    created.roles.push_back(created.default_role_id);
    if (model.wire.default_steps)
        add_default_steps(model, created);
    ++model.generation;
    return object_answer(model, [&](Renderer& r) { r.project(created); });
}

}  // namespace

ApiResponse handle_projects(Model& model, const ApiRequest& request, const Path& path) {
    if (path.size() == 1) {
        if (request.method == "GET")
            return list_projects(model, request);
        if (request.method == "POST")
            return create_project(model, request);
        method_not_found(request);
    }
    Project* project = model.projects.find(parse_id(path[1], "project"));
    if (!project)
        not_found("project", path[1]);
    if (path.size() == 2) {
        auto render = [&](Renderer& r) { r.project(*project); };
        if (request.method == "GET")
            return object_answer(model, render);
        if (request.method == "PUT") {
            apply_project_form(*project, Form(request, "project"), false);
            ++model.generation;
            return object_answer(model, render);
        }
        if (request.method == "DELETE") {
            model.delete_project(project->id);
            return ok("true");
        }
        method_not_found(request);
    }
    const Path rest(path.begin() + 3, path.end());
    if (path[2] == "roles")
        return handle_roles(model, request, *project, rest);
    if (path[2] == "steps")
        return handle_steps(model, request, *project, rest);
    if (path[2] == "custom_fields")
        return handle_fields(model, request, *project, rest);
    if (path[2] == "tickets") {
        if (model.wire.required_fields && rest.empty() && request.method == "POST")
            require_field_values(model, *project, request);
        return handle_tickets(model, request, *project, rest);
    }
    method_not_found(request);
}

}  // namespace smartq::sandbox
