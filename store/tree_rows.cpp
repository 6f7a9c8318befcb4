#include "store/tree_rows.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "store/errors.hpp"
#include "store/schema.hpp"
#include "store/sqlite.hpp"

namespace smartq::store {
namespace {

using sqlite::quote_identifier;

// A statement's conditions and the values they bind, numbered in order.
class Conditions {
  public:
    std::string bind(Value value) {
        params_.push_back(std::move(value));
        return fmt::format("?{}", params_.size());
    }
    void add(std::string condition) { conditions_.push_back(std::move(condition)); }

    std::string where() const {
        return conditions_.empty() ? std::string()
                                   : fmt::format(" WHERE {}", fmt::join(conditions_, " AND "));
    }
    const std::vector<Value>& params() const { return params_; }

  private:
    std::vector<std::string> conditions_;
    std::vector<Value> params_;
};

// t.<key columns>, t.<typed columns>, then data and liveness as given.
std::string selected(const TableSpec& spec, std::string_view data, std::string_view live) {
    std::string out;
    for (const auto* group : {&spec.key, &spec.columns})
        for (const auto& column : *group)
            out += fmt::format("t.{}, ", quote_identifier(column.name));
    return fmt::format("{}{}, {}", out, data, live);
}

std::vector<TreeRow> read(Replica& replica, const TableSpec& spec, const std::string& sql,
                          const Conditions& conditions) {
    auto result = replica.query(sql, conditions.params());
    std::vector<TreeRow> rows;
    rows.reserve(result.rows.size());
    auto keys = spec.key.size();
    auto columns = spec.columns.size();
    for (auto& values : result.rows) {
        TreeRow row;
        auto at = values.begin();
        row.key.assign(std::make_move_iterator(at), std::make_move_iterator(at + keys));
        at += keys;
        row.columns.assign(std::make_move_iterator(at), std::make_move_iterator(at + columns));
        at += columns;
        row.data = as_text(*at);
        row.live = std::get<std::int64_t>(*(at + 1)) != 0;
        rows.push_back(std::move(row));
    }
    return rows;
}

void require_id(const TableSpec& spec) {
    schema::column(spec, "id");
}

}  // namespace

std::vector<TreeRow> select_rows(Replica& replica, const TableSpec& spec, const RowQuery& query) {
    Conditions conditions;
    for (const auto& [name, value] : query.equal)
        conditions.add(fmt::format("t.{} = {}", quote_identifier(schema::column(spec, name).name),
                                   conditions.bind(value)));
    if (query.ids) {
        require_id(spec);
        conditions.add(
            fmt::format("t.id IN (SELECT value FROM json_each({}))",
                        conditions.bind(fmt::format("[{}]", fmt::join(*query.ids, ",")))));
    }
    std::string from;
    std::string live = "t.deleted_at IS NULL";
    if (query.at.empty()) {
        from = fmt::format("SELECT {} FROM main.{} t", selected(spec, "t.data", live),
                           quote_identifier(spec.table));
        if (query.deleted == RowQuery::Deleted::Excluded && query.deleted_since.empty())
            conditions.add(live);
        else if (query.deleted == RowQuery::Deleted::Excluded)
            conditions.add(fmt::format("(t.deleted_at IS NULL OR t.deleted_at >= {})",
                                       conditions.bind(query.deleted_since)));
    } else {
        std::vector<std::string> same_key;
        for (const auto& key : spec.key)
            same_key.push_back(fmt::format("t.{0} = a.{0}", quote_identifier(key.name)));
        from = fmt::format("SELECT {} FROM ({}) a JOIN main.{} t ON {}",
                           selected(spec, "a.data", "1"), replica.as_of_sql(spec, query.at),
                           quote_identifier(spec.table), fmt::join(same_key, " AND "));
    }
    auto order = query.order == RowQuery::Order::Id ? "t.id" : "t.rowid";
    if (query.order == RowQuery::Order::Id)
        require_id(spec);
    return read(replica, spec, fmt::format("{}{} ORDER BY {}", from, conditions.where(), order),
                conditions);
}

std::vector<TreeRow> rows_under_live_tickets(Replica& replica, const TableSpec& spec,
                                             std::int64_t project) {
    schema::column(spec, "ticket_id");
    Conditions conditions;
    auto sql = fmt::format(
        "SELECT {} FROM main.{} t JOIN main.tickets p ON p.id = t.ticket_id "
        "WHERE p.project_id = {} AND p.deleted_at IS NULL ORDER BY t.rowid",
        selected(spec, "t.data", "t.deleted_at IS NULL"), quote_identifier(spec.table),
        conditions.bind(project));
    return read(replica, spec, sql, conditions);
}

const Value& typed_value(const TableSpec& spec, const std::vector<Value>& columns,
                         std::string_view name) {
    for (std::size_t i = 0; i < spec.columns.size() && i < columns.size(); ++i)
        if (spec.columns[i].name == name)
            return columns[i];
    throw StoreError(fmt::format("{} has no typed column {}", spec.table, name));
}

}  // namespace smartq::store
