#include "store/cascade.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <string_view>
#include <vector>

#include "store/sqlite.hpp"

namespace smartq::store {

using sqlite::quote_identifier;

namespace {

// The columns of `child` referencing each other table, in order: they map onto its key.
std::map<std::string_view, std::vector<std::string_view>> parents_of(const TableSpec& child) {
    std::map<std::string_view, std::vector<std::string_view>> parents;
    for (const auto* columns : {&child.key, &child.columns})
        for (const auto& column : *columns)
            if (!column.references.empty() && column.references != child.table)
                parents[column.references].push_back(column.name);
    return parents;
}

// The keys of the live rows of `child` whose row in `parent` is tombstoned.
std::string orphans_sql(const TableSpec& child, const std::vector<std::string_view>& columns,
                        const TableSpec& parent) {
    std::string keys;
    for (const auto& key : child.key)
        keys += fmt::format("{}c.{}", keys.empty() ? "" : ", ", quote_identifier(key.name));
    std::string on;
    for (std::size_t i = 0; i < columns.size(); ++i)
        on += fmt::format("{}p.{} = c.{}", i ? " AND " : "", quote_identifier(parent.key[i].name),
                          quote_identifier(columns[i]));
    return fmt::format(
        "SELECT {} FROM {} c JOIN {} p ON {} WHERE c.deleted_at IS NULL AND p.deleted_at IS NOT "
        "NULL",
        keys, quote_identifier(child.table), quote_identifier(parent.table), on);
}

}  // namespace

std::map<std::string, std::int64_t> cascade_tombstones(Replica& replica,
                                                       std::span<const TableSpec> specs,
                                                       RunId run) {
    std::map<std::string, std::int64_t> marked;
    auto tx = replica.begin();
    for (const auto& child : specs) {
        for (const auto& [table, columns] : parents_of(child)) {
            auto parent = std::find_if(specs.begin(), specs.end(),
                                       [&](const TableSpec& spec) { return spec.table == table; });
            if (parent == specs.end() || parent->key.size() != columns.size())
                continue;
            for (const auto& key : replica.query(orphans_sql(child, columns, *parent)).rows)
                if (replica.tombstone(child, key, run))
                    ++marked[std::string(child.resource)];
        }
    }
    tx.commit();
    return marked;
}

}  // namespace smartq::store
