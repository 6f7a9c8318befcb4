#include "store/links.hpp"

#include <algorithm>

namespace smartq::store::links {

namespace {

const TableSpec* find_spec(std::span<const TableSpec> specs, std::string_view table) {
    auto it = std::find_if(specs.begin(), specs.end(),
                           [&](const TableSpec& s) { return s.table == table; });
    return it == specs.end() ? nullptr : &*it;
}

void add_declared(std::vector<Link>& found, std::string_view table,
                  std::span<const ColumnSpec> columns) {
    for (const auto& column : columns) {
        if (!column.links_to.empty()) {
            found.push_back({table, column.name, column.links_to});
        }
    }
}

// Every link `table` declares, whether it is a resource table or one of their join tables.
std::vector<Link> declared(std::span<const TableSpec> specs, std::string_view table) {
    std::vector<Link> found;
    for (const auto& spec : specs) {
        if (spec.table == table) {
            add_declared(found, table, spec.key);
            add_declared(found, table, spec.columns);
        }
        for (const auto& join : spec.joins) {
            if (join.table == table) {
                add_declared(found, table, join.columns);
            }
        }
    }
    return found;
}

}  // namespace

std::vector<Link> of(std::span<const TableSpec> specs, std::string_view table) {
    auto found = declared(specs, table);
    std::erase_if(found, [&](const Link& link) {
        const auto* target = find_spec(specs, link.target);
        return target == nullptr || target->key.size() != 1;
    });
    return found;
}

bool is_link(std::span<const TableSpec> specs, std::string_view table, std::string_view column) {
    auto found = declared(specs, table);
    return std::any_of(found.begin(), found.end(),
                       [&](const Link& link) { return link.column == column; });
}

}  // namespace smartq::store::links
