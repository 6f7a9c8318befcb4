#include "model_render.hpp"

#include <algorithm>
#include <string>

namespace smartq::sandbox {

std::string_view type_name(FieldType type) {
    switch (type) {
        case FieldType::Float:
            return "float";
        case FieldType::String:
            return "string";
        case FieldType::Text:
            return "text";
        case FieldType::Choice:
            return "choice";
    }
    return "string";
}

std::string_view choice_type_name(ChoiceType type) {
    switch (type) {
        case ChoiceType::Checkbox:
            return "checkbox";
        case ChoiceType::Radio:
            return "radio";
        case ChoiceType::Select:
            return "select";
        case ChoiceType::None:
            break;
    }
    return "";
}

void Renderer::id_value(Id id) {
    if (wire_.string_ids)
        w_.value(std::to_string(id));
    else
        w_.value(id);
}

void Renderer::id(std::string_view key, Id id) {
    w_.key(key);
    id_value(id);
}

void Renderer::optional_id(std::string_view key, std::optional<Id> id) {
    if (id)
        this->id(key, *id);
    else
        w_.key(key).null();
}

void Renderer::flag(std::string_view key, bool value) {
    w_.key(key);
    if (wire_.int_bools)
        w_.value(value ? 1 : 0);
    else
        w_.value(value);
}

void Renderer::time(std::string_view key, Time t) {
    w_.key(key).value(wire::format_time(t));
}

void Renderer::user(const User& u) {
    w_.begin_object();
    id("id", u.id);
    w_.key("email").value(u.email);
    flag("is_account_administrator", u.is_account_administrator);
    flag("can_manage_projects", u.can_manage_projects);
    flag("can_view_profiles", u.can_view_profiles);
    flag("can_manage_profiles", u.can_manage_profiles);
    w_.key("name").value(u.name);
    w_.key("company").value(u.company);
    w_.key("title").value(u.title);
    w_.key("address").value(u.address);
    w_.key("work_phone").value(u.work_phone);
    w_.key("home_phone").value(u.home_phone);
    w_.key("cell_phone").value(u.cell_phone);
    w_.key("comments").value(u.comments);
    w_.key("avatar_url").value("https://sandbox.smartqweb.com/img/big_avatar.gif");
    w_.end_object();
}

void Renderer::project(const Project& p) {
    w_.begin_object();
    id("id", p.id);
    w_.key("name").value(p.name);
    w_.key("description").value(p.description);
    id("owner_id", p.owner_id);
    flag("active", p.active);
    w_.end_object();
}

void Renderer::role(const Role& r) {
    const Project* project = model_.projects.find(r.project_id);
    w_.begin_object();
    id("id", r.id);
    id("project_id", r.project_id);
    w_.key("name").value(r.name);
    w_.key("access_level").value(r.access_level);
    optional_id("max_step", r.max_step);
    flag("can_edit_project", r.can_edit_project);
    flag("can_manage_people_notes", r.can_manage_people_notes);
    flag("can_see_private_notes", r.can_see_private_notes);
    flag("is_default", project && project->default_role_id == r.id);
    w_.end_object();
}

void Renderer::step(const Step& s) {
    w_.begin_object();
    id("id", s.id);
    id("project_id", s.project_id);
    w_.key("name").value(s.name);
    w_.key("description").value(s.description);
    w_.key("limit").value(s.limit);
    w_.key("pos").value(s.pos);
    w_.end_object();
}

void Renderer::field(const CustomField& f) {
    w_.begin_object();
    w_.key("name").value(field_name(f.id));
    id("project_id", f.project_id);
    w_.key("type").value(type_name(f.type));
    w_.key("label").value(f.label);
    w_.key("hint").value(f.hint);
    flag("required", f.required);
    w_.key("pos_type").value(f.pos_type);
    w_.key("options");
    if (f.type == FieldType::Choice) {
        w_.begin_object().key("choiceType").value(choice_type_name(f.choice_type)).end_object();
    } else if (f.type == FieldType::Float) {
        w_.begin_object().key("min");
        f.min ? w_.value(*f.min) : w_.null();
        w_.key("max");
        f.max ? w_.value(*f.max) : w_.null();
        w_.end_object();
    } else {
        empty_object();
    }
    if (f.type == FieldType::Choice) {
        w_.key("values").begin_array();
        for (Id v : f.values)
            value(*model_.values.find(v));
        w_.end_array();
    }
    w_.end_object();
}

void Renderer::value(const FieldValue& v) {
    const CustomField* field = model_.fields.find(v.field_id);
    w_.begin_object();
    id("id", v.id);
    w_.key("field_name").value(field_name(v.field_id));
    if (field)
        id("project_id", field->project_id);
    w_.key("title").value(v.title);
    flag("is_default", v.is_default);
    w_.key("pos").value(v.pos);
    w_.end_object();
}

void Renderer::empty_object() {
    if (wire_.empty_arrays)
        w_.begin_array().end_array();
    else
        w_.begin_object().end_object();
}

void Renderer::optional_time(std::string_view key, const std::optional<Time>& t) {
    w_.key(key);
    if (t)
        w_.value(wire::format_time(*t));
    else if (wire_.zero_dates)
        w_.value("0000-00-00 00:00:00");
    else
        w_.null();
}

void Renderer::ticket_fields(const Ticket& t, const std::function<bool(std::string_view)>& want) {
    if (!wire_.nested_custom_fields) {
        for (const auto& tf : t.fields)
            if (want(field_name(tf.field_id)))
                ticket_field(tf);
        return;
    }
    w_.key("custom_fields");
    if (t.fields.empty()) {
        empty_object();
        return;
    }
    w_.begin_object();
    for (const auto& tf : t.fields)
        if (want(field_name(tf.field_id)))
            ticket_field(tf);
    w_.end_object();
}

void Renderer::ticket_field(const TicketField& tf) {
    const CustomField* field = model_.fields.find(tf.field_id);
    w_.key(field_name(tf.field_id));
    if (const auto* number = std::get_if<double>(&tf.data)) {
        w_.value(*number);
    } else if (const auto* text = std::get_if<std::string>(&tf.data)) {
        w_.value(*text);
    } else {
        const auto& ids = std::get<std::vector<Id>>(tf.data);
        if (field && field->choice_type == ChoiceType::Checkbox) {
            w_.begin_array();
            for (Id v : ids)
                id_value(v);
            w_.end_array();
        } else if (ids.empty()) {
            w_.null();
        } else {
            id_value(ids.front());
        }
    }
}

void Renderer::ticket(const Ticket& t, const TicketView& view) {
    auto want = [&](std::string_view key) {
        return view.only.empty() ||
               std::find(view.only.begin(), view.only.end(), key) != view.only.end();
    };
    w_.begin_object();
    id("id", t.id);  // kept under a projection too: keyed lists and clients need it
    if (want("project_id"))
        id("project_id", t.project_id);
    if (want("name"))
        w_.key("name").value(t.name);
    if (want("description"))
        w_.key("description").value(t.description);
    if (want("step_id"))
        id("step_id", t.step_id);
    if (want("tags"))
        w_.key("tags").value(t.tags);
    if (want("deadline_date"))
        optional_time("deadline_date", t.deadline);
    if (want("archived"))
        flag("archived", t.archived);
    if (want("pos"))
        w_.key("pos").value(t.pos);
    if (want("owner_id"))
        id("owner_id", t.owner_id);
    if (want("insert_time"))
        time("insert_time", t.insert_time);
    if (want("update_time"))
        time("update_time", t.update_time);
    if (want("move_time"))
        time("move_time", t.move_time);
    if (view.assigned_to && want("assigned_to")) {
        w_.key("assigned_to").begin_array();
        for (Id u : t.assigned_to)
            id_value(u);
        w_.end_array();
    }
    if (view.custom_fields)
        ticket_fields(t, want);
    if (view.notes && want("notes")) {
        w_.key("notes").begin_array();
        for (Id n : t.notes)
            note(*model_.notes.find(n));
        w_.end_array();
    }
    if (view.cover && want("cover")) {
        // The cover is the ticket's first image attachment, as the web UI shows it.
        const File* cover = nullptr;
        for (Id n : t.notes) {
            for (Id f : model_.notes.find(n)->files) {
                const File* file = model_.files.find(f);
                if (!cover && file->content_type.starts_with("image/"))
                    cover = file;
            }
        }
        w_.key("cover");
        cover ? file(*cover) : void(w_.null());
    }
    w_.end_object();
}

void Renderer::note(const Note& n) {
    w_.begin_object();
    id("id", n.id);
    id("ticket_id", n.ticket_id);
    if (n.parent_id)
        id("parent_id", *n.parent_id);
    else if (wire_.root_parent == "0")
        w_.key("parent_id").value("0");
    else if (wire_.root_parent != "absent")
        w_.key("parent_id").null();
    w_.key("text").value(n.text);
    flag("private", n.is_private);
    id("owner_id", n.owner_id);
    time("insert_time", n.insert_time);
    time("update_time", n.update_time);
    w_.end_object();
}

void Renderer::task(const Task& t) {
    w_.begin_object();
    id("id", t.id);
    id("ticket_id", t.ticket_id);
    w_.key("text").value(t.text);
    flag("done", t.done);
    w_.end_object();
}

void Renderer::file(const File& f, bool with_digest) {
    w_.begin_object();
    id("id", f.id);
    id("note_id", f.note_id);
    id("ticket_id", f.ticket_id);
    w_.key("name").value(f.name);
    w_.key("size").value(static_cast<std::int64_t>(f.size) + wire_.size_skew);
    w_.key("content_type").value(f.content_type);
    id("owner_id", f.owner_id);
    time("insert_time", f.insert_time);
    if (with_digest) {
        w_.key("body").begin_object();
        w_.key("sha256").value(model_.body_sha256(f));
        w_.key("size").value(static_cast<std::int64_t>(f.size));
        w_.end_object();
    }
    w_.end_object();
}

}  // namespace smartq::sandbox
