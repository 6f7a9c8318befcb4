// projects/<id>/tickets, and the routing below a ticket
#include <algorithm>
#include <random>

#include "model_api.hpp"

namespace smartq::sandbox {

namespace {

std::optional<Time> parse_deadline(const std::string& text, const std::string& key) {
    if (text.empty())
        return std::nullopt;
    auto t = wire::parse_time(text);
    if (!t)
        bad_request("ticket[" + key + "] is not a date: '" + text + "'");
    return *t;
}

std::vector<Id> parse_user_ids(const Model& model, const std::vector<std::string>& items) {
    std::vector<Id> ids;
    for (const auto& item : items) {
        auto id = parse_integer(item);
        if (!id || !model.users.find(*id))
            bad_request("ticket[assigned_to]: no user " + item);
        if (std::find(ids.begin(), ids.end(), *id) == ids.end())
            ids.push_back(*id);
    }
    return ids;
}

// One f<N> value; an empty value clears the field.
std::optional<FieldData> parse_field_value(const Model& model, const CustomField& field,
                                           const std::vector<std::string>& items) {
    const std::string key = "ticket[" + field_name(field.id) + "]";
    if (items.empty() || (items.size() == 1 && items[0].empty()))
        return std::nullopt;
    if (field.type == FieldType::Choice) {
        std::vector<Id> ids;
        for (const auto& item : items) {
            auto id = parse_integer(item);
            const FieldValue* value = id ? model.values.find(*id) : nullptr;
            if (!value || value->field_id != field.id)
                bad_request(key + ": " + item + " is not a value of this field");
            if (std::find(ids.begin(), ids.end(), *id) == ids.end())
                ids.push_back(*id);
        }
        if (field.choice_type != ChoiceType::Checkbox && ids.size() > 1)
            bad_request(key + " takes one value");
        return ids;
    }
    if (items.size() > 1)
        bad_request(key + " takes one value");
    if (field.type == FieldType::Float) {
        auto number = parse_number(items[0]);
        if (!number)
            bad_request(key + " must be a number, not '" + items[0] + "'");
        if ((field.min && *number < *field.min) || (field.max && *number > *field.max))
            bad_request(key + " is outside the field's range");
        return *number;
    }
    return items[0];
}

void set_field(Ticket& ticket, Id field_id, std::optional<FieldData> data) {
    auto it = std::find_if(ticket.fields.begin(), ticket.fields.end(),
                           [&](const TicketField& tf) { return tf.field_id == field_id; });
    if (!data) {
        if (it != ticket.fields.end())
            ticket.fields.erase(it);
    } else if (it != ticket.fields.end()) {
        it->data = std::move(*data);
    } else {
        auto pos = std::find_if(ticket.fields.begin(), ticket.fields.end(),
                                [&](const TicketField& tf) { return tf.field_id > field_id; });
        ticket.fields.insert(pos, TicketField{field_id, std::move(*data)});
    }
}

// Validates every field before changing any, so a 400 leaves the ticket as it was.
void apply_ticket_form(Model& model, const Project& project, Ticket& ticket, const Form& form,
                       bool creating) {
    Ticket next = ticket;
    if (creating || form.has("name"))
        next.name = form.required_text("name");
    if (auto description = form.text("description"))
        next.description = *description;
    if (creating && !form.has("step_id"))
        bad_request("ticket[step_id] is required");
    if (auto step_text = form.text("step_id")) {
        auto step_id = parse_integer(*step_text);
        const Step* step = step_id ? model.steps.find(*step_id) : nullptr;
        if (!step || step->project_id != project.id)
            bad_request("ticket[step_id]: " + *step_text + " is not a step of this project");
        next.step_id = *step_id;
    }
    if (auto tags = form.text("tags"))
        next.tags = *tags;
    for (const char* key : {"required_by", "deadline_date"})
        if (auto deadline = form.text(key))
            next.deadline = parse_deadline(*deadline, key);
    if (auto assigned = form.list("assigned_to"))
        next.assigned_to = parse_user_ids(model, *assigned);
    if (auto archived = form.flag("archived"))
        next.archived = *archived;
    if (auto pos = form.integer("pos"))
        next.pos = static_cast<int>(*pos);
    for (const auto& key : form.keys()) {
        auto id = key.size() > 1 && key[0] == 'f' ? parse_integer(std::string_view(key).substr(1))
                                                  : std::nullopt;
        if (!id)
            continue;
        const CustomField* field = model.fields.find(*id);
        if (!field || field->project_id != project.id)
            bad_request("ticket[" + key + "]: no such custom field in this project");
        set_field(next, field->id, parse_field_value(model, *field, *form.list(key)));
    }
    const Time now = model.clock();
    if (creating)
        next.insert_time = next.move_time = now;
    if (creating && model.wire.bulk_insert_time && !project.tickets.empty()) {
        // An import: every ticket within the second of the project's newest.
        for (Id id : project.tickets)
            next.insert_time = std::max(next.insert_time, model.tickets.find(id)->insert_time);
        next.insert_time = std::min(next.insert_time, now);
    }
    if (!creating && next.step_id != ticket.step_id)
        next.move_time = now;
    ticket = std::move(next);
    model.touch(ticket);
}

bool same_order_value(const Ticket& a, const Ticket& b, const std::string& col) {
    if (col == "update_time")
        return a.update_time == b.update_time;
    if (col == "move_time")
        return a.move_time == b.move_time;
    if (col == "title")
        return a.name == b.name;
    if (col == "pos")
        return a.pos == b.pos;
    if (col == "deadline_date")
        return a.deadline == b.deadline;
    return a.insert_time == b.insert_time;
}

// WireOptions::tie_shuffle: tickets of equal order value in a new order on every request, as a
// database without a unique tie-breaker may return them.
std::vector<Id> shuffle_ties(Model& model, std::vector<Id> ids, const std::string& col) {
    std::mt19937_64 random(model.seed * 7919 + ++model.tie_draws);
    for (std::size_t begin = 0; begin < ids.size();) {
        std::size_t end = begin + 1;
        while (end < ids.size() && same_order_value(*model.tickets.find(ids[begin]),
                                                    *model.tickets.find(ids[end]), col))
            ++end;
        std::shuffle(ids.begin() + static_cast<std::ptrdiff_t>(begin),
                     ids.begin() + static_cast<std::ptrdiff_t>(end), random);
        begin = end;
    }
    return ids;
}

// WireOptions::foreign_tickets: the first ticket of another project, if there is one.
std::optional<Id> foreign_ticket(const Model& model, const Project& project) {
    std::optional<Id> other;
    model.tickets.for_each([&](const Ticket& ticket) {
        if (!other && ticket.project_id != project.id)
            other = ticket.id;
    });
    return other;
}

TicketView list_view(const Query& query) {
    TicketView view;
    view.custom_fields = query.flag("custom_fields", false);
    view.assigned_to = query.flag("assigned_to", false);
    view.notes = query.flag("get_info_by_note", false);
    view.cover = query.flag("get_cover", true);
    if (auto fields = query.text("fields")) {
        std::string_view rest = *fields;
        while (!rest.empty()) {
            const auto comma = rest.find(',');
            std::string_view name = rest.substr(0, comma);
            while (!name.empty() && name.front() == ' ')
                name.remove_prefix(1);
            while (!name.empty() && name.back() == ' ')
                name.remove_suffix(1);
            if (!name.empty())
                view.only.emplace_back(name);
            rest = comma == std::string_view::npos ? "" : rest.substr(comma + 1);
        }
    }
    return view;
}

ApiResponse list_tickets(Model& model, const ApiRequest& request, const Project& project) {
    const Query query(request);
    const std::string order_col = query.text("orderCol").value_or("insert_time");
    static const std::vector<std::string> columns{"insert_time", "update_time", "move_time",
                                                  "title",       "pos",         "deadline_date"};
    if (std::find(columns.begin(), columns.end(), order_col) == columns.end())
        bad_request(
            "Parameter 'orderCol' must be one of insert_time, update_time, move_time, "
            "title, pos, deadline_date");
    const bool reverse = query.flag("reverse", true);
    const std::int64_t archived = query.integer("archived", 0);
    if (archived < 0 || archived > 2)
        bad_request("Parameter 'archived' must be 0, 1 or 2");
    const std::int64_t assignee = query.integer("assignedToId", 0);
    const std::int64_t step_filter = query.integer("stepIdFilter", 0);
    const auto name_filter = query.text("nameFilter");
    std::optional<Time> required_by;
    if (auto text = query.text("requiredByFilter")) {
        required_by = wire::parse_time(*text);
        if (!required_by)
            bad_request("Parameter 'requiredByFilter' is not a date: '" + *text + "'");
    }
    const Page page = page_of(query, 20, model.wire);
    const TicketView view = list_view(query);

    auto matches = [&](const Ticket& t) {
        if (archived == 0 && t.archived)
            return false;
        if (archived == 1 && !t.archived)
            return false;
        if (assignee &&
            std::find(t.assigned_to.begin(), t.assigned_to.end(), assignee) == t.assigned_to.end())
            return false;
        if (step_filter && t.step_id != step_filter)
            return false;
        if (name_filter && !contains_ignoring_case(t.name, *name_filter))
            return false;
        if (required_by && (!t.deadline || *t.deadline >= *required_by))
            return false;
        return true;
    };
    // Walk the cached order and keep only the page: no per-request sort or copy.
    std::vector<Id> shuffled;
    if (model.wire.tie_shuffle)
        shuffled = shuffle_ties(model, model.sorted_tickets(project, order_col), order_col);
    const std::vector<Id>& sorted =
        model.wire.tie_shuffle ? shuffled : model.sorted_tickets(project, order_col);
    const std::size_t offset = model.wire.ignore_offset ? 0 : page.offset;
    std::vector<Id> rows;
    std::size_t skipped = 0;
    for (std::size_t i = 0; i < sorted.size() && rows.size() < page.count; ++i) {
        const Id id = reverse ? sorted[sorted.size() - 1 - i] : sorted[i];
        if (!matches(*model.tickets.find(id)))
            continue;
        if (skipped < offset)
            ++skipped;
        else
            rows.push_back(id);
    }
    if (model.wire.foreign_tickets && page.offset == 0)
        if (auto other = foreign_ticket(model, project))
            rows.push_back(*other);
    return list_answer(model, rows, Page{0, rows.size()},
                       [&](Renderer& r, Id id) { r.ticket(*model.tickets.find(id), view); });
}

}  // namespace

ApiResponse handle_tickets(Model& model, const ApiRequest& request, Project& project,
                           const Path& rest) {
    if (rest.empty()) {
        if (request.method == "GET")
            return list_tickets(model, request, project);
        if (request.method == "POST") {
            Ticket ticket;
            ticket.project_id = project.id;
            ticket.owner_id = request.user_id;
            ticket.pos = static_cast<int>(project.tickets.size());
            apply_ticket_form(model, project, ticket, Form(request, "ticket"), true);
            Ticket& created = model.tickets.insert(std::move(ticket));
            project.tickets.push_back(created.id);
            return object_answer(model, [&](Renderer& r) { r.ticket(created, TicketView{}); });
        }
        method_not_found(request);
    }
    Ticket* ticket = model.tickets.find(parse_id(rest[0], "ticket"));
    if (!ticket || ticket->project_id != project.id)
        not_found("ticket", rest[0]);
    if (rest.size() == 1) {
        auto render = [&](Renderer& r) { r.ticket(*ticket, TicketView{}); };
        if (request.method == "GET")
            return object_answer(model, render);
        if (request.method == "PUT") {
            apply_ticket_form(model, project, *ticket, Form(request, "ticket"), false);
            return object_answer(model, render);
        }
        if (request.method == "DELETE") {
            model.delete_ticket(ticket->id);
            return ok("true");
        }
        method_not_found(request);
    }
    // A fault of what the ticket's children read as, not of the account: the admin's mutations
    // and a restore still write them.
    if (model.wire.children_404 == ticket->id && request.method == "GET")
        not_found(rest[1] == "tasks" ? "task list of ticket" : "note list of ticket", rest[0]);
    const Path below(rest.begin() + 2, rest.end());
    if (rest[1] == "notes")
        return handle_notes(model, request, *ticket, below);
    if (rest[1] == "tasks")
        return handle_tasks(model, request, *ticket, below);
    method_not_found(request);
}

}  // namespace smartq::sandbox
