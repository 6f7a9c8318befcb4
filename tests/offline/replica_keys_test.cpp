// The replica's foreign keys against the resource table: every reference the restore remaps is a
// link Datasette and sqlite-utils can follow, read as they read it (PRAGMA foreign_key_list).
#include <doctest/doctest.h>

#include <algorithm>
#include <set>
#include <string>

#include "store/replica.hpp"
#include "support/temp_dir.hpp"
#include "sync/resources.hpp"

using namespace smartq;

namespace {

bool has_column(const store::TableSpec& spec, std::string_view name) {
    auto named = [&](const store::ColumnSpec& c) { return c.name == name; };
    return std::any_of(spec.key.begin(), spec.key.end(), named) ||
           std::any_of(spec.columns.begin(), spec.columns.end(), named);
}

// "column>table(key)" of each FOREIGN KEY of `table`.
std::set<std::string> foreign_keys(store::Replica& replica, std::string_view table) {
    std::set<std::string> keys;
    auto rows = replica.query(
        "SELECT \"from\" || '>' || \"table\" || '(' || \"to\" || ')' FROM "
        "pragma_foreign_key_list('" +
        std::string(table) + "')");
    for (const auto& row : rows.rows) {
        keys.insert(std::get<std::string>(row[0]));
    }
    return keys;
}

}  // namespace

TEST_CASE("every reference of the resource table is a foreign key of the replica") {
    test::TempDir dir;
    auto replica =
        store::Replica::open(dir / "replica.db", sync::table_specs(), store::Mode::ReadWrite);
    std::set<std::string> without_column;
    for (const auto& resource : sync::resources()) {
        for (const auto& reference : resource.references) {
            const auto& target = sync::resource(reference.target).table;
            REQUIRE(target.key.size() == 1);
            auto wanted = [&](std::string_view column) {
                return std::string(column) + ">" + std::string(target.table) + "(" +
                       std::string(target.key[0].name) + ")";
            };
            CAPTURE(resource.name);
            CAPTURE(reference.field);
            if (has_column(resource.table, reference.field)) {
                CHECK(
                    foreign_keys(replica, resource.table.table).contains(wanted(reference.field)));
                continue;
            }
            // A list of ids (assigned_to) is a join table's rows, one id each.
            auto in_join = std::any_of(
                resource.table.joins.begin(), resource.table.joins.end(),
                [&](const store::JoinSpec& join) {
                    return std::any_of(
                        join.columns.begin(), join.columns.end(), [&](const store::ColumnSpec& c) {
                            return foreign_keys(replica, join.table).contains(wanted(c.name));
                        });
                });
            if (!in_join) {
                without_column.insert(std::string(resource.name) + "." +
                                      std::string(reference.field));
            }
        }
    }
    // A role's highest step lives only in `data`: there is no column to declare a key on.
    CHECK(without_column == std::set<std::string>{"roles.max_step"});
}

TEST_CASE("the owners of projects, tickets and notes are foreign keys to users") {
    test::TempDir dir;
    auto replica =
        store::Replica::open(dir / "replica.db", sync::table_specs(), store::Mode::ReadWrite);
    for (auto table : {"projects", "tickets", "notes"}) {
        CAPTURE(table);
        CHECK(foreign_keys(replica, table).contains("owner_id>users(id)"));
    }
}
