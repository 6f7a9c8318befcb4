#include "sync/resources.hpp"

#include <algorithm>
#include <stdexcept>

#include "sync/wire/custom_fields.hpp"
#include "sync/wire/normalise.hpp"
#include "sync/wire/values.hpp"

namespace smartq::sync {
namespace dom = simdjson::dom;
using store::ColumnSpec;
using store::ColumnType;
using store::Value;

namespace {

constexpr auto Int = ColumnType::Integer;
constexpr auto Real = ColumnType::Real;
constexpr auto Text = ColumnType::Text;

Column key(std::string_view name, ColumnType type, std::string_view source, Convert convert,
           std::string_view references = {}) {
    return {ColumnSpec{name, type, false, references}, source, convert};
}
Column col(std::string_view name, ColumnType type, Convert convert, bool indexed = false) {
    return {ColumnSpec{name, type, indexed, {}}, name, convert};
}
Column parent(std::string_view name, std::string_view table) {
    return {ColumnSpec{name, Int, true, table}, name, Convert::Context};
}
// An id of a row that is not the parent: a link (store/links.hpp). A column a Reference names
// needs none: build() links it to the reference's target.
Column owner() {
    return {ColumnSpec{"owner_id", Int, false, {}, "users"}, "owner_id", Convert::Id};
}

// The joins of a ticket: who it is assigned to, and its custom field values
// (choice fields give value ids, checkboxes several rows).
std::vector<store::JoinSpec> ticket_joins() {
    return {
        {"ticket_assignees", {ColumnSpec{"user_id", Int, true, {}, "users"}}},
        {"ticket_custom_field_values",
         {ColumnSpec{"field_name", Text, true, {}}, ColumnSpec{"value", Text, false, {}},
          ColumnSpec{"value_id", Int, true, {}, "custom_field_values"}}},
    };
}

Resource make(Kind kind, std::string_view name, std::optional<Kind> parent_kind,
              std::string_view path, std::string_view list_params, int page_size,
              std::string_view envelope, std::vector<Column> columns, std::size_t key_columns,
              std::vector<std::string_view> writable, std::vector<Reference> references,
              RestoreFacts restore, std::vector<store::JoinSpec> joins = {},
              Deletion deletion = Deletion::OwnUrl, std::int64_t deletion_guard = 0) {
    Resource r{kind,
               name,
               parent_kind,
               path,
               list_params,
               page_size,
               envelope,
               std::move(columns),
               key_columns,
               std::move(writable),
               std::move(references),
               std::move(restore),
               deletion,
               deletion_guard,
               {}};
    r.table.table = name;
    r.table.resource = name;
    r.table.joins = std::move(joins);
    return r;
}

// A column a Reference names holds a key of the reference's target: a link of the schema's.
// Then the table spec, from the columns.
void link_and_specify(std::vector<Resource>& all) {
    for (auto& r : all) {
        for (const auto& reference : r.references)
            for (auto& column : r.columns)
                if (column.spec.name == reference.field)
                    column.spec.links_to = all.at(static_cast<std::size_t>(reference.target)).name;
        for (std::size_t i = 0; i < r.columns.size(); ++i)
            (i < r.key_columns ? r.table.key : r.table.columns).push_back(r.columns[i].spec);
    }
}

std::vector<Resource> build() {
    std::vector<Resource> all;
    all.push_back(make(Kind::Users, "users", std::nullopt, "/users", "", 1000, "user",
                       {key("id", Int, "id", Convert::Id), col("name", Text, Convert::Text),
                        col("email", Text, Convert::Text, true),
                        col("is_account_administrator", Int, Convert::Bool)},
                       1,
                       {"name", "email", "is_account_administrator", "can_manage_projects",
                        "can_view_profiles", "can_manage_profiles", "company", "title", "address",
                        "work_phone", "home_phone", "cell_phone", "comments"},
                       {}, {.natural_key = {{"email"}}, .hook = RestoreHook::NewUserPassword}, {},
                       Deletion::OwnUrl, 2));
    all.push_back(make(Kind::Projects, "projects", std::nullopt, "/projects", "activeFilter=0", 100,
                       "project",
                       {key("id", Int, "id", Convert::Id), col("name", Text, Convert::Text, true),
                        owner(), col("active", Int, Convert::Bool)},
                       1, {"name", "description", "active"}, {},
                       {.natural_key = {{"name"}}, .paged_by_guide = true}, {}, Deletion::OwnUrl,
                       10));
    all.push_back(make(Kind::Roles, "roles", Kind::Projects, "/projects/{project}/roles", "", 100,
                       "role",
                       {key("id", Int, "id", Convert::Id),
                        parent("project_id", "projects"),
                        col("name", Text, Convert::Text),
                        col("access_level", Int, Convert::Integer),
                        {ColumnSpec{"is_default", Int, false, {}}, "is_default", Convert::Local}},
                       1,
                       {"name", "access_level", "max_step", "can_edit_project",
                        "can_manage_people_notes", "can_see_private_notes"},
                       {{"max_step", Kind::Steps}},
                       {.natural_key = {{"name"}},
                        .server_made = true,
                        .hook = RestoreHook::DefaultRole}));
    all.push_back(
        make(Kind::Steps, "steps", Kind::Projects, "/projects/{project}/steps", "", 100, "step",
             {key("id", Int, "id", Convert::Id), parent("project_id", "projects"),
              col("name", Text, Convert::Text), col("pos", Int, Convert::Integer)},
             1, {"name", "description", "limit", "pos"}, {},
             {.natural_key = {{"name"}}, .server_made = true}));
    all.push_back(make(Kind::CustomFields, "custom_fields", Kind::Projects,
                       "/projects/{project}/custom_fields", "", 100, "field",
                       {key("project_id", Int, "project_id", Convert::Context, "projects"),
                        key("name", Text, "name", Convert::Text), col("label", Text, Convert::Text),
                        col("type", Text, Convert::Text)},
                       2, {"type", "label", "hint", "required", "pos_type", "options"}, {},
                       {.natural_key = {{"label"}, {"type"}},
                        .finishing_flag = "required",
                        .noun = "custom field"}));
    all.push_back(make(
        Kind::CustomFieldValues, "custom_field_values", Kind::CustomFields,
        "/projects/{project}/custom_fields/{field}/values", "", 100, "value",
        {key("id", Int, "id", Convert::Id),
         {ColumnSpec{"project_id", Int, true, "custom_fields"}, "project_id", Convert::Context},
         {ColumnSpec{"field_name", Text, false, "custom_fields"}, "field_name", Convert::Context},
         col("title", Text, Convert::Text),
         col("pos", Int, Convert::Integer),
         col("is_default", Int, Convert::Bool)},
        1, {"title", "is_default", "pos"}, {},
        {.natural_key = {{"title"}}, .only_under = {"type", "choice"}}));
    all.push_back(make(
        Kind::Tickets, "tickets", Kind::Projects, "/projects/{project}/tickets",
        "archived=2&custom_fields=1&assigned_to=1&get_cover=0", 100, "ticket",
        {key("id", Int, "id", Convert::Id), parent("project_id", "projects"),
         col("name", Text, Convert::Text), col("step_id", Int, Convert::Id, true),
         col("archived", Int, Convert::Bool), owner(),
         col("insert_time", Text, Convert::Text), col("update_time", Text, Convert::Text, true),
         col("deadline_date", Text, Convert::Text)},
        1,
        {"name", "description", "step_id", "tags", "required_by", "deadline_date", "pos",
         "assigned_to"},
        {{"step_id", Kind::Steps}, {"assigned_to", Kind::Users, true}},
        {.natural_key = {{"name"}, {"description"}},
         .after = {Kind::CustomFieldValues},
         .finishing_flag = "archived",
         .hook = RestoreHook::TicketCustomFields,
         .order = "insert_time",
         .paged_by_guide = true},
        ticket_joins(), Deletion::OwnUrl, 10));
    all.push_back(
        make(Kind::Notes, "notes", Kind::Tickets, "/projects/{project}/tickets/{ticket}/notes", "",
             100, "note",
             {key("id", Int, "id", Convert::Id), parent("ticket_id", "tickets"),
              col("parent_id", Int, Convert::Id, true), col("private", Int, Convert::Bool),
              owner(), col("insert_time", Text, Convert::Text),
              col("update_time", Text, Convert::Text)},
             1, {"text", "parent_id", "private"}, {{"parent_id", Kind::Notes}},
             {.natural_key = {{"text"}, {"private", true}},
              .hook = RestoreHook::NoteThreads,
              .paged_by_guide = true}));
    all.push_back(
        make(Kind::Tasks, "tasks", Kind::Tickets, "/projects/{project}/tickets/{ticket}/tasks", "",
             100, "task",
             {key("id", Int, "id", Convert::Id), parent("ticket_id", "tickets"),
              col("text", Text, Convert::Text), col("done", Int, Convert::Bool)},
             1, {"text", "done"}, {},
             {.natural_key = {{"text"}}, .finishing_flag = "done", .paged_by_guide = true}, {},
             Deletion::TwoListings));
    all.push_back(make(Kind::Files, "files", Kind::Notes,
                       "/projects/{project}/tickets/{ticket}/notes/{note}/files", "", 100, "file",
                       {key("id", Int, "id", Convert::Id),
                        parent("ticket_id", "tickets"),
                        parent("note_id", "notes"),
                        col("name", Text, Convert::Text),
                        {ColumnSpec{"sha256", Text, true, {}}, "sha256", Convert::Local},
                        {ColumnSpec{"size", Int, false, {}}, "size", Convert::Local}},
                       1, {}, {},
                       {.natural_key = {{"name"}, {"size"}}, .hook = RestoreHook::FileBodies}));
    for (std::size_t i = 0; i < all.size(); ++i)
        if (static_cast<std::size_t>(all[i].kind) != i)
            throw std::logic_error("a row of the resource table is out of its kind's place");
    link_and_specify(all);
    return all;
}

// The context member a path placeholder fills.
void set_placeholder(Context& context, std::string_view placeholder, const std::string& key) {
    if (placeholder == "{project}")
        context.project_id = std::stoll(key);
    else if (placeholder == "{ticket}")
        context.ticket_id = std::stoll(key);
    else if (placeholder == "{note}")
        context.note_id = std::stoll(key);
    else if (placeholder == "{field}")
        context.field_name = key;
    else
        throw std::logic_error("resource table names an unknown path placeholder");
}

Value read_column(const Column& column, dom::element object, const Context& context) {
    if (column.convert == Convert::Local)
        return {};
    if (column.convert == Convert::Context) {
        return context_value(context, column.source);
    }
    auto member = wire::field(object, column.source);
    if (!member)
        return {};
    switch (column.convert) {
        case Convert::Id:
            if (auto id = wire::as_id(*member))
                return *id;
            return {};
        case Convert::Bool:
            if (auto flag = wire::as_bool(*member))
                return std::int64_t{*flag ? 1 : 0};
            return {};
        case Convert::Integer:
            if (auto n = wire::as_number(*member))
                return static_cast<std::int64_t>(*n);
            return {};
        case Convert::Number:
            if (auto n = wire::as_number(*member))
                return *n;
            return {};
        default:
            if (auto text = wire::as_text(*member))
                return *text;
            return {};
    }
}

void add_field_values(std::vector<std::vector<Value>>& rows, std::string_view name,
                      dom::element value, const Context& context) {
    bool choice = false;
    if (context.choice_fields) {
        auto it = context.choice_fields->find(name);
        choice = it != context.choice_fields->end() && it->second;
    }
    if (wire::is_empty_value(value))
        return;
    if (value.is_array() || (choice && value.is_object())) {
        for (auto id : wire::ids_in(value))
            rows.push_back({std::string(name), Value{std::to_string(id)}, Value{id}});
        return;
    }
    auto text = wire::as_text(value);
    if (!text)
        return;
    auto id = choice ? wire::as_id(value) : std::nullopt;
    if (choice && text->empty())
        return;
    rows.push_back({std::string(name), *text, id ? Value{*id} : Value{}});
}

void add_ticket_joins(store::Record& record, dom::element object, const Context& context) {
    record.joins.resize(2);
    if (auto assigned = wire::field(object, "assigned_to"); assigned && !assigned->is_null()) {
        for (auto id : wire::ids_in(*assigned))
            record.joins[0].push_back({id});
    }
    for (const auto& [name, value] : wire::custom_field_values(object))
        add_field_values(record.joins[1], name, value, context);
}

}  // namespace

const std::vector<Resource>& resources() {
    static const std::vector<Resource> all = build();
    return all;
}

const Resource& resource(Kind kind) {
    return resources().at(static_cast<std::size_t>(kind));
}

std::span<const store::TableSpec> table_specs() {
    static const std::vector<store::TableSpec> specs = [] {
        std::vector<store::TableSpec> out;
        for (const auto& r : resources())
            out.push_back(r.table);
        return out;
    }();
    return specs;
}

std::vector<const Resource*> children(std::optional<Kind> parent) {
    std::vector<const Resource*> out;
    for (const auto& r : resources())
        if (r.parent == parent)
            out.push_back(&r);
    return out;
}

bool below(Kind kind, Kind ancestor) {
    for (auto parent = resource(kind).parent; parent; parent = resource(*parent).parent)
        if (*parent == ancestor)
            return true;
    return false;
}

std::vector<const Resource*> descendants(Kind ancestor) {
    std::vector<const Resource*> out;
    for (const auto& r : resources())
        if (below(r.kind, ancestor))
            out.push_back(&r);
    return out;
}

std::vector<std::string_view> tables_below(Kind ancestor) {
    std::vector<std::string_view> out;
    for (const auto* r : descendants(ancestor))
        out.push_back(r->table.table);
    return out;
}

// A child's path is its parent's, the parent's placeholder, and its own name.
Context within(const Resource& parent, Context at, const std::string& key) {
    for (const auto* child : children(parent.kind)) {
        auto rest = child->path.substr(parent.path.size() + 1);
        set_placeholder(at, rest.substr(0, rest.find('/')), key);
        return at;
    }
    throw std::logic_error("the resource table gives this resource no children");
}

bool names_a_parent(std::string_view member) {
    for (const auto& r : resources())
        for (const auto& column : r.columns)
            if (column.convert == Convert::Context && column.source == member)
                return true;
    return false;
}

Value context_value(const Context& context, std::string_view column) {
    if (column == "project_id")
        return context.project_id;
    if (column == "ticket_id")
        return context.ticket_id;
    if (column == "note_id")
        return context.note_id;
    if (column == "field_name")
        return context.field_name;
    throw std::logic_error("resource table names an unknown context column");
}

// The parent columns are those that reference the parent's table.
std::vector<std::pair<std::string_view, Value>> parent_columns(const Resource& resource,
                                                               const Context& context) {
    std::vector<std::pair<std::string_view, Value>> out;
    if (!resource.parent)
        return out;
    const auto& parent_table = resources().at(static_cast<std::size_t>(*resource.parent)).name;
    for (const auto& column : resource.columns)
        if (column.convert == Convert::Context && column.spec.references == parent_table)
            out.emplace_back(column.spec.name, context_value(context, column.source));
    return out;
}

std::string list_path(const Resource& resource, const Context& context) {
    std::string path(resource.path);
    auto replace = [&](std::string_view placeholder, const std::string& value) {
        if (auto pos = path.find(placeholder); pos != std::string::npos)
            path.replace(pos, placeholder.size(), value);
    };
    replace("{project}", std::to_string(context.project_id));
    replace("{ticket}", std::to_string(context.ticket_id));
    replace("{note}", std::to_string(context.note_id));
    replace("{field}", context.field_name);
    return path;
}

std::optional<std::int64_t> object_id(dom::element object) {
    auto id = wire::field(object, "id");
    return id ? wire::as_id(*id) : std::nullopt;
}

std::optional<std::string> object_key(const Resource& resource, dom::element object) {
    const auto& key = resource.columns[resource.key_columns - 1];
    auto member = wire::field(object, key.source);
    if (!member)
        return std::nullopt;
    if (key.convert == Convert::Id) {
        auto id = wire::as_id(*member);
        return id ? std::optional{std::to_string(*id)} : std::nullopt;
    }
    auto text = wire::as_text(*member);
    return text && !text->empty() ? text : std::nullopt;
}

std::string natural_key(const Resource& resource, dom::element object,
                        const KeyOverrides& overrides) {
    std::string out;
    for (const auto& part : resource.restore.natural_key) {
        if (&part != &resource.restore.natural_key.front())
            out += '\x1f';
        auto given = std::find_if(overrides.begin(), overrides.end(),
                                  [&](const auto& o) { return o.first == part.name; });
        if (given != overrides.end()) {
            out += given->second;
            continue;
        }
        auto member = wire::field(object, part.name);
        if (part.flag)
            out += member && wire::as_bool(*member).value_or(false) ? "1" : "0";
        else if (member)
            out += wire::as_text(*member).value_or("");
    }
    return out;
}

std::string_view noun(const Resource& resource) {
    return resource.restore.noun.empty() ? resource.envelope : resource.restore.noun;
}

bool listed_under(const Resource& child, dom::element parent) {
    const auto& condition = child.restore.only_under;
    if (condition.member.empty())
        return true;
    auto member = wire::field(parent, condition.member);
    return member && wire::as_text(*member) == std::string(condition.text);
}

bool finished(const Resource& resource, dom::element object) {
    if (resource.restore.finishing_flag.empty())
        return false;
    auto member = wire::field(object, resource.restore.finishing_flag);
    return member && wire::as_bool(*member).value_or(false);
}

store::Record make_record(const Resource& resource, dom::element object, const Context& context) {
    if (!object.is_object()) {
        throw wire::WireError(std::string(resource.name) +
                              ": the server sent a list item that is not an object");
    }
    store::Record record;
    for (std::size_t i = 0; i < resource.columns.size(); ++i) {
        Value value = read_column(resource.columns[i], object, context);
        if (i < resource.key_columns) {
            if (std::holds_alternative<std::monostate>(value)) {
                throw wire::WireError(std::string(resource.name) +
                                      ": an object without a readable " +
                                      std::string(resource.columns[i].source));
            }
            record.key.push_back(std::move(value));
        } else {
            record.columns.push_back(std::move(value));
        }
    }
    record.data = wire::to_json(object);
    if (resource.restore.hook == RestoreHook::TicketCustomFields)
        add_ticket_joins(record, object, context);
    return record;
}

}  // namespace smartq::sync
