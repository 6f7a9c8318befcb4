// `serve`: the pages of the export, live from the replica and read-only, with
// search, ticket histories and ?at=TIME (view/site.hpp, view/web_server.hpp).
// Loopback only, unless serve_password_file guards it with Basic auth.
#include <utility>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdio>
#include <memory>

#include "config/config_error.hpp"
#include "config/secret_source.hpp"
#include "daemon/commands.hpp"
#include "daemon/exit_codes.hpp"
#include "store/errors.hpp"
#include "sync/account_sync.hpp"
#include "sync/table_specs.hpp"
#include "view/web_server.hpp"

namespace smartq::daemon {
namespace {

struct ServeArgs {
    std::string account;
    std::string listen = "127.0.0.1:8080";
};

// The password every request must carry, or none for a loopback address.
std::optional<config::Secret> password_for(const config::Config& config, const std::string& listen) {
    bool loopback = false;
    try {
        loopback = view::is_loopback(listen);
    } catch (const std::runtime_error& error) {
        throw UsageError(std::string("--listen: ") + error.what());
    }
    if (!config.serve_password_file) {
        if (loopback)
            return std::nullopt;
        throw config::ConfigError("serving on " + listen +
                                  ", beyond this machine, needs serve_password_file in " +
                                  config.source.string());
    }
    try {
        return config::read_secret_file(*config.serve_password_file);
    } catch (const std::invalid_argument& error) {
        throw config::ConfigError(std::string("serve_password_file: ") + error.what());
    }
}

int run_serve(const config::Config& config, const ServeArgs& args) {
    const auto& account = single_account(config, args.account);
    auto password = password_for(config, args.listen);
    auto replica = sync::replica_path(account);
    if (!std::filesystem::exists(replica))
        throw store::StoreError("account " + account.name + " has no replica yet at " +
                                replica.string() + "; run smartq-backup sync first");
    view::Site site({account.name, replica, sync::blobs_path(account), sync::table_specs()});
    boost::asio::io_context io;
    std::unique_ptr<view::WebServer> server;
    try {
        server = std::make_unique<view::WebServer>(io.get_executor(), args.listen, site,
                                                   std::move(password));
    } catch (const std::runtime_error& error) {
        throw UsageError(std::string(error.what()) + "; choose another --listen");
    }
    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    // Stopping is how a server ends its work, as the daemon's does: exit 0.
    signals.async_wait([&](const boost::system::error_code& ec, int) {
        if (ec)
            return;
        server->stop();
        io.stop();
    });
    auto host = args.listen.substr(0, args.listen.rfind(':'));
    std::printf("Serving account %s read-only at http://%s:%u/ (Ctrl-C stops).\n",
                account.name.c_str(), host.c_str(), server->port());
    std::fflush(stdout);
    spdlog::info("serve: account {} on {}", account.name, args.listen);
    io.run();
    return kOk;
}

}  // namespace

std::function<std::optional<int>(const config::Config&)> add_serve_command(CLI::App& app) {
    auto args = std::make_shared<ServeArgs>();
    auto* command = app.add_subcommand(
        "serve", "serve a replica's pages read-only over HTTP, with search, history and ?at=");
    command->add_option("--account", args->account, "the account (default: the only one)");
    command->add_option("--listen", args->listen,
                        "HOST:PORT to listen on (default: 127.0.0.1:8080; port 0: any free port); "
                        "beyond loopback needs serve_password_file");
    return [command, args](const config::Config& config) -> std::optional<int> {
        if (!*command)
            return std::nullopt;
        return run_serve(config, *args);
    };
}

}  // namespace smartq::daemon
