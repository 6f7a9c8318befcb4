#include "sync/restore/plan.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <simdjson.h>

#include <algorithm>
#include <set>
#include <stdexcept>

#include "store/sqlite.hpp"
#include "sync/wire/normalise.hpp"
#include "sync/wire/values.hpp"

namespace smartq::sync::restore {
namespace {
using store::sqlite::quote_literal;

std::string id_list(const std::vector<std::int64_t>& ids) {
    return fmt::format("({})", fmt::join(ids, ","));
}

bool is_file(Kind kind) {
    return kind == Kind::Files;
}

// The column naming the restore's one parent of each kind.
std::string parent_condition(Kind kind, const Parent& parent) {
    switch (kind) {
        case Kind::Roles:
        case Kind::Steps:
        case Kind::CustomFields:
        case Kind::Tickets:
            return fmt::format("t.project_id = {}", parent.project_id);
        case Kind::CustomFieldValues:
            return fmt::format("t.project_id = {} AND t.field_name = {}", parent.project_id,
                               quote_literal(parent.field_name));
        case Kind::Notes:
        case Kind::Tasks:
            return fmt::format("t.ticket_id = {}", parent.ticket_id);
        case Kind::Files:
            return fmt::format("t.note_id = {}", parent.note_id);
        default:
            throw std::logic_error("the restore plan has no parent for this resource");
    }
}

}  // namespace

PlanReader::PlanReader(store::Replica& replica, Scope scope)
    : replica_(replica), scope_(std::move(scope)) {
    if (!scope_.at.empty())
        replica_.as_of_sql(resource(Kind::Users).table, scope_.at);  // validates
    auto earliest_tombstone = [&](std::string_view table, const std::vector<std::int64_t>& ids,
                                  std::string_view what) {
        for (auto id : ids) {
            auto row =
                replica_.query(fmt::format("SELECT deleted_at FROM {} WHERE id = {}", table, id));
            if (row.rows.empty())
                throw std::invalid_argument(
                    fmt::format("the replica has no {} {}; see `smartq-backup query`", what, id));
            auto deleted = store::as_text(row.rows[0][0]);
            if (!deleted.empty() &&
                (project_deleted_since_.empty() || deleted < project_deleted_since_))
                project_deleted_since_ = deleted;
        }
    };
    earliest_tombstone("projects", scope_.projects, "project");
    earliest_tombstone("tickets", scope_.tickets, "ticket");
}

std::string PlanReader::deleted_filter(const std::string& alias) const {
    if (!scope_.at.empty())
        return "1";
    if (project_deleted_since_.empty())
        return alias + ".deleted_at IS NULL";
    return fmt::format("({0}.deleted_at IS NULL OR {0}.deleted_at >= {1})", alias,
                       quote_literal(project_deleted_since_));
}

// (key, data) of the resource's rows, as now or as of Scope::at, joinable as `t`.
std::string PlanReader::rows_sql(Kind kind) const {
    const auto& r = resource(kind);
    std::string keys, join;
    for (const auto& key : r.table.key) {
        keys += fmt::format("t.{}, ", key.name);
        join += fmt::format("{0}t.{1} = a.{1}", join.empty() ? "" : " AND ", key.name);
    }
    std::string extra = is_file(kind) ? ", t.sha256, t.size" : "";
    if (scope_.at.empty())
        return fmt::format("SELECT {}t.data{} FROM {} t WHERE {}", keys, extra, r.name,
                           deleted_filter("t"));
    return fmt::format("SELECT {}a.data{} FROM ({}) a JOIN {} t ON {} WHERE 1", keys, extra,
                       replica_.as_of_sql(r.table, scope_.at), r.name, join);
}

std::vector<SourceObject> PlanReader::read(Kind kind, const std::string& where) {
    const auto& r = resource(kind);
    auto result = replica_.query(fmt::format("{} AND ({}) ORDER BY {}", rows_sql(kind), where,
                                             kind == Kind::CustomFields ? "t.rowid" : "t.id"));
    std::vector<SourceObject> out;
    std::size_t data = r.table.key.size();
    for (auto& row : result.rows) {
        SourceObject object;
        // Custom fields are keyed (project_id, name): the name is their key.
        object.key = store::as_text(row[data - 1]);
        object.data = store::as_text(row[data]);
        if (is_file(kind)) {
            if (auto* sha = std::get_if<std::string>(&row[data + 1]))
                object.sha256 = *sha;
            if (auto* size = std::get_if<std::int64_t>(&row[data + 2]))
                object.size = *size;
        }
        out.push_back(std::move(object));
    }
    return out;
}

std::vector<SourceObject> PlanReader::projects() {
    if (scope_.whole_account())
        return read(Kind::Projects, "1");
    std::set<std::int64_t> ids(scope_.projects.begin(), scope_.projects.end());
    if (!scope_.tickets.empty()) {
        auto rows = replica_.query(fmt::format(
            "SELECT DISTINCT project_id FROM tickets WHERE id IN {}", id_list(scope_.tickets)));
        for (const auto& row : rows.rows)
            if (auto* id = std::get_if<std::int64_t>(&row[0]))
                ids.insert(*id);
    }
    return read(Kind::Projects, "t.id IN " + id_list({ids.begin(), ids.end()}));
}

std::vector<SourceObject> PlanReader::users() {
    if (scope_.whole_account())
        return read(Kind::Users, "1");
    std::set<std::int64_t> assigned;
    simdjson::dom::parser parser;
    for (const auto& project : projects()) {
        Parent parent;
        parent.project_id = std::stoll(project.key);
        for (const auto& ticket : children(Kind::Tickets, parent)) {
            auto object = parser.parse(ticket.data).value();
            if (auto list = wire::field(object, "assigned_to"))
                for (auto id : wire::ids_in(*list))
                    assigned.insert(id);
        }
    }
    if (assigned.empty())
        return {};
    return read(Kind::Users, "t.id IN " + id_list({assigned.begin(), assigned.end()}));
}

std::vector<SourceObject> PlanReader::children(Kind kind, const Parent& parent) {
    auto where = parent_condition(kind, parent);
    bool project_named = std::find(scope_.projects.begin(), scope_.projects.end(),
                                   parent.project_id) != scope_.projects.end();
    if (kind == Kind::Tickets && !scope_.tickets.empty() && !project_named)
        where += " AND t.id IN " + id_list(scope_.tickets);
    return read(kind, where);
}

std::optional<std::string> PlanReader::default_role(std::int64_t project_id) {
    auto rows = replica_.query(fmt::format(
        "SELECT id FROM roles WHERE project_id = {} AND is_default = 1 LIMIT 1", project_id));
    if (rows.rows.empty())
        return std::nullopt;
    return store::as_text(rows.rows[0][0]);
}

std::string PlanReader::author(std::int64_t user_id) {
    auto rows = replica_.query(fmt::format("SELECT name, email FROM users WHERE id = {}", user_id));
    if (rows.rows.empty())
        return fmt::format("user {}", user_id);
    const auto& row = rows.rows[0];
    return fmt::format("{} <{}>", store::as_text(row[0]), store::as_text(row[1]));
}

}  // namespace smartq::sync::restore
