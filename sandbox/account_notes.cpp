// tickets/<id>/notes, and the routing to a note's files
#include "model_api.hpp"

namespace smartq::sandbox {

namespace {

// parent_id (or the guide example's top_parent_id) must name a note of the same ticket.
std::optional<Id> parse_parent(const Model& model, const Ticket& ticket, const Form& form) {
    for (const char* key : {"parent_id", "top_parent_id"}) {
        auto text = form.text(key);
        if (!text || text->empty() || *text == "0")
            continue;
        auto id = parse_integer(*text);
        const Note* parent = id ? model.notes.find(*id) : nullptr;
        if (!parent || parent->ticket_id != ticket.id)
            bad_request(std::string("note[") + key + "]: " + *text +
                        " is not a note of this ticket");
        return *id;
    }
    return std::nullopt;
}

// note[text] must be sent but may be empty: a note that only carries files has
// no text, and an account this server renders must be restorable into it.
std::string note_text(const Form& form) {
    auto text = form.text("text");
    if (!text)
        bad_request("note[text] is required");
    return *text;
}

}  // namespace

ApiResponse handle_notes(Model& model, const ApiRequest& request, Ticket& ticket,
                         const Path& rest) {
    if (rest.empty()) {
        if (request.method == "GET") {
            std::vector<Id> visible;
            for (Id id : ticket.notes) {
                const Note& note = *model.notes.find(id);
                if (!model.wire.private_notes_hidden || !note.is_private ||
                    note.owner_id == request.user_id)
                    visible.push_back(id);
            }
            return list_answer(model, visible, page_of(Query(request), 20, model.wire),
                               [&](Renderer& r, Id id) { r.note(*model.notes.find(id)); });
        }
        if (request.method == "POST") {
            const Form form(request, "note");
            Note note;
            note.ticket_id = ticket.id;
            note.text = note_text(form);
            note.parent_id = parse_parent(model, ticket, form);
            note.is_private = form.flag("private").value_or(false);
            note.owner_id = request.user_id;
            note.insert_time = note.update_time = model.clock();
            Note& created = model.notes.insert(std::move(note));
            ticket.notes.push_back(created.id);
            model.touch(ticket);
            return object_answer(model, [&](Renderer& r) { r.note(created); });
        }
        method_not_found(request);
    }
    Note* note = model.notes.find(parse_id(rest[0], "note"));
    if (!note || note->ticket_id != ticket.id)
        not_found("note", rest[0]);
    if (rest.size() == 1) {
        auto render = [&](Renderer& r) { r.note(*note); };
        if (request.method == "GET")
            return object_answer(model, render);
        if (request.method == "PUT") {
            const Form form(request, "note");
            if (form.has("text"))
                note->text = note_text(form);
            if (auto is_private = form.flag("private"))
                note->is_private = *is_private;
            note->update_time = model.clock();
            model.touch(ticket);
            return object_answer(model, render);
        }
        if (request.method == "DELETE") {
            model.delete_note(note->id);
            return ok("true");
        }
        method_not_found(request);
    }
    return handle_files(model, request, *note, Path(rest.begin() + 1, rest.end()));
}

}  // namespace smartq::sandbox
