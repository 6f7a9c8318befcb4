// smartq-sandbox: a smartQ-compatible server for tests, benchmarks, demos and
// restore drills. See --help for the command line and the admin API.
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include "account.hpp"
#include "admin.hpp"
#include "server.hpp"

namespace {

using smartq::sandbox::ServerOptions;

// Written to a temporary name and renamed, so that a reader never sees a
// half-written port.
void write_port_file(const std::filesystem::path& path, std::uint16_t port) {
    auto temporary = path;
    temporary += ".tmp";
    {
        std::ofstream out(temporary, std::ios::trunc);
        out << port << '\n';
        if (!out.flush()) {
            throw std::runtime_error("cannot write the port file " + temporary.string());
        }
    }
    std::filesystem::rename(temporary, path);
}

// SIGTERM and SIGINT are blocked in every thread and taken by sigwait, so the
// server thread never runs a signal handler.
sigset_t stop_signals() {
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    return signals;
}

int run(const ServerOptions& options, const std::string& size_name, const std::string& port_file) {
    const auto signals = stop_signals();
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    smartq::sandbox::Server server(options);
    server.start();
    if (!port_file.empty()) {
        write_port_file(port_file, server.port());
    }
    spdlog::info("smartq-sandbox listening on {}:{}: size {}, seed {}, seeded in {} ms",
                 options.host, server.port(), size_name, options.seed, server.seed_time().count());
    int signal = 0;
    sigwait(&signals, &signal);
    spdlog::info("smartq-sandbox: signal {} received, stopping", signal);
    server.stop();
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    ServerOptions options;
    std::string size_name = "tiny";
    std::string port_file;
    int token_ttl = static_cast<int>(options.token_ttl.count());
    std::string log_level = "info";

    CLI::App app{"smartq-sandbox: a smartQ-compatible HTTP server (API under /api/v1)"};
    app.footer(smartq::sandbox::admin_help);
    app.add_option("--port", options.port, "port to listen on; 0 picks a free one")->required();
    app.add_option("--port-file", port_file, "write the bound port to this file once listening");
    app.add_option("--host", options.host, "address to listen on")->capture_default_str();
    app.add_option("--seed", options.seed, "seed of the generated account")->capture_default_str();
    app.add_option("--size", size_name, "empty, tiny, small, medium or large")
        ->capture_default_str();
    app.add_option("--login", options.login, "the administrator's login")->capture_default_str();
    app.add_option("--password", options.password, "the administrator's password")
        ->capture_default_str();
    app.add_option("--api-key", options.api_key, "the API access key (X-Auth-Client-Id)")
        ->capture_default_str();
    app.add_option("--token-ttl", token_ttl, "lifetime of OAuth2 access tokens, seconds")
        ->capture_default_str()
        ->check(CLI::Range(1, 365 * 24 * 3600));
    app.add_option("--latency-ms", options.faults.latency_ms, "delay before every API answer")
        ->check(CLI::NonNegativeNumber);
    app.add_option("--error-rate", options.faults.error_rate,
                   "share of API requests answered 5xx with an HTML body")
        ->check(CLI::Range(0.0, 1.0));
    app.add_option("--rate-limit", options.faults.rate_limit,
                   "API requests let through in any one second before 429 with Retry-After (0: none)")
        ->check(CLI::NonNegativeNumber);
    app.add_option("--drop-rate", options.faults.drop_rate,
                   "share of API requests whose connection is closed unanswered")
        ->check(CLI::Range(0.0, 1.0));
    app.add_option("--truncate-rate", options.faults.truncate_rate,
                   "share of API answers cut short after the headers")
        ->check(CLI::Range(0.0, 1.0));
    app.add_option("--fault-seed", options.faults.seed, "seed of the fault sequence")
        ->capture_default_str();
    // Hostile transports: writes whose answer is lost, answers too big or too slow.
    app.add_option("--commit-then-drop-rate", options.faults.commit_then_drop_rate,
                   "share of writes carried out, then answered by a closed connection")
        ->check(CLI::Range(0.0, 1.0));
    app.add_option("--commit-then-error-rate", options.faults.commit_then_error_rate,
                   "share of writes carried out, then answered 5xx")
        ->check(CLI::Range(0.0, 1.0));
    app.add_option("--huge-answer-route", options.faults.huge_answer_route,
                   "route answered with an endless (3 GiB) chunked JSON body, e.g. \"GET /projects\"");
    app.add_option("--trickle-route", options.faults.trickle_route,
                   "route whose answer is sent one byte every --trickle-interval-ms");
    app.add_option("--trickle-interval-ms", options.faults.trickle_interval_ms,
                   "pause between the bytes of a trickled answer")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    app.add_option("--page-cap", options.wire.page_cap,
                   "never return more rows per page (0: no cap)")
        ->check(CLI::NonNegativeNumber);
    app.add_option("--size-skew", options.wire.size_skew,
                   "add this to every file's size in its metadata (a lying server)");
    app.add_flag("--keyed-lists", options.wire.keyed_lists, "list data as objects keyed by id");
    app.add_flag("--string-ids", options.wire.string_ids, "ids as JSON strings");
    app.add_flag("--int-bools", options.wire.int_bools, "booleans as 1/0");
    // Sync integrity.
    app.add_flag("--tie-shuffle", options.wire.tie_shuffle,
                 "tickets of equal sort key in a new random order on each request");
    app.add_flag("--bulk-insert-time", options.wire.bulk_insert_time,
                 "new tickets share their project's newest insert_time");
    app.add_flag("--unpaged-lists", options.wire.unpaged_lists,
                 "lists the guide gives no count for answer every row at once");
    app.add_flag("--ignore-offset", options.wire.ignore_offset,
                 "ticket lists answer the first page at every offset");
    app.add_flag("--foreign-tickets", options.wire.foreign_tickets,
                 "a ticket list's first page also holds another project's ticket");
    app.add_option("--children-404", options.wire.children_404,
                   "GETs of this ticket's notes and tasks answer 404");
    app.add_flag("--private-notes-hidden", options.wire.private_notes_hidden,
                 "a private note is listed to its author only");
    // Restore shapes.
    app.add_flag("--nested-custom-fields", options.wire.nested_custom_fields,
                 "ticket custom field values under \"custom_fields\"");
    app.add_option("--root-parent", options.wire.root_parent,
                   "a root note's parent_id: null, 0 or absent")
        ->check(CLI::IsMember({"null", "0", "absent"}))
        ->capture_default_str();
    app.add_flag("--zero-dates", options.wire.zero_dates,
                 "unset dates as \"0000-00-00 00:00:00\"");
    app.add_flag("--empty-arrays", options.wire.empty_arrays, "empty objects as []");
    app.add_flag("--default-steps", options.wire.default_steps,
                 "new projects get steps To Do, In Progress, Done");
    app.add_flag("--required-fields", options.wire.required_fields,
                 "refuse a ticket that lacks a required custom field");
    app.add_flag("--basename-uploads", options.wire.basename_uploads,
                 "cut an upload's file name to its basename");
    app.add_option("--log-level", log_level, "trace, debug, info, warn, error")
        ->capture_default_str();
    CLI11_PARSE(app, argc, argv);

    // Logs go to stderr: stdout stays free for whoever runs us.
    spdlog::set_default_logger(spdlog::stderr_color_mt("smartq-sandbox"));
    spdlog::set_level(spdlog::level::from_str(log_level));
    try {
        options.size = smartq::sandbox::parse_size(size_name);
        options.token_ttl = std::chrono::seconds(token_ttl);
        smartq::sandbox::validate(options.faults);
        return run(options, size_name, port_file);
    } catch (const std::exception& error) {
        spdlog::error("smartq-sandbox: {}", error.what());
        return 1;
    }
}
