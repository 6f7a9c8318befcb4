#include "sync/verify/compare.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "store/sqlite.hpp"
#include "sync/resources.hpp"
#include "sync/verify/annotation.hpp"
#include "sync/verify/canonical.hpp"
#include "sync/verify/object_diff.hpp"

namespace smartq::sync::verify {
namespace {

using store::Replica;
using store::Value;
using Rows = std::vector<std::vector<Value>>;

std::int64_t integer(const Value& value) {
    if (const auto* number = std::get_if<std::int64_t>(&value))
        return *number;
    return 0;
}

std::string text(const Value& value) {
    if (const auto* s = std::get_if<std::string>(&value))
        return *s;
    if (const auto* number = std::get_if<std::int64_t>(&value))
        return std::to_string(*number);
    return {};
}

Rows select(Replica& replica, const std::string& sql) {
    return replica.query(sql).rows;
}

std::string id_list(const std::vector<std::int64_t>& ids) {
    return fmt::format("{}", fmt::join(ids, ","));
}

std::string named(std::string_view noun, const Fields& fields, std::string_view field) {
    auto found = fields.find(std::string(field));
    return fmt::format("{} {}", noun, shown(found == fields.end() ? "" : found->second));
}

std::string sorted_joined(std::vector<std::string> items) {
    std::sort(items.begin(), items.end());
    return fmt::format("{}", fmt::join(items, ", "));
}

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

// What the account-wide references resolve against.
struct AccountIndex {
    std::unordered_map<std::int64_t, std::string> user_emails;  // live and deleted
};

AccountIndex index_account(Replica& replica) {
    AccountIndex index;
    for (auto& row : select(replica, "SELECT id, email FROM users"))
        index.user_emails[integer(row[0])] = text(row[1]);
    return index;
}

// The canonical objects of one project, references rewritten to identities.
// Children refer to their ticket by index into `tickets`.
struct ProjectObjects {
    std::vector<Object> steps, roles, fields, values, tickets;
    struct Child {
        std::size_t ticket;
        Object object;
    };
    std::vector<Child> notes, tasks, files;
};

class ProjectLoader {
  public:
    ProjectLoader(Replica& replica, const AccountIndex& account, bool annotated_notes = false)
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
        load_notes(out);
        load_tasks(out);
        load_files(out);
        return out;
    }

  private:
    std::string where(std::string_view table) const {
        return fmt::format("FROM {} WHERE project_id = {}", table, project_);
    }
    std::string children_of_live_tickets(std::string_view table, std::string_view columns) const {
        return fmt::format(
            "SELECT {} FROM {} c JOIN tickets t ON t.id = c.ticket_id "
            "WHERE t.project_id = {} AND t.deleted_at IS NULL ORDER BY c.rowid",
            columns, table, project_);
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

    Extracted extract_row(Kind kind, const Value& data) {
        return extract(resource(kind), text(data), parser_);
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
        for (auto& row : select(replica_, "SELECT id, data, deleted_at IS NULL " + where("steps") +
                                              " ORDER BY id")) {
            auto step = extract_row(Kind::Steps, row[1]);
            step_names_[integer(row[0])] = step.fields["name"];
            if (objects && integer(row[2]))
                objects->push_back({{}, {}, named("step", step.fields, "name"), step.fields});
        }
    }

    void load_fields(std::vector<Object>* fields, std::vector<Object>* values) {
        fields_.clear();
        for (auto& row : select(replica_, "SELECT name, type, data, deleted_at IS NULL " +
                                              where("custom_fields") + " ORDER BY rowid")) {
            auto field = extract_row(Kind::CustomFields, row[2]);
            fields_[text(row[0])] = {field.fields["label"], text(row[1]) == "choice", {}};
            if (fields && integer(row[3]))
                fields->push_back(
                    {{}, {}, named("custom field", field.fields, "label"), field.fields});
        }
        for (auto& row : select(replica_, "SELECT id, field_name, data, deleted_at IS NULL " +
                                              where("custom_field_values") + " ORDER BY id")) {
            auto value = extract_row(Kind::CustomFieldValues, row[2]);
            auto field = fields_.find(text(row[1]));
            if (field == fields_.end())
                continue;
            field->second.value_titles[integer(row[0])] = value.fields["title"];
            if (values && integer(row[3])) {
                values->push_back({field->second.label,
                                   "custom field " + shown(field->second.label),
                                   named("value", value.fields, "title"), value.fields});
            }
        }
    }

    void load_roles(std::vector<Object>& roles) {
        for (auto& row : select(replica_, "SELECT data " + where("roles") +
                                              " AND deleted_at IS NULL ORDER BY id")) {
            auto role = extract_row(Kind::Roles, row[0]);
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
        std::string sql = "SELECT id, data " + where("tickets") + " AND deleted_at IS NULL";
        if (!only.empty())
            sql += fmt::format(" AND id IN ({})", fmt::join(only, ","));
        for (auto& row : select(replica_, sql + " ORDER BY id")) {
            auto ticket = extract_row(Kind::Tickets, row[1]);
            resolve(ticket, [this](Kind kind, std::int64_t id) { return identity(kind, id); });
            add_custom_values(ticket);
            ticket_index_[integer(row[0])] = out.tickets.size();
            out.tickets.push_back({{}, {}, named("ticket", ticket.fields, "name"), ticket.fields});
        }
    }

    // Notes are read first, their parents resolved afterwards: a parent's
    // identity is its own content, including its parent's.
    void load_notes(ProjectObjects& out) {
        notes_.clear();
        std::vector<std::pair<std::int64_t, std::int64_t>> live;  // note, ticket
        for (auto& row :
             select(replica_, children_of_live_tickets(
                                  "notes", "c.id, c.ticket_id, c.data, c.deleted_at IS NULL"))) {
            auto id = integer(row[0]);
            auto note = extract_row(Kind::Notes, row[2]);
            if (annotated_notes_)
                strip_annotation(note.fields);
            notes_[id] = {std::move(note), {}, Resolution::Pending};
            if (integer(row[3]) && ticket_index_.contains(integer(row[1])))
                live.emplace_back(id, integer(row[1]));
        }
        for (auto [note, ticket] : live) {
            const auto& fields = note_fields(note);
            out.notes.push_back(
                {ticket_index_.at(ticket), {{}, {}, named("note", fields, "text"), fields}});
        }
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

    void load_tasks(ProjectObjects& out) {
        for (auto& row : select(
                 replica_,
                 children_of_live_tickets("tasks", "c.ticket_id, c.data, c.deleted_at IS NULL"))) {
            if (!integer(row[2]) || !ticket_index_.contains(integer(row[0])))
                continue;
            auto task = extract_row(Kind::Tasks, row[1]);
            out.tasks.push_back({ticket_index_.at(integer(row[0])),
                                 {{}, {}, named("task", task.fields, "text"), task.fields}});
        }
    }

    // A file is its name and body, on its note.
    void load_files(ProjectObjects& out) {
        for (auto& row : select(
                 replica_,
                 children_of_live_tickets(
                     "files",
                     "c.ticket_id, c.note_id, c.data, c.sha256, c.size, c.deleted_at IS NULL"))) {
            if (!integer(row[5]) || !ticket_index_.contains(integer(row[0])))
                continue;
            auto file = extract_row(Kind::Files, row[2]);
            if (auto sha = text(row[3]); !sha.empty())
                file.fields["sha256"] = sha;
            if (!std::holds_alternative<std::monostate>(row[4]))
                file.fields["size"] = text(row[4]);
            file.fields["note"] = note_identity(integer(row[1]));
            out.files.push_back({ticket_index_.at(integer(row[0])),
                                 {{}, {}, named("file", file.fields, "name"), file.fields}});
        }
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

struct ProjectRow {
    std::int64_t id;
    std::string name;  // as stored, for matching by name
    Object object;
};

std::vector<ProjectRow> live_projects(Replica& replica, const std::string& condition) {
    simdjson::dom::parser parser;
    std::vector<ProjectRow> out;
    for (auto& row : select(
             replica, "SELECT id, COALESCE(name, ''), data FROM projects WHERE deleted_at IS NULL" +
                          condition + " ORDER BY id")) {
        auto project = extract(resource(Kind::Projects), text(row[2]), parser);
        out.push_back({integer(row[0]),
                       text(row[1]),
                       {{}, {}, named("project", project.fields, "name"), project.fields}});
    }
    return out;
}

class Comparer {
  public:
    Comparer(Replica& source, Replica& target, const CompareScope& scope, std::size_t limit)
        : source_(source),
          target_(target),
          scope_(scope),
          report_(limit),
          source_index_(index_account(source)),
          target_index_(index_account(target)) {}

    Comparison run() {
        if (scope_.whole_account())
            compare_users();
        compare_listed_projects();
        compare_listed_tickets();
        return {report_.take(), report_.total(), std::move(counts_)};
    }

  private:
    void count(std::string_view resource, std::size_t source, std::size_t target) {
        auto& counts = counts_[std::string(resource)];
        counts.source += source;
        counts.target += target;
    }

    void compare_users() {
        std::set<std::string> ignored(scope_.ignored_target_users.begin(),
                                      scope_.ignored_target_users.end());
        auto users = [&](Replica& replica) {
            simdjson::dom::parser parser;
            std::vector<Object> out;
            for (auto& row :
                 select(replica,
                        "SELECT email, data FROM users WHERE deleted_at IS NULL ORDER BY id")) {
                if (ignored.contains(text(row[0])))
                    continue;
                auto user = extract(resource(Kind::Users), text(row[1]), parser);
                out.push_back({{}, {}, named("user", user.fields, "email"), user.fields});
            }
            return out;
        };
        auto a = users(source_);
        auto b = users(target_);
        count("users", a.size(), b.size());
        diff("", a, b, Direction::Both, report_);
    }

    // Whole account, or the listed projects: matched by name, compared both ways.
    void compare_listed_projects() {
        if (!scope_.whole_account() && scope_.projects.empty())
            return;
        std::string condition;
        if (!scope_.whole_account())
            condition = fmt::format(" AND id IN ({})", id_list(scope_.projects));
        auto a = live_projects(source_, condition);
        for (auto id : scope_.projects) {
            if (std::none_of(a.begin(), a.end(), [id](const auto& p) { return p.id == id; }))
                report_.add(
                    fmt::format("project {} is not a live project of the source replica", id));
        }
        auto b = live_projects(target_, scope_.whole_account() ? "" : names_condition(a));
        count("projects", a.size(), b.size());
        diff("", objects(a), objects(b), Direction::Both, report_);
        for (auto [pa, pb] : pair_by_name(a, b)) {
            compare_project(a[pa].object.label, a[pa].id, pb, {}, Direction::Both);
        }
    }

    // Each listed ticket must be found in the target's project of the same name.
    void compare_listed_tickets() {
        if (scope_.tickets.empty())
            return;
        std::map<std::int64_t, std::set<std::int64_t>> by_project;
        for (auto& row : select(
                 source_,
                 fmt::format(
                     "SELECT id, project_id FROM tickets WHERE deleted_at IS NULL AND id IN ({})",
                     id_list(scope_.tickets))))
            by_project[integer(row[1])].insert(integer(row[0]));
        for (auto id : scope_.tickets) {
            bool found = std::any_of(by_project.begin(), by_project.end(),
                                     [id](const auto& p) { return p.second.contains(id); });
            if (!found)
                report_.add(
                    fmt::format("ticket {} is not a live ticket of the source replica", id));
        }
        for (const auto& [project, tickets] : by_project) {
            auto a = live_projects(source_, fmt::format(" AND id = {}", project));
            if (a.empty())
                continue;
            auto b = live_projects(target_, names_condition(a));
            if (b.empty()) {
                report_.add(a.front().object.label + " is missing in the target");
                continue;
            }
            // A name may be used by several projects of the target: look in all of them.
            std::vector<std::int64_t> candidates;
            for (const auto& p : b)
                candidates.push_back(p.id);
            compare_project(a.front().object.label, project, candidates, tickets,
                            Direction::SourceInTarget);
        }
    }

    std::string names_condition(const std::vector<ProjectRow>& projects) const {
        std::vector<std::string> names;
        for (const auto& p : projects)
            names.push_back(store::sqlite::quote_literal(p.name));
        if (names.empty())
            return " AND 0";
        return fmt::format(" AND COALESCE(name, '') IN ({})", fmt::join(names, ","));
    }

    static std::vector<Object> objects(const std::vector<ProjectRow>& rows) {
        std::vector<Object> out;
        for (const auto& row : rows)
            out.push_back(row.object);
        return out;
    }

    // Projects with the same name, paired in the order of their content.
    static std::vector<std::pair<std::size_t, std::vector<std::int64_t>>> pair_by_name(
        const std::vector<ProjectRow>& a, const std::vector<ProjectRow>& b) {
        auto group = [](const std::vector<ProjectRow>& rows) {
            std::map<std::string, std::vector<std::size_t>> by_name;
            for (std::size_t i = 0; i < rows.size(); ++i)
                by_name[rows[i].name].push_back(i);
            for (auto& [name, indexes] : by_name) {
                std::stable_sort(indexes.begin(), indexes.end(), [&](auto x, auto y) {
                    return rows[x].object.key() < rows[y].object.key();
                });
            }
            return by_name;
        };
        auto in_a = group(a);
        auto in_b = group(b);
        std::vector<std::pair<std::size_t, std::vector<std::int64_t>>> pairs;
        for (const auto& [name, indexes] : in_a) {
            auto other = in_b.find(name);
            if (other == in_b.end())
                continue;
            for (std::size_t i = 0; i < indexes.size() && i < other->second.size(); ++i)
                pairs.push_back({indexes[i], {b[other->second[i]].id}});
        }
        return pairs;
    }

    void compare_project(const std::string& where, std::int64_t source_project,
                         const std::vector<std::int64_t>& target_projects,
                         const std::set<std::int64_t>& only_tickets, Direction direction) {
        bool with_setup = only_tickets.empty();
        auto a =
            ProjectLoader(source_, source_index_).load(source_project, only_tickets, with_setup);
        ProjectObjects b;
        for (auto id : target_projects)
            merge(b, ProjectLoader(target_, target_index_, scope_.annotated_target_notes)
                         .load(id, {}, with_setup));
        if (with_setup) {
            compare_objects(where, "steps", a.steps, b.steps, direction);
            compare_objects(where, "roles", a.roles, b.roles, direction);
            compare_objects(where, "custom_fields", a.fields, b.fields, direction);
            compare_objects(where, "custom_field_values", a.values, b.values, direction);
        }
        auto changed = compare_objects(where, "tickets", a.tickets, b.tickets, direction);
        compare_children(where, a, b, changed);
    }

    static void merge(ProjectObjects& into, ProjectObjects from) {
        auto base = into.tickets.size();
        auto append = [](auto& to, auto& items) {
            to.insert(to.end(), items.begin(), items.end());
        };
        append(into.steps, from.steps);
        append(into.roles, from.roles);
        append(into.fields, from.fields);
        append(into.values, from.values);
        append(into.tickets, from.tickets);
        for (auto* children : {&from.notes, &from.tasks, &from.files}) {
            for (auto& child : *children)
                child.ticket += base;
        }
        append(into.notes, from.notes);
        append(into.tasks, from.tasks);
        append(into.files, from.files);
    }

    std::vector<Pair> compare_objects(const std::string& where, std::string_view name,
                                      const std::vector<Object>& a, const std::vector<Object>& b,
                                      Direction direction) {
        count(name, a.size(), b.size());
        return diff(where, a, b, direction, report_);
    }

    // Children are compared within tickets matched by content, or paired as
    // changed: under the source ticket's identity. Children of a ticket
    // missing on one side are not listed again.
    void compare_children(const std::string& where, const ProjectObjects& a,
                          const ProjectObjects& b, const std::vector<Pair>& changed) {
        std::vector<std::string> a_groups, b_groups;
        for (const auto& t : a.tickets)
            a_groups.push_back(t.key());
        for (const auto& t : b.tickets)
            b_groups.push_back(t.key());
        for (auto [s, t] : changed)
            b_groups[t] = a_groups[s];
        std::unordered_set<std::string> in_a(a_groups.begin(), a_groups.end());
        std::unordered_set<std::string> in_b(b_groups.begin(), b_groups.end());
        auto place = [](const std::vector<ProjectObjects::Child>& children,
                        const std::vector<std::string>& groups, const std::vector<Object>& tickets,
                        const std::unordered_set<std::string>& other) {
            std::vector<Object> out;
            for (const auto& child : children) {
                if (!other.contains(groups[child.ticket]))
                    continue;
                Object object = child.object;
                object.group = groups[child.ticket];
                object.context = tickets[child.ticket].label;
                out.push_back(std::move(object));
            }
            return out;
        };
        compare_objects(where, "notes", place(a.notes, a_groups, a.tickets, in_b),
                        place(b.notes, b_groups, b.tickets, in_a), Direction::Both);
        compare_objects(where, "tasks", place(a.tasks, a_groups, a.tickets, in_b),
                        place(b.tasks, b_groups, b.tickets, in_a), Direction::Both);
        compare_objects(where, "files", place(a.files, a_groups, a.tickets, in_b),
                        place(b.files, b_groups, b.tickets, in_a), Direction::Both);
    }

    Replica& source_;
    Replica& target_;
    const CompareScope& scope_;
    Report report_;
    AccountIndex source_index_;
    AccountIndex target_index_;
    std::map<std::string, ObjectCounts> counts_;
};

}  // namespace

Comparison compare(Replica& source, Replica& target, const CompareScope& scope, std::size_t limit) {
    return Comparer(source, target, scope, limit).run();
}

std::vector<std::string> compare_replicas(Replica& source, Replica& target,
                                          const CompareScope& scope) {
    constexpr std::size_t kLimit = 50;
    auto result = compare(source, target, scope, kLimit);
    if (result.total > result.differences.size())
        result.differences.push_back(fmt::format("{} differences in total", result.total));
    return std::move(result.differences);
}

}  // namespace smartq::sync::verify
