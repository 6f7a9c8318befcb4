#include "sync/verify/project_loader.hpp"

#include <fmt/format.h>

#include <functional>

#include "store/tree_rows.hpp"
#include "sync/resources.hpp"
#include "sync/verify/annotation.hpp"
#include "sync/verify/canonical.hpp"
#include "sync/verify/stored_rows.hpp"

namespace smartq::sync::verify {
using store::as_text;
using store::Replica;
using store::RowQuery;
using store::TreeRow;
using store::Value;

namespace {

// Writes the identities of the referenced objects into the fields.
void resolve(Extracted& object, const std::function<std::string(Kind, std::int64_t)>& identity) {
    for (const auto& reference : object.references) {
        std::vector<std::string> identities;
        for (auto id : reference.ids)
            identities.push_back(identity(reference.target, id));
        auto value = reference.list ? sorted_joined(std::move(identities))
                                    : (identities.empty() ? std::string() : identities.front());
        if (!value.empty())
            object.fields[reference.field] = value;
    }
}

struct FieldInfo {
    std::string label;
    bool choice = false;
    std::unordered_map<std::int64_t, std::string> value_titles;
};

}  // namespace

AccountIndex index_account(Replica& replica) {
    const auto& users = resource(Kind::Users).table;
    AccountIndex index;
    for (auto& row : select_rows(replica, users, {.deleted = RowQuery::Deleted::Included}))
        index.user_emails[integer(row.key[0])] = as_text(typed_value(users, row.columns, "email"));
    return index;
}

class ProjectLoader::Impl {
  public:
    Impl(Replica& replica, const AccountIndex& account, bool annotated_notes)
        : replica_(replica), account_(account), annotated_notes_(annotated_notes) {}

    // `only_tickets` empty: all live tickets of the project.
    ProjectObjects load(std::int64_t project, const std::set<std::int64_t>& only_tickets,
                        bool with_setup) {
        project_ = project;
        ProjectObjects out;
        load_steps(with_setup ? &out.steps : nullptr);
        load_fields(with_setup ? &out.fields : nullptr, with_setup ? &out.values : nullptr);
        if (with_setup)
            load_roles(out.roles);
        load_tickets(out, only_tickets);
        load_below_tickets(out);
        return out;
    }

  private:
    // The project's rows of `kind`; `deleted`: tombstoned ones too, each with its `live` flag.
    std::vector<TreeRow> project_rows(Kind kind, RowQuery::Deleted deleted,
                                      RowQuery::Order order = RowQuery::Order::Id) const {
        RowQuery query{.equal = {{"project_id", project_}}, .deleted = deleted, .order = order};
        return select_rows(replica_, resource(kind).table, query);
    }
    std::vector<TreeRow> children_of_live_tickets(Kind kind) const {
        return rows_under_live_tickets(replica_, resource(kind).table, project_);
    }
    // The live rows of `kind` under the tickets loaded, each with its ticket's index.
    std::vector<std::pair<std::size_t, TreeRow>> live_children_of_loaded_tickets(Kind kind) const {
        std::vector<std::pair<std::size_t, TreeRow>> out;
        for (auto& row : children_of_live_tickets(kind)) {
            auto ticket = ticket_index_.find(integer(column(kind, row, "ticket_id")));
            if (row.live && ticket != ticket_index_.end())
                out.emplace_back(ticket->second, std::move(row));
        }
        return out;
    }
    static const Value& column(Kind kind, const TreeRow& row, std::string_view name) {
        return typed_value(resource(kind).table, row.columns, name);
    }

    static void strip_annotation(Fields& fields) {
        auto text = fields.find("text");
        if (text == fields.end())
            return;
        auto bare = canonical_text(strip_author_annotation(text->second));
        if (bare.empty())
            fields.erase(text);
        else
            text->second = std::move(bare);
    }

    Extracted extract_row(Kind kind, const TreeRow& row) {
        return extract(resource(kind), row.data, parser_);
    }

    std::string identity(Kind kind, std::int64_t id) {
        switch (kind) {
            case Kind::Users:
                if (auto found = account_.user_emails.find(id); found != account_.user_emails.end())
                    return found->second;
                return "(unknown user)";
            case Kind::Steps:
                if (auto found = step_names_.find(id); found != step_names_.end())
                    return found->second;
                return "(unknown step)";
            case Kind::Notes:
                return note_identity(id);
            default:
                return fmt::format("(a {} reference)", resource(kind).name);
        }
    }

    void load_steps(std::vector<Object>* objects) {
        step_names_.clear();
        for (auto& row : project_rows(Kind::Steps, RowQuery::Deleted::Included)) {
            auto step = extract_row(Kind::Steps, row);
            step_names_[integer(row.key[0])] = step.fields["name"];
            if (objects && row.live)
                objects->push_back({{}, {}, named("step", step.fields, "name"), step.fields});
        }
    }

    void load_fields(std::vector<Object>* fields, std::vector<Object>* values) {
        fields_.clear();
        for (auto& row : project_rows(Kind::CustomFields, RowQuery::Deleted::Included,
                                      RowQuery::Order::Stored)) {
            auto field = extract_row(Kind::CustomFields, row);
            fields_[as_text(row.key[1])] = {
                field.fields["label"],
                as_text(column(Kind::CustomFields, row, "type")) == "choice",
                {}};
            if (fields && row.live)
                fields->push_back(
                    {{}, {}, named("custom field", field.fields, "label"), field.fields});
        }
        for (auto& row : project_rows(Kind::CustomFieldValues, RowQuery::Deleted::Included)) {
            auto value = extract_row(Kind::CustomFieldValues, row);
            auto field = fields_.find(as_text(column(Kind::CustomFieldValues, row, "field_name")));
            if (field == fields_.end())
                continue;
            field->second.value_titles[integer(row.key[0])] = value.fields["title"];
            if (values && row.live) {
                values->push_back({field->second.label,
                                   "custom field " + shown(field->second.label),
                                   named("value", value.fields, "title"), value.fields});
            }
        }
    }

    void load_roles(std::vector<Object>& roles) {
        for (auto& row : project_rows(Kind::Roles, RowQuery::Deleted::Excluded)) {
            auto role = extract_row(Kind::Roles, row);
            resolve(role, [this](Kind kind, std::int64_t id) { return identity(kind, id); });
            roles.push_back({{}, {}, named("role", role.fields, "name"), role.fields});
        }
    }

    // A custom field value keyed by the field's label: names like f3 differ between accounts.
    void add_custom_values(Extracted& ticket) {
        for (const auto& value : ticket.custom_values) {
            auto field = fields_.find(value.field_name);
            if (field == fields_.end()) {
                if (!value.text.empty())
                    ticket.fields["custom field (unknown)"] = value.text;
                continue;
            }
            std::string content = value.text;
            if (field->second.choice) {
                std::vector<std::string> titles;
                for (auto id : value.ids) {
                    auto title = field->second.value_titles.find(id);
                    titles.push_back(title == field->second.value_titles.end() ? "(unknown value)"
                                                                               : title->second);
                }
                content = sorted_joined(std::move(titles));
            }
            if (!content.empty())
                ticket.fields["custom field " + shown(field->second.label)] = content;
        }
    }

    void load_tickets(ProjectObjects& out, const std::set<std::int64_t>& only) {
        ticket_index_.clear();
        RowQuery query{.equal = {{"project_id", project_}}};
        if (!only.empty())
            query.ids = std::vector<std::int64_t>(only.begin(), only.end());
        for (auto& row : select_rows(replica_, resource(Kind::Tickets).table, query)) {
            auto ticket = extract_row(Kind::Tickets, row);
            resolve(ticket, [this](Kind kind, std::int64_t id) { return identity(kind, id); });
            add_custom_values(ticket);
            ticket_index_[integer(row.key[0])] = out.tickets.size();
            out.tickets.push_back({{}, {}, named("ticket", ticket.fields, "name"), ticket.fields});
        }
    }

    // What the table puts below tickets, parents before children: each live object under a
    // loaded ticket, its references and the object it hangs from (a file's note) rewritten
    // to identities.
    void load_below_tickets(ProjectObjects& out) {
        notes_.clear();
        for (const auto* r : descendants(Kind::Tickets)) {
            auto& objects = out.below[r->kind];
            if (r->restore.hook == RestoreHook::NoteThreads) {
                load_notes(*r, objects);
                continue;
            }
            for (auto& [ticket, row] : live_children_of_loaded_tickets(r->kind)) {
                auto object = extract_row(r->kind, row);
                resolve(object, [this](Kind kind, std::int64_t id) { return identity(kind, id); });
                if (r->restore.hook == RestoreHook::FileBodies)
                    add_body(object.fields, r->kind, row);
                if (*r->parent != Kind::Tickets) {
                    const auto& parent = resource(*r->parent);
                    for (const auto& [name, value] : parent_columns(*r, {}))
                        object.fields[std::string(parent.envelope)] =
                            identity(parent.kind, integer(column(r->kind, row, name)));
                }
                objects.push_back({ticket, labelled(*r, object.fields)});
            }
        }
    }

    // `note "Looks good"`: the singular and the first member of the natural key.
    static Object labelled(const Resource& r, const Fields& fields) {
        return {{}, {}, named(r.envelope, fields, r.restore.natural_key.front().name), fields};
    }

    // RestoreHook::FileBodies: a file is its name and body.
    static void add_body(Fields& fields, Kind kind, const TreeRow& row) {
        if (auto sha = as_text(column(kind, row, "sha256")); !sha.empty())
            fields["sha256"] = sha;
        if (const auto& size = column(kind, row, "size");
            !std::holds_alternative<std::monostate>(size))
            fields["size"] = as_text(size);
    }

    // RestoreHook::NoteThreads: notes are read first, their parents resolved afterwards: a
    // parent's identity is its own content, including its parent's.
    void load_notes(const Resource& r, std::vector<ProjectObjects::Child>& objects) {
        std::vector<std::pair<std::int64_t, std::int64_t>> live;  // note, ticket
        for (auto& row : children_of_live_tickets(r.kind)) {
            auto id = integer(row.key[0]);
            auto ticket = integer(column(r.kind, row, "ticket_id"));
            auto note = extract_row(r.kind, row);
            if (annotated_notes_)
                strip_annotation(note.fields);
            notes_[id] = {std::move(note), {}, Resolution::Pending};
            if (row.live && ticket_index_.contains(ticket))
                live.emplace_back(id, ticket);
        }
        for (auto [note, ticket] : live)
            objects.push_back({ticket_index_.at(ticket), labelled(r, note_fields(note))});
    }

    enum class Resolution { Pending, Resolving, Done };
    struct NoteState {
        Extracted extracted;
        std::string identity;
        Resolution resolution = Resolution::Pending;
    };

    const Fields& note_fields(std::int64_t id) {
        auto& note = notes_.at(id);
        if (note.resolution == Resolution::Pending) {
            note.resolution = Resolution::Resolving;  // a parent cycle resolves to "(unknown note)"
            resolve(note.extracted,
                    [this](Kind kind, std::int64_t parent) { return identity(kind, parent); });
            note.identity = identity_text(note.extracted.fields);
            note.resolution = Resolution::Done;
        }
        return note.extracted.fields;
    }

    std::string note_identity(std::int64_t id) {
        auto found = notes_.find(id);
        if (found == notes_.end() || found->second.resolution == Resolution::Resolving)
            return "(unknown note)";
        note_fields(id);
        return found->second.identity;
    }

    Replica& replica_;
    const AccountIndex& account_;
    bool annotated_notes_;
    simdjson::dom::parser parser_;
    std::int64_t project_ = 0;
    std::unordered_map<std::int64_t, std::string> step_names_;
    std::unordered_map<std::string, FieldInfo> fields_;
    std::unordered_map<std::int64_t, std::size_t> ticket_index_;
    std::unordered_map<std::int64_t, NoteState> notes_;
};

ProjectLoader::ProjectLoader(Replica& replica, const AccountIndex& account, bool annotated_notes)
    : impl_(std::make_unique<Impl>(replica, account, annotated_notes)) {}

ProjectLoader::~ProjectLoader() = default;

ProjectObjects ProjectLoader::load(std::int64_t project, const std::set<std::int64_t>& only_tickets,
                                   bool with_setup) {
    return impl_->load(project, only_tickets, with_setup);
}

}  // namespace smartq::sync::verify
