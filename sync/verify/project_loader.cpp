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

}  // namespace

std::vector<const Resource*> setup_resources() {
    auto out = descendants(Kind::Projects);
    std::erase_if(out, [](const Resource* r) {
        return r->kind == Kind::Tickets || below(r->kind, Kind::Tickets);
    });
    return out;
}

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
        load_setup(with_setup ? &out.setup : nullptr);
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
        if (kind == Kind::Notes)
            return note_identity(id);
        if (kind == Kind::Users) {
            auto found = account_.user_emails.find(id);
            return found != account_.user_emails.end() ? found->second : "(unknown user)";
        }
        auto& known = identities_[kind];
        auto found = known.find(std::to_string(id));
        if (found != known.end())
            return found->second;
        return fmt::format("(unknown {})", noun(resource(kind)));
    }

    // The project's setup (setup_resources), every row read, deleted ones too: a reference may
    // name one. An object is known by the first member of its natural key, one below another
    // setup object (a field's value) is grouped under its parent's. The live ones are kept,
    // their references resolved once all are read: a role names a step, listed after it.
    void load_setup(std::map<Kind, std::vector<Object>>* out) {
        identities_.clear();
        holders_.clear();
        struct Live {
            const Resource* resource;
            Object object;
            Extracted extracted;
        };
        std::vector<Live> live;
        for (const auto* r : setup_resources()) {
            const auto& label = r->restore.natural_key.front().name;
            auto order = r->columns[r->key_columns - 1].convert == Convert::Id
                             ? RowQuery::Order::Id
                             : RowQuery::Order::Stored;
            for (auto& row : project_rows(r->kind, RowQuery::Deleted::Included, order)) {
                Object object;
                auto extracted = extract_row(r->kind, row);
                if (*r->parent != Kind::Projects) {
                    const auto& parent = resource(*r->parent);
                    auto parent_key =
                        as_text(column(r->kind, row, parent_columns(*r, {}).back().first));
                    auto group = identities_[parent.kind].find(parent_key);
                    if (group == identities_[parent.kind].end())
                        continue;
                    object.group = group->second;
                    object.context = std::string(noun(parent)) + " " + shown(group->second);
                }
                auto key = as_text(row.key.back());
                identities_[r->kind][key] = extracted.fields[std::string(label)];
                remember_holder(*r, key, row);
                if (row.live)
                    live.push_back({r, std::move(object), std::move(extracted)});
            }
        }
        if (!out)
            return;
        for (auto& [r, object, extracted] : live) {
            resolve(extracted, [this](Kind kind, std::int64_t id) { return identity(kind, id); });
            object.label = named(noun(*r), extracted.fields, r->restore.natural_key.front().name);
            object.fields = std::move(extracted.fields);
            (*out)[r->kind].push_back(std::move(object));
        }
    }

    // Which objects can hold each resource the table puts below them (a choice field, values).
    void remember_holder(const Resource& r, const std::string& key, const TreeRow& row) {
        if (children(r.kind).empty())
            return;
        auto object = parser_.parse(row.data).value();
        for (const auto* child : children(r.kind))
            if (listed_under(*child, object))
                holders_[child->kind].insert(key);
    }

    // RestoreHook::TicketCustomFields: a custom field value keyed by the field's label (names
    // like f3 differ between accounts), a choice field's by the titles of its values.
    void add_custom_values(Extracted& ticket) {
        const auto& fields = identities_[Kind::CustomFields];
        for (const auto& value : ticket.custom_values) {
            auto field = fields.find(value.field_name);
            if (field == fields.end()) {
                if (!value.text.empty())
                    ticket.fields["custom field (unknown)"] = value.text;
                continue;
            }
            std::string content = value.text;
            if (holders_[Kind::CustomFieldValues].contains(value.field_name)) {
                std::vector<std::string> titles;
                for (auto id : value.ids)
                    titles.push_back(identity(Kind::CustomFieldValues, id));
                content = sorted_joined(std::move(titles));
            }
            if (!content.empty())
                ticket.fields["custom field " + shown(field->second)] = content;
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
        return {{}, {}, named(noun(r), fields, r.restore.natural_key.front().name), fields};
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
    // Setup object key -> what it is known by (a step's name, a field's label), by kind.
    std::map<Kind, std::unordered_map<std::string, std::string>> identities_;
    std::map<Kind, std::set<std::string>> holders_;  // see remember_holder
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
