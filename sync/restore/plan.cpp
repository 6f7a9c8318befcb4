#include "sync/restore/plan.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <array>
#include <set>
#include <stdexcept>

#include "store/tree_rows.hpp"
#include "sync/wire/normalise.hpp"
#include "sync/wire/values.hpp"

namespace smartq::sync::restore {
using store::RowQuery;

PlanReader::PlanReader(store::Replica& replica, Scope scope)
    : replica_(replica), scope_(std::move(scope)) {
    if (!scope_.at.empty())
        replica_.as_of_sql(resource(Kind::Users).table, scope_.at);  // validates
    auto earliest_tombstone = [&](Kind kind, const std::vector<std::int64_t>& ids,
                                  std::string_view what) {
        for (auto id : ids) {
            std::array<store::Value, 1> key{id};
            auto row = replica_.find(resource(kind).table, key);
            if (!row)
                throw std::invalid_argument(
                    fmt::format("the replica has no {} {}; see `smartq-backup query`", what, id));
            const auto& deleted = row->deleted_at;
            if (deleted && !deleted->empty() &&
                (project_deleted_since_.empty() || *deleted < project_deleted_since_))
                project_deleted_since_ = *deleted;
        }
    };
    earliest_tombstone(Kind::Projects, scope_.projects, "project");
    earliest_tombstone(Kind::Tickets, scope_.tickets, "ticket");
}

// The resource's rows of one parent, as now or as of Scope::at: live ones, and those deleted
// since a named root was.
std::vector<SourceObject> PlanReader::read(Kind kind, store::RowQuery query) {
    const auto& spec = resource(kind).table;
    query.at = scope_.at;
    query.deleted_since = project_deleted_since_;
    // Objects known by a name, not an id (custom fields: (project_id, name)) are read in the
    // order the server listed them.
    const auto& r = resource(kind);
    if (r.columns[r.key_columns - 1].convert != Convert::Id)
        query.order = RowQuery::Order::Stored;
    std::vector<SourceObject> out;
    for (auto& row : store::select_rows(replica_, spec, query)) {
        SourceObject object;
        // Custom fields are keyed (project_id, name): the name is their key.
        object.key = store::as_text(row.key.back());
        object.data = std::move(row.data);
        if (r.restore.hook == RestoreHook::FileBodies) {
            if (auto* sha =
                    std::get_if<std::string>(&store::typed_value(spec, row.columns, "sha256")))
                object.sha256 = *sha;
            if (auto* size =
                    std::get_if<std::int64_t>(&store::typed_value(spec, row.columns, "size")))
                object.size = *size;
        }
        out.push_back(std::move(object));
    }
    return out;
}

std::vector<SourceObject> PlanReader::projects() {
    if (scope_.whole_account())
        return read(Kind::Projects, {});
    std::set<std::int64_t> ids(scope_.projects.begin(), scope_.projects.end());
    if (!scope_.tickets.empty()) {
        const auto& tickets = resource(Kind::Tickets).table;
        RowQuery named{.ids = scope_.tickets, .deleted = RowQuery::Deleted::Included};
        for (const auto& row : store::select_rows(replica_, tickets, named))
            if (auto* id = std::get_if<std::int64_t>(
                    &store::typed_value(tickets, row.columns, "project_id")))
                ids.insert(*id);
    }
    return read(Kind::Projects, {.ids = std::vector<std::int64_t>(ids.begin(), ids.end())});
}

std::vector<SourceObject> PlanReader::users() {
    if (scope_.whole_account())
        return read(Kind::Users, {});
    std::set<std::int64_t> assigned;
    simdjson::dom::parser parser;
    for (const auto& project : projects()) {
        Context parent;
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
    return read(Kind::Users, {.ids = std::vector<std::int64_t>(assigned.begin(), assigned.end())});
}

// Each root is narrowed by the scope its own way: projects to those named (and those of the
// named tickets), users to the assignees of the tickets in scope.
std::vector<SourceObject> PlanReader::of_account(Kind kind) {
    return kind == Kind::Users ? users() : projects();
}

std::vector<SourceObject> PlanReader::children(Kind kind, const Context& parent) {
    RowQuery query{.equal = parent_columns(resource(kind), parent)};
    bool project_named = std::find(scope_.projects.begin(), scope_.projects.end(),
                                   parent.project_id) != scope_.projects.end();
    if (kind == Kind::Tickets && !scope_.tickets.empty() && !project_named)
        query.ids = scope_.tickets;
    return read(kind, std::move(query));
}

std::optional<std::string> PlanReader::default_role(std::int64_t project_id) {
    RowQuery query{.equal = {{"project_id", project_id}, {"is_default", std::int64_t{1}}},
                   .deleted = RowQuery::Deleted::Included};
    auto rows = store::select_rows(replica_, resource(Kind::Roles).table, query);
    if (rows.empty())
        return std::nullopt;
    return store::as_text(rows.front().key.front());
}

std::string PlanReader::author(std::int64_t user_id) {
    const auto& users = resource(Kind::Users).table;
    std::array<store::Value, 1> key{user_id};
    auto row = replica_.find(users, key);
    if (!row)
        return fmt::format("user {}", user_id);
    return fmt::format("{} <{}>", store::as_text(store::typed_value(users, row->columns, "name")),
                       store::as_text(store::typed_value(users, row->columns, "email")));
}

}  // namespace smartq::sync::restore
