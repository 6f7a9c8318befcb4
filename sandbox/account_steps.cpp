// projects/<id>/steps
#include <algorithm>

#include "model_api.hpp"

namespace smartq::sandbox {

namespace {

void apply_step_form(Step& step, const Form& form, bool creating) {
    if (creating || form.has("name"))
        step.name = form.required_text("name");
    if (auto description = form.text("description"))
        step.description = *description;
    if (auto limit = form.integer("limit"))
        step.limit = static_cast<int>(*limit);
    if (auto pos = form.integer("pos"))
        step.pos = static_cast<int>(*pos);
}

// Steps are listed by position, as the board shows them.
std::vector<Id> steps_in_order(const Model& model, const Project& project) {
    std::vector<Id> ids = project.steps;
    std::stable_sort(ids.begin(), ids.end(), [&](Id a, Id b) {
        return model.steps.find(a)->pos < model.steps.find(b)->pos;
    });
    return ids;
}

}  // namespace

ApiResponse handle_steps(Model& model, const ApiRequest& request, Project& project,
                         const Path& rest) {
    if (rest.empty()) {
        if (request.method == "GET")
            return list_answer(model, steps_in_order(model, project),
                               page_of(Query(request), 1000, model.wire),
                               [&](Renderer& r, Id id) { r.step(*model.steps.find(id)); });
        if (request.method == "POST") {
            Step step;
            step.project_id = project.id;
            for (Id s : project.steps)
                step.pos = std::max(step.pos, model.steps.find(s)->pos + 1);
            apply_step_form(step, Form(request, "step"), true);
            Step& created = model.steps.insert(std::move(step));
            project.steps.push_back(created.id);
            ++model.generation;
            return object_answer(model, [&](Renderer& r) { r.step(created); });
        }
        method_not_found(request);
    }
    if (rest.size() != 1)
        method_not_found(request);
    Step* step = model.steps.find(parse_id(rest[0], "step"));
    if (!step || step->project_id != project.id)
        not_found("step", rest[0]);
    auto render = [&](Renderer& r) { r.step(*step); };
    if (request.method == "GET")
        return object_answer(model, render);
    if (request.method == "PUT") {
        apply_step_form(*step, Form(request, "step"), false);
        ++model.generation;
        return object_answer(model, render);
    }
    if (request.method == "DELETE") {
        model.delete_step(step->id);
        return ok("true");
    }
    method_not_found(request);
}

}  // namespace smartq::sandbox
