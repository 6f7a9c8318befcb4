#include "store/read_model.hpp"

#include <sqlite3.h>

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "store/replica.hpp"
#include "store/schema.hpp"
#include "store/search.hpp"
#include "store/sqlite.hpp"

namespace smartq::store {
namespace {

using sqlite::quote_identifier;

// The tables whose rows the pages show, each as a view v_<table> of the rows live at the time
// shown, with `d` the data of that time.
constexpr std::string_view kShown[] = {"users",   "projects", "steps", "custom_fields",
                                       "custom_field_values", "tickets", "notes", "tasks",
                                       "files"};

// smartQ sends flags as 0/1, "0"/"1" or true/false; json_extract gives 1 for true.
std::string flag(std::string_view json, std::string_view field) {
    return fmt::format("(coalesce(CAST(json_extract({}, '$.{}') AS INTEGER), 0) <> 0)", json,
                       field);
}

// An id field of `json` as an integer (servers send ids as numbers or strings).
std::string id_of(std::string_view json, std::string_view field) {
    return fmt::format("CAST(json_extract({}, '$.{}') AS INTEGER)", json, field);
}

bool has_column(const TableSpec& spec, std::string_view name) {
    for (const auto* group : {&spec.key, &spec.columns})
        for (const auto& column : *group)
            if (column.name == name)
                return true;
    return false;
}

std::string text_or_empty(sqlite::Statement& row, int index) {
    return row.is_null(index) ? std::string() : row.text(index);
}

std::optional<std::int64_t> optional_id(sqlite::Statement& row, int index) {
    if (row.is_null(index) || row.integer(index) == 0)
        return std::nullopt;
    return row.integer(index);
}

}  // namespace

struct ReadModel::State {
    State(const std::filesystem::path& db, std::span<const TableSpec> specs, std::string at,
          std::vector<std::int64_t> projects)
        : replica(Replica::open(db, specs, Mode::ReadOnly)),
          connection(db, SQLITE_OPEN_READONLY),
          specs(specs),
          at(std::move(at)),
          projects(std::move(projects)) {
        connection.exec("PRAGMA query_only = 1");
        views = "WITH " + view_definitions();
    }

    Replica replica;  // keeps the schema checked and gives the as-of selects
    sqlite::Connection connection;
    std::span<const TableSpec> specs;
    std::string at;
    std::vector<std::int64_t> projects;
    std::string views;

    const TableSpec& spec(std::string_view table) const {
        for (const auto& s : specs)
            if (s.table == table)
                return s;
        throw StoreError(fmt::format("the replica has no table {}", table));
    }

    std::string view_definitions() const {
        std::string definitions;
        for (auto table : kShown) {
            const auto& s = spec(table);
            std::string source;
            if (at.empty()) {
                source = fmt::format("SELECT t.*, t.data AS d FROM main.{} t WHERE t.deleted_at IS NULL",
                                     quote_identifier(table));
            } else {
                std::string match;
                for (const auto& key : s.key)
                    match += fmt::format("{0}t.{1} = a.{1}", match.empty() ? "" : " AND ",
                                         quote_identifier(key.name));
                source = fmt::format("SELECT t.*, a.data AS d FROM ({}) a JOIN main.{} t ON {}",
                                     replica.as_of_sql(s, at), quote_identifier(table), match);
            }
            definitions += fmt::format("{}v_{} AS ({})", definitions.empty() ? "" : ", ", table,
                                       source);
        }
        return definitions;
    }

    // " AND <column> IN (...)" when the model is limited to some projects.
    std::string in_scope(std::string_view column) const {
        if (projects.empty())
            return {};
        std::string ids;
        for (auto id : projects)
            ids += (ids.empty() ? "" : ", ") + std::to_string(id);
        return fmt::format(" AND {} IN ({})", column, ids);
    }

    sqlite::Statement prepare(std::string_view sql) const {
        return sqlite::Statement(connection, views + " " + std::string(sql));
    }
};

ReadModel::ReadModel(const std::filesystem::path& db, std::span<const TableSpec> specs,
                     std::string at, std::vector<std::int64_t> projects)
    : state_(std::make_unique<State>(db, specs, std::move(at), std::move(projects))) {}
ReadModel::ReadModel(ReadModel&&) noexcept = default;
ReadModel::~ReadModel() = default;

const std::string& ReadModel::at() const {
    return state_->at;
}

std::vector<ProjectSummary> ReadModel::projects() {
    auto query = state_->prepare(fmt::format(
        "SELECT p.id, coalesce(json_extract(p.d, '$.name'), ''), "
        "(SELECT count(*) FROM v_tickets t WHERE t.project_id = p.id), "
        "(SELECT count(*) FROM v_tickets t WHERE t.project_id = p.id AND {}) "
        "FROM v_projects p WHERE 1{} ORDER BY json_extract(p.d, '$.name') COLLATE NOCASE, p.id",
        flag("t.d", "archived"), state_->in_scope("p.id")));
    std::vector<ProjectSummary> out;
    while (query.step())
        out.push_back({query.integer(0), query.text(1), query.integer(2), query.integer(3)});
    return out;
}

std::optional<Board> ReadModel::board(std::int64_t project_id) {
    auto all = projects();
    auto found = std::find_if(all.begin(), all.end(),
                              [&](const ProjectSummary& p) { return p.id == project_id; });
    if (found == all.end())
        return std::nullopt;
    Board board;
    board.project = *found;
    auto steps = state_->prepare(
        "SELECT id, coalesce(json_extract(d, '$.name'), '') FROM v_steps WHERE project_id = ?1 "
        "ORDER BY CAST(json_extract(d, '$.pos') AS INTEGER), id");
    steps.bind(1, project_id);
    while (steps.step())
        board.steps.push_back({steps.integer(0), steps.text(1)});
    auto tickets = state_->prepare(fmt::format(
        "SELECT t.id, coalesce(json_extract(t.d, '$.name'), ''), {}, {}, "
        "(SELECT group_concat(coalesce(json_extract(u.d, '$.name'), j.value), ', ') "
        " FROM json_each(t.d, '$.assigned_to') j "
        " LEFT JOIN v_users u ON u.id = CAST(j.value AS INTEGER)), "
        "json_extract(t.d, '$.deadline_date') "
        "FROM v_tickets t WHERE t.project_id = ?1 "
        "ORDER BY CAST(json_extract(t.d, '$.pos') AS INTEGER), t.id",
        id_of("t.d", "step_id"), flag("t.d", "archived")));
    tickets.bind(1, project_id);
    while (tickets.step()) {
        board.tickets.push_back({tickets.integer(0), tickets.text(1), optional_id(tickets, 2),
                                 tickets.integer(3) != 0, text_or_empty(tickets, 4),
                                 text_or_empty(tickets, 5)});
    }
    return board;
}

std::vector<std::int64_t> ReadModel::ticket_ids(std::int64_t project_id) {
    auto query = state_->prepare("SELECT id FROM v_tickets WHERE project_id = ?1 ORDER BY id");
    query.bind(1, project_id);
    std::vector<std::int64_t> ids;
    while (query.step())
        ids.push_back(query.integer(0));
    return ids;
}

namespace {

constexpr std::string_view kAttachmentColumns =
    "f.id, f.ticket_id, f.note_id, coalesce(json_extract(f.d, '$.name'), ''), "
    "coalesce(json_extract(f.d, '$.content_type'), ''), f.sha256, "
    "coalesce(f.size, json_extract(f.d, '$.size'), 0)";

Attachment attachment_row(sqlite::Statement& row) {
    Attachment a;
    a.id = row.integer(0);
    a.ticket_id = row.integer(1);
    a.note_id = row.integer(2);
    a.name = row.text(3);
    a.content_type = row.text(4);
    if (!row.is_null(5))
        a.sha256 = row.text(5);
    a.size = row.integer(6);
    return a;
}

// Each note followed by its replies, depth first; a reply whose parent is not shown is a note.
std::vector<NoteItem> thread_order(std::vector<NoteItem> notes,
                                   const std::vector<std::optional<std::int64_t>>& parents) {
    std::set<std::int64_t> shown;
    for (const auto& note : notes)
        shown.insert(note.id);
    std::map<std::int64_t, std::vector<std::size_t>> replies;
    std::vector<std::size_t> pending;  // a stack: the next note to place is at the back
    for (std::size_t i = notes.size(); i-- > 0;) {
        if (parents[i] && shown.contains(*parents[i]) && *parents[i] != notes[i].id)
            replies[*parents[i]].insert(replies[*parents[i]].begin(), i);
        else
            pending.push_back(i);
    }
    std::vector<NoteItem> ordered;
    std::vector<int> depth(notes.size(), 0);
    std::set<std::int64_t> placed;
    while (!pending.empty()) {
        auto i = pending.back();
        pending.pop_back();
        if (!placed.insert(notes[i].id).second)
            continue;
        notes[i].depth = depth[i];
        for (auto it = replies[notes[i].id].rbegin(); it != replies[notes[i].id].rend(); ++it) {
            depth[*it] = depth[i] + 1;
            pending.push_back(*it);
        }
        ordered.push_back(std::move(notes[i]));
    }
    return ordered;
}

}  // namespace

std::vector<Attachment> ReadModel::attachments(std::int64_t ticket_id) {
    auto query = state_->prepare(fmt::format(
        "SELECT {} FROM v_files f WHERE f.ticket_id = ?1 ORDER BY f.id", kAttachmentColumns));
    query.bind(1, ticket_id);
    std::vector<Attachment> out;
    while (query.step())
        out.push_back(attachment_row(query));
    return out;
}

std::optional<Attachment> ReadModel::attachment(std::int64_t file_id) {
    auto query = state_->prepare(fmt::format(
        "SELECT {} FROM v_files f JOIN v_tickets t ON t.id = f.ticket_id WHERE f.id = ?1{}",
        kAttachmentColumns, state_->in_scope("t.project_id")));
    query.bind(1, file_id);
    if (!query.step())
        return std::nullopt;
    return attachment_row(query);
}

std::optional<TicketDetail> ReadModel::ticket(std::int64_t ticket_id) {
    auto query = state_->prepare(fmt::format(
        "SELECT t.id, t.project_id, coalesce(json_extract(p.d, '$.name'), ''), "
        "coalesce(json_extract(t.d, '$.name'), ''), coalesce(json_extract(t.d, '$.description'), ''), "
        "(SELECT json_extract(s.d, '$.name') FROM v_steps s WHERE s.id = {}), "
        "(SELECT json_extract(u.d, '$.name') FROM v_users u WHERE u.id = {}), "
        "json_extract(t.d, '$.tags'), json_extract(t.d, '$.insert_time'), "
        "json_extract(t.d, '$.update_time'), json_extract(t.d, '$.deadline_date'), {} "
        "FROM v_tickets t LEFT JOIN v_projects p ON p.id = t.project_id WHERE t.id = ?1{}",
        id_of("t.d", "step_id"), id_of("t.d", "owner_id"), flag("t.d", "archived"),
        state_->in_scope("t.project_id")));
    query.bind(1, ticket_id);
    if (!query.step())
        return std::nullopt;
    TicketDetail t;
    t.id = query.integer(0);
    t.project_id = query.integer(1);
    t.project = query.text(2);
    t.name = query.text(3);
    t.description_html = query.text(4);
    t.step = text_or_empty(query, 5);
    t.owner = text_or_empty(query, 6);
    t.tags = text_or_empty(query, 7);
    t.created = text_or_empty(query, 8);
    t.updated = text_or_empty(query, 9);
    t.deadline = text_or_empty(query, 10);
    t.archived = query.integer(11) != 0;

    auto assignees = state_->prepare(
        "SELECT coalesce(json_extract(u.d, '$.name'), j.value) FROM v_tickets t, "
        "json_each(t.d, '$.assigned_to') j LEFT JOIN v_users u ON u.id = CAST(j.value AS INTEGER) "
        "WHERE t.id = ?1 ORDER BY j.key");
    assignees.bind(1, ticket_id);
    while (assignees.step())
        t.assignees.push_back(assignees.text(0));

    // A custom field's value sits under the ticket's `custom_fields` object or beside its other
    // fields, depending on the server; a choice's value is the id (or, for checkboxes, the ids)
    // of the field's values.
    auto fields = state_->prepare(
        "SELECT label, CASE json_type(d, path) "
        " WHEN 'array' THEN (SELECT group_concat(coalesce(json_extract(v.d, '$.title'), j.value), "
        "  ', ') FROM json_each(x.d, x.path) j LEFT JOIN v_custom_field_values v "
        "  ON v.id = CAST(j.value AS INTEGER) AND v.project_id = x.project_id "
        "  AND v.field_name = x.name) "
        " ELSE coalesce((SELECT json_extract(v.d, '$.title') FROM v_custom_field_values v "
        "  WHERE v.id = CAST(json_extract(x.d, x.path) AS INTEGER) "
        "  AND v.project_id = x.project_id AND v.field_name = x.name), "
        "  json_extract(x.d, x.path)) END "
        "FROM (SELECT coalesce(json_extract(cf.d, '$.label'), cf.name) AS label, cf.name AS name, "
        " cf.project_id AS project_id, t.d AS d, '$.' || CASE WHEN json_type(t.d, "
        " '$.custom_fields') = 'object' THEN 'custom_fields.' ELSE '' END || '\"' || cf.name || "
        " '\"' AS path FROM v_tickets t JOIN v_custom_fields cf ON cf.project_id = t.project_id "
        " WHERE t.id = ?1) x "
        "WHERE json_type(x.d, x.path) NOT IN ('null') ORDER BY x.name");
    fields.bind(1, ticket_id);
    while (fields.step()) {
        if (!fields.is_null(1))
            t.fields.push_back({fields.text(0), fields.text(1)});
    }

    auto tasks = state_->prepare(fmt::format(
        "SELECT id, coalesce(json_extract(d, '$.text'), ''), {} FROM v_tasks WHERE ticket_id = ?1 "
        "ORDER BY id",
        flag("d", "done")));
    tasks.bind(1, ticket_id);
    while (tasks.step())
        t.tasks.push_back({tasks.integer(0), tasks.text(1), tasks.integer(2) != 0});

    auto notes = state_->prepare(fmt::format(
        "SELECT n.id, {}, {}, (SELECT json_extract(u.d, '$.name') FROM v_users u WHERE u.id = {}), "
        "coalesce(json_extract(n.d, '$.insert_time'), ''), coalesce(json_extract(n.d, '$.text'), '') "
        "FROM v_notes n WHERE n.ticket_id = ?1 ORDER BY json_extract(n.d, '$.insert_time'), n.id",
        id_of("n.d", "parent_id"), flag("n.d", "private"), id_of("n.d", "owner_id")));
    notes.bind(1, ticket_id);
    std::vector<NoteItem> items;
    std::vector<std::optional<std::int64_t>> parents;
    while (notes.step()) {
        parents.push_back(optional_id(notes, 1));
        auto& note = items.emplace_back();
        note.id = notes.integer(0);
        note.is_private = notes.integer(2) != 0;
        note.author = text_or_empty(notes, 3);
        note.time = notes.text(4);
        note.html = notes.text(5);
    }
    t.attachments = attachments(ticket_id);
    for (auto& note : items)
        for (const auto& file : t.attachments)
            if (file.note_id == note.id)
                note.files.push_back(file);
    t.notes = thread_order(std::move(items), parents);
    return t;
}

namespace {

// A version's top-level fields: name -> JSON text of the value.
std::map<std::string, std::string> fields_of(const sqlite::Connection& db, const std::string& json) {
    sqlite::Statement each(db,
                           "SELECT key, CASE WHEN type IN ('object', 'array') THEN value "
                           "ELSE json_quote(value) END FROM json_each(?1)");
    each.bind(1, json);
    std::map<std::string, std::string> fields;
    while (each.step())
        fields[each.text(0)] = each.text(1);
    return fields;
}

std::vector<FieldChange> changes(const std::map<std::string, std::string>& before,
                                 const std::map<std::string, std::string>& after) {
    std::vector<FieldChange> out;
    for (const auto& [field, value] : after) {
        auto old = before.find(field);
        if (old == before.end() || old->second != value)
            out.push_back({field, old == before.end() ? "" : old->second, value});
    }
    for (const auto& [field, value] : before)
        if (!after.contains(field))
            out.push_back({field, value, ""});
    return out;
}

}  // namespace

std::vector<TicketVersion> ReadModel::history(std::int64_t ticket_id) {
    auto project = state_->prepare(
        fmt::format("SELECT 1 FROM main.tickets t WHERE t.id = ?1{}",
                    state_->in_scope("t.project_id")));
    project.bind(1, ticket_id);
    if (!project.step())
        return {};
    // A tombstoned ticket's last content is already in history (see replica.hpp).
    sqlite::Statement versions(
        state_->connection,
        "SELECT valid_from, valid_to, deleted, data FROM main.history "
        "WHERE resource = 'tickets' AND key = CAST(?1 AS TEXT) AND valid_from <= ?2 "
        "UNION ALL SELECT changed_at, NULL, 0, data FROM main.tickets "
        "WHERE id = ?1 AND deleted_at IS NULL AND changed_at <= ?2 ORDER BY 1");
    versions.bind(1, ticket_id);
    versions.bind(2, state_->at.empty() ? std::string("9999-12-31 23:59:59") : state_->at);
    std::vector<TicketVersion> out;
    std::map<std::string, std::string> previous;
    while (versions.step()) {
        auto fields = fields_of(state_->connection, versions.text(3));
        out.push_back({versions.text(0), text_or_empty(versions, 1), versions.integer(2) != 0,
                       changes(previous, fields)});
        previous = std::move(fields);
    }
    return out;
}

std::vector<SearchHit> ReadModel::search(std::string_view words, std::size_t limit) {
    const auto& scope = state_->projects;
    SearchRequest request{std::string(words), std::nullopt, state_->at,
                          static_cast<std::int64_t>(limit)};
    if (scope.size() == 1)
        request.project = scope.front();
    auto result = store::search(state_->replica, request);
    auto number = [](const Value& value) {
        const auto* n = std::get_if<std::int64_t>(&value);
        return n ? *n : 0;
    };
    std::vector<SearchHit> hits;
    for (const auto& row : result.rows) {
        // kind, project_id, project, ticket_id, ticket, note_id, snippet
        auto project_id = number(row[1]);
        if (!scope.empty() && std::find(scope.begin(), scope.end(), project_id) == scope.end())
            continue;
        hits.push_back({as_text(row[0]), project_id, as_text(row[2]),
                        number(row[3]), as_text(row[4]), as_text(row[6])});
    }
    return hits;
}

std::vector<std::string> ReadModel::dump_tables() const {
    std::vector<std::string> tables;
    for (const auto& spec : state_->specs) {
        tables.emplace_back(spec.table);
        if (state_->at.empty())
            for (const auto& join : spec.joins)
                tables.emplace_back(join.table);
    }
    return tables;
}

TableRows ReadModel::rows(std::string_view table) {
    std::string sql;
    for (const auto& spec : state_->specs) {
        auto scope = [&](const TableSpec& s, std::string_view alias) -> std::string {
            if (s.table == "projects")
                return state_->in_scope(fmt::format("{}.id", alias));
            if (has_column(s, "project_id"))
                return state_->in_scope(fmt::format("{}.project_id", alias));
            if (has_column(s, "ticket_id") && !state_->projects.empty())
                return fmt::format(" AND {}.ticket_id IN (SELECT id FROM v_tickets WHERE 1{})",
                                   alias, state_->in_scope("project_id"));
            return {};
        };
        if (spec.table == table) {
            if (state_->at.empty()) {
                sql = fmt::format("SELECT * FROM main.{} r WHERE r.deleted_at IS NULL{}",
                                  quote_identifier(table), scope(spec, "r"));
            } else {
                std::string columns;
                for (const auto* group : {&spec.key, &spec.columns})
                    for (const auto& column : *group)
                        if (group == &spec.key || !column.references.empty())
                            columns += quote_identifier(column.name) + ", ";
                sql = fmt::format("SELECT {}d AS data FROM v_{} r WHERE 1{}", columns, table,
                                  scope(spec, "r"));
            }
        }
        for (const auto& join : spec.joins) {
            if (join.table == table && state_->at.empty()) {
                const auto& key = spec.key.front();
                sql = fmt::format("SELECT j.* FROM main.{} j JOIN v_{} p ON p.{} = j.{}{}",
                                  quote_identifier(table), spec.table, quote_identifier(key.name),
                                  quote_identifier(schema::parent_column(spec, key)),
                                  scope(spec, "p"));
            }
        }
    }
    if (sql.empty())
        throw StoreError(fmt::format("there is no table {} to dump", table));
    auto statement = std::make_shared<sqlite::Statement>(state_->prepare(sql));
    TableRows out;
    for (int i = 0; i < statement->column_count(); ++i)
        out.columns.push_back(statement->column_name(i));
    out.next = [statement](std::vector<Value>& row) {
        if (!statement->step())
            return false;
        row.clear();
        for (int i = 0; i < statement->column_count(); ++i)
            row.push_back(statement->value(i));
        return true;
    };
    return out;
}

}  // namespace smartq::store
