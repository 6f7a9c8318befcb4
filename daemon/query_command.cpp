#include <cctype>
#include <iostream>

#include "daemon/commands.hpp"
#include "daemon/exit_codes.hpp"
#include "daemon/table_output.hpp"
#include "store/replica.hpp"
#include "sync/account_sync.hpp"
#include "sync/table_specs.hpp"
#include "sync/wire/time.hpp"

namespace smartq::daemon {
namespace {

// Rewrites `sql` so that every resource table name means that table as of
// `time`: a common table expression of the same name shadows the table.
// Such a table has the key columns, `data` and a NULL `deleted_at`.
std::string as_of(store::Replica& replica, const std::string& sql, const std::string& time) {
    auto parsed = wire::parse_time(time);
    if (!parsed)
        throw UsageError("'" + time + "' is not a time; use YYYY-MM-DD HH:MM:SS or ISO 8601");
    auto at = wire::format_time(*parsed);
    std::string ctes;
    for (const auto& spec : sync::table_specs()) {
        ctes += (ctes.empty() ? "" : ", ") + std::string(spec.table) +
                " AS (SELECT *, NULL AS deleted_at FROM (" + replica.as_of_sql(spec, at) + "))";
    }
    // The user's own WITH clause joins ours.
    std::string_view rest = sql;
    while (!rest.empty() && std::isspace(static_cast<unsigned char>(rest.front())))
        rest.remove_prefix(1);
    auto starts_with = [&](std::string_view word) {
        if (rest.size() < word.size())
            return false;
        for (std::size_t i = 0; i < word.size(); ++i)
            if (std::toupper(static_cast<unsigned char>(rest[i])) != word[i])
                return false;
        return rest.size() == word.size() ||
               std::isspace(static_cast<unsigned char>(rest[word.size()]));
    };
    if (starts_with("WITH")) {
        rest.remove_prefix(4);
        std::string keyword = "WITH ";
        while (!rest.empty() && std::isspace(static_cast<unsigned char>(rest.front())))
            rest.remove_prefix(1);
        if (starts_with("RECURSIVE")) {
            rest.remove_prefix(9);
            keyword = "WITH RECURSIVE ";
        }
        return keyword + ctes + ", " + std::string(rest);
    }
    return "WITH " + ctes + " " + std::string(rest);
}

}  // namespace

int run_query(const config::Config& config, const QueryArgs& args) {
    const auto& account = single_account(config, args.account);
    auto format = parse_output_format(args.format);
    auto path = sync::replica_path(account);
    if (!std::filesystem::exists(path)) {
        throw store::StoreError("account " + account.name + " has no replica yet at " +
                                path.string() + "; run smartq-backup sync first");
    }
    auto replica = store::Replica::open(path, sync::table_specs(), store::Mode::ReadOnly);
    store::QueryResult result;
    try {
        result = replica.query(args.at.empty() ? args.sql : as_of(replica, args.sql, args.at));
    } catch (const store::StoreError& error) {
        throw UsageError(std::string("the query failed: ") + error.what());
    }
    print_result(std::cout, result, format);
    return kOk;
}

}  // namespace smartq::daemon
