// tickets/<id>/tasks
#include "model_api.hpp"

namespace smartq::sandbox {

ApiResponse handle_tasks(Model& model, const ApiRequest& request, Ticket& ticket,
                         const Path& rest) {
    if (rest.empty()) {
        if (request.method == "GET")
            return list_answer(model, ticket.tasks, page_of(Query(request), 20, model.wire),
                               [&](Renderer& r, Id id) { r.task(*model.tasks.find(id)); });
        if (request.method == "POST") {
            // The guide shows both `task=TEXT` and `task[text]=TEXT`.
            const Form form(request, "task");
            Task task;
            task.ticket_id = ticket.id;
            task.text = form.has("text") ? form.required_text("text") : form.required_text("");
            task.done = form.flag("done").value_or(false);
            Task& created = model.tasks.insert(std::move(task));
            ticket.tasks.push_back(created.id);
            model.touch(ticket);
            return object_answer(model, [&](Renderer& r) { r.task(created); });
        }
        method_not_found(request);
    }
    if (rest.size() != 1)
        method_not_found(request);
    Task* task = model.tasks.find(parse_id(rest[0], "task"));
    if (!task || task->ticket_id != ticket.id)
        not_found("task", rest[0]);
    auto render = [&](Renderer& r) { r.task(*task); };
    if (request.method == "GET")
        return object_answer(model, render);
    if (request.method == "PUT") {
        const Form form(request, "task");
        if (form.has("text"))
            task->text = form.required_text("text");
        if (auto done = form.flag("done"))
            task->done = *done;
        model.touch(ticket);
        return object_answer(model, render);
    }
    if (request.method == "DELETE") {
        model.delete_task(task->id);
        return ok("true");
    }
    method_not_found(request);
}

}  // namespace smartq::sandbox
