#include "store/links.hpp"

#include <algorithm>
#include <array>

namespace smartq::store::links {

namespace {

constexpr std::array<Link, 7> kLinks{{
    {"projects", "owner_id", "users"},
    {"tickets", "step_id", "steps"},
    {"tickets", "owner_id", "users"},
    {"notes", "owner_id", "users"},
    {"notes", "parent_id", "notes"},
    {"ticket_assignees", "user_id", "users"},
    {"ticket_custom_field_values", "value_id", "custom_field_values"},
}};

const TableSpec* find_spec(std::span<const TableSpec> specs, std::string_view table) {
    auto it = std::find_if(specs.begin(), specs.end(),
                           [&](const TableSpec& s) { return s.table == table; });
    return it == specs.end() ? nullptr : &*it;
}

bool has_column(std::span<const ColumnSpec> columns, std::string_view name) {
    return std::any_of(columns.begin(), columns.end(),
                       [&](const ColumnSpec& c) { return c.name == name; });
}

// The columns `table` has, whether it is a resource table or one of their join tables.
bool table_has_column(std::span<const TableSpec> specs, std::string_view table,
                      std::string_view column) {
    for (const auto& spec : specs) {
        if (spec.table == table) {
            return has_column(spec.key, column) || has_column(spec.columns, column);
        }
        for (const auto& join : spec.joins) {
            if (join.table == table) {
                return has_column(join.columns, column);
            }
        }
    }
    return false;
}

}  // namespace

std::vector<Link> of(std::span<const TableSpec> specs, std::string_view table) {
    std::vector<Link> found;
    for (const auto& link : kLinks) {
        const auto* target = find_spec(specs, link.target);
        if (link.table == table && target != nullptr && target->key.size() == 1 &&
            table_has_column(specs, table, link.column)) {
            found.push_back(link);
        }
    }
    return found;
}

bool is_link(std::string_view table, std::string_view column) {
    return std::any_of(kLinks.begin(), kLinks.end(), [&](const Link& link) {
        return link.table == table && link.column == column;
    });
}

}  // namespace smartq::store::links
