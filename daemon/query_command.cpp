#include <iostream>

#include "daemon/commands.hpp"
#include "daemon/exit_codes.hpp"
#include "daemon/table_output.hpp"
#include "store/replica.hpp"
#include "sync/account_sync.hpp"
#include "sync/resources.hpp"

namespace smartq::daemon {

int run_query(const config::Config& config, const QueryArgs& args) {
    const auto& account = single_account(config, args.account);
    auto format = parse_output_format(args.format);
    auto path = sync::replica_path(account);
    if (!std::filesystem::exists(path)) {
        throw store::StoreError("account " + account.name + " has no replica yet at " + path.string() +
                                "; run smartq-backup sync first");
    }
    auto replica = store::Replica::open(path, sync::table_specs(), store::Mode::ReadOnly);
    store::QueryResult result;
    try {
        result = replica.query(args.sql);
    } catch (const store::StoreError& error) {
        throw UsageError(std::string("the query failed: ") + error.what());
    }
    print_result(std::cout, result, format);
    return kOk;
}

}  // namespace smartq::daemon
