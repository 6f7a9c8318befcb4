#include <utility>

#include <doctest/doctest.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "daemon/metrics.hpp"
#include "daemon/store_size.hpp"
#include "support/http_client.hpp"
#include "support/text.hpp"

using namespace smartq;
using namespace std::chrono_literals;

namespace {
using smartq::test::contains;

store::RunInfo run_with(std::int64_t requests, std::int64_t bytes, store::RunStatus status) {
    store::RunInfo run;
    run.status = status;
    run.requests = requests;
    run.bytes = bytes;
    run.records["tickets"] = {3, 1, 10, 2};
    run.records["users"] = {1, 0, 4, 0};
    return run;
}

}  // namespace

TEST_CASE(
    "runs, failures, records, bytes, requests, duration and last success are rendered per "
    "account") {
    daemon::Metrics metrics;
    auto ended = std::chrono::system_clock::from_time_t(1700000000);
    metrics.record_run("acme", run_with(20, 5000, store::RunStatus::Ok), store::RunStatus::Ok, 2.5s,
                       ended);
    metrics.record_run("acme", run_with(5, 100, store::RunStatus::Failed), store::RunStatus::Failed,
                       1s, ended + 60s);
    metrics.record_run("beta", std::nullopt, store::RunStatus::Failed, 0.25s, ended);
    auto text = metrics.render();
    CHECK(contains(text, "# TYPE smartq_runs_total counter\n"));
    CHECK(contains(text, "smartq_runs_total{account=\"acme\"} 2\n"));
    CHECK(contains(text, "smartq_run_failures_total{account=\"acme\"} 1\n"));
    CHECK(contains(text, "smartq_records_total{account=\"acme\",change=\"inserted\"} 8\n"));
    CHECK(contains(text, "smartq_records_total{account=\"acme\",change=\"unchanged\"} 28\n"));
    CHECK(contains(text, "smartq_records_total{account=\"acme\",change=\"deleted\"} 4\n"));
    CHECK(contains(text, "smartq_received_bytes_total{account=\"acme\"} 5100\n"));
    CHECK(contains(text, "smartq_requests_total{account=\"acme\"} 25\n"));
    CHECK(contains(text, "smartq_last_run_duration_seconds{account=\"acme\"} 1.000\n"));
    CHECK(contains(text, "smartq_last_success_timestamp_seconds{account=\"acme\"} 1700000000\n"));
    CHECK(contains(text, "smartq_runs_total{account=\"beta\"} 1\n"));
    CHECK(contains(text, "smartq_run_failures_total{account=\"beta\"} 1\n"));
    CHECK_FALSE(contains(text, "smartq_last_success_timestamp_seconds{account=\"beta\"}"));
    CHECK(contains(text, "smartq_sync_running{account=\"beta\"} 0\n"));
}

TEST_CASE("an interrupted run is neither a failure nor a success") {
    daemon::Metrics metrics;
    metrics.record_run("acme", std::nullopt, store::RunStatus::Interrupted, 1s,
                       std::chrono::system_clock::now());
    CHECK(metrics.accounts().at("acme").runs == 1);
    CHECK(metrics.accounts().at("acme").failures == 0);
    CHECK_FALSE(metrics.accounts().at("acme").last_success_unix.has_value());
}

TEST_CASE("label values are escaped and forgotten accounts disappear") {
    daemon::Metrics metrics;
    metrics.set_running("a\"b\\c", true);
    CHECK(contains(metrics.render(), "smartq_sync_running{account=\"a\\\"b\\\\c\"} 1\n"));
    metrics.forget("a\"b\\c");
    CHECK_FALSE(contains(metrics.render(), "a\\\"b"));
}

TEST_CASE("the listener serves GET and HEAD /metrics and refuses the rest") {
    boost::asio::io_context io;
    daemon::Metrics metrics;
    metrics.set_running("acme", true);
    daemon::MetricsServer server(io.get_executor(), "127.0.0.1:0", metrics);
    std::thread thread([&] { io.run(); });
    auto port = server.port();

    auto ok = test::http(port, "GET", "/metrics");
    CHECK(ok.status == 200);
    CHECK(ok.header("Content-Type") == "text/plain; version=0.0.4; charset=utf-8");
    CHECK(contains(ok.body, "smartq_sync_running{account=\"acme\"} 1\n"));
    CHECK(test::http(port, "GET", "/metrics?x=1").status == 200);
    auto head = test::http(port, "HEAD", "/metrics");
    CHECK(head.status == 200);
    CHECK(head.body.empty());
    CHECK(test::http(port, "GET", "/").status == 404);
    CHECK(test::http(port, "POST", "/metrics", {}, "x").status == 405);
    // An HTTP parser, not a split on spaces: a bad version or header line is
    // refused, an HTTP/1.0 request answered.
    CHECK(test::HttpConnection(port).raw("GET /metrics HTTP/1.0\r\n\r\n").status == 200);
    CHECK(test::HttpConnection(port).raw("GET /metrics FTP/9\r\n\r\n").status == 400);
    CHECK(test::HttpConnection(port).raw("GET /metrics HTTP/1.1\r\nno colon\r\n\r\n").status ==
          400);
    test::HttpConnection garbage(port);
    CHECK(garbage.raw("nonsense\r\n\r\n").status == 400);
    test::HttpConnection huge(port);
    CHECK(huge.raw("GET /metrics HTTP/1.1\r\nX: " + std::string(10000, 'a') + "\r\n\r\n").status ==
          0);

    boost::asio::post(io, [&] { server.stop(); });
    thread.join();
}

TEST_CASE("a listen address that cannot be used is refused with the address") {
    boost::asio::io_context io;
    daemon::Metrics metrics;
    for (const char* bad : {"localhost:9464", "127.0.0.1", "127.0.0.1:99999", "127.0.0.1:http",
                            "127.0.0.1:", "[::1:9464"}) {
        CAPTURE(bad);
        CHECK_THROWS_AS(daemon::MetricsServer(io.get_executor(), bad, metrics), std::runtime_error);
    }
    daemon::MetricsServer first(io.get_executor(), "127.0.0.1:0", metrics);
    auto taken = "127.0.0.1:" + std::to_string(first.port());
    CHECK_THROWS_WITH_AS(daemon::MetricsServer(io.get_executor(), taken, metrics),
                         doctest::Contains(taken.c_str()), std::runtime_error);
}

TEST_CASE("build info, and the last status and success remembered from the replica") {
    daemon::Metrics metrics("1.2.3");
    store::RunInfo partial = run_with(1, 1, store::RunStatus::Partial);
    store::RunInfo ok = run_with(1, 1, store::RunStatus::Ok);
    ok.ended_at = "2001-09-09 01:46:40";
    metrics.remember("acme", partial, ok);
    metrics.remember("fresh", std::nullopt, std::nullopt);
    auto text = metrics.render();
    CHECK(
        contains(text, "# TYPE smartq_build_info gauge\nsmartq_build_info{version=\"1.2.3\"} 1\n"));
    CHECK(contains(text, "smartq_last_success_timestamp_seconds{account=\"acme\"} 1000000000\n"));
    CHECK(contains(text, "smartq_last_run_status{account=\"acme\",status=\"partial\"} 1\n"));
    CHECK(contains(text, "smartq_last_run_status{account=\"acme\",status=\"ok\"} 0\n"));
    CHECK_FALSE(contains(text, "smartq_last_run_status{account=\"fresh\""));
    // Remembered totals would double count: runs of this process only.
    CHECK(contains(text, "smartq_runs_total{account=\"acme\"} 0\n"));

    // A run of this process replaces what was remembered.
    auto ended = std::chrono::system_clock::from_time_t(1700000000);
    metrics.record_run("acme", ok, store::RunStatus::Ok, 1s, ended);
    text = metrics.render();
    CHECK(contains(text, "smartq_last_success_timestamp_seconds{account=\"acme\"} 1700000000\n"));
    CHECK(contains(text, "smartq_last_run_status{account=\"acme\",status=\"ok\"} 1\n"));
    CHECK(contains(text, "smartq_last_run_status{account=\"acme\",status=\"partial\"} 0\n"));
}

namespace {

// A histogram's samples are its family's name with _bucket, _sum or _count.
std::string histogram_family(const std::string& sample,
                             const std::map<std::string, std::string>& types) {
    for (std::string_view suffix : {"_bucket", "_sum", "_count"}) {
        if (!sample.ends_with(suffix))
            continue;
        auto family = sample.substr(0, sample.size() - suffix.size());
        auto type = types.find(family);
        if (type != types.end() && type->second == "histogram")
            return family;
    }
    return sample;
}

// The Prometheus text format (0.0.4) as promtool checks it: every family has
// one HELP and one TYPE before its samples, samples of a family are together,
// names and label names are valid, label values are quoted and escaped,
// counters end in _total, values are numbers and no series appears twice.
std::vector<std::string> format_problems(const std::string& text) {
    static const std::regex comment(R"(# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.+))");
    static const std::regex sample(
        R"(([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="(\\[\\"n]|[^\\"\n])*")(,[a-zA-Z_][a-zA-Z0-9_]*="(\\[\\"n]|[^\\"\n])*")*\})? (-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?|NaN|[+-]Inf))");
    static const std::regex type("counter|gauge|histogram|summary|untyped");
    std::vector<std::string> problems;
    std::map<std::string, std::string> types;
    std::set<std::string> helped, finished, series;
    std::string current;
    std::istringstream lines(text);
    std::string line;
    if (text.empty() || text.back() != '\n')
        problems.push_back("the text does not end with a newline");
    while (std::getline(lines, line)) {
        std::smatch m;
        if (std::regex_match(line, m, comment)) {
            auto name = m[2].str();
            if (name != current) {
                if (!current.empty())
                    finished.insert(current);
                if (finished.contains(name))
                    problems.push_back(name + " is split into two groups");
                current = name;
            }
            if (m[1] == "TYPE") {
                if (types.contains(name) || !std::regex_match(m[3].str(), type))
                    problems.push_back("bad or second TYPE: " + line);
                types[name] = m[3];
            } else if (!helped.insert(name).second) {
                problems.push_back("second HELP: " + line);
            }
        } else if (std::regex_match(line, m, sample)) {
            auto name = histogram_family(m[1].str(), types);
            if (name != current || !types.contains(name) || !helped.contains(name))
                problems.push_back("sample without its HELP and TYPE just above: " + line);
            if (types[name] == "counter" && !name.ends_with("_total"))
                problems.push_back("counter without _total: " + name);
            if (!series.insert(line.substr(0, line.rfind(' '))).second)
                problems.push_back("series twice: " + line);
        } else {
            problems.push_back("not the text format: " + line);
        }
    }
    return problems;
}

}  // namespace

TEST_CASE("the exposition text keeps the format promtool checks") {
    daemon::Metrics metrics("0.1.0-\"odd\"\\");
    for (const char* name : {"acme", "b\"ack\\slash\nnewline", "idle"}) {
        metrics.remember(name, run_with(1, 1, store::RunStatus::Failed), std::nullopt);
        metrics.set_store_size(name, {.replica_bytes = 4096, .blob_bytes = 7});
    }
    metrics.record_run("acme", run_with(5, 900, store::RunStatus::Ok), store::RunStatus::Ok, 2s,
                       std::chrono::system_clock::from_time_t(1700000000));
    metrics.set_running("acme", true);
    http::Stats transport;
    transport.durations.observe(0.2s);
    transport.answers[0] = 1;
    metrics.record_transport("acme", transport);
    auto text = metrics.render();
    CHECK(format_problems(text) == std::vector<std::string>{});
    CHECK(contains(text, "smartq_replica_bytes{account=\"acme\"} 4096\n"));
    CHECK(contains(text, "smartq_blob_bytes{account=\"b\\\"ack\\\\slash\\nnewline\"} 7\n"));

    // The checker itself: each of these breaks one rule and must be caught.
    for (std::string broken : {
             "# HELP a_total x\n# TYPE a_total counter\na_total{l=\"v\"} 1\na_total{l=\"v\"} 2\n",
             "# HELP a x\n# TYPE a counter\na 1\n",
             "a 1\n",
             "# HELP a x\n# TYPE a gauge\na{l=\"\"\"} 1\n",
             "# HELP a x\n# TYPE a gauge\na{l=\"v\"} one\n",
             "# HELP a x\n# TYPE a gauge\n# HELP b x\n# TYPE b gauge\nb 1\na 1\n",
             "# HELP a x\n# TYPE a gauge\na 1",
         }) {
        CAPTURE(broken);
        CHECK_FALSE(format_problems(broken).empty());
    }
}

TEST_CASE("store sizes count the replica with its log and committed blobs only") {
    namespace fs = std::filesystem;
    auto dir = fs::temp_directory_path() / ("smartq-store-size-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    config::AccountConfig account;
    account.name = "acme";
    account.data_dir = dir / "acme";
    CHECK(daemon::measure_store(account).replica_bytes == 0);  // nothing yet: 0, no throw
    CHECK(daemon::measure_store(account).blob_bytes == 0);

    auto write = [](const fs::path& path, std::size_t bytes) {
        fs::create_directories(path.parent_path());
        std::ofstream(path, std::ios::binary) << std::string(bytes, 'x');
    };
    write(account.data_dir / "replica.db", 4096);
    write(account.data_dir / "replica.db-wal", 100);
    write(account.data_dir / "replica.db-shm", 32768);  // an index, not data
    write(account.data_dir / "blobs" / "ab" / std::string(64, 'a'), 10);
    write(account.data_dir / "blobs" / "cd" / std::string(64, 'c'), 5);
    write(account.data_dir / "blobs" / "tmp" / "partial", 1000);  // not yet a blob
    write(account.data_dir / "schedule", 50);                     // neither
    auto size = daemon::measure_store(account);
    CHECK(size.replica_bytes == 4196);
    CHECK(size.blob_bytes == 15);
    fs::remove_all(dir);
}

TEST_CASE("request durations and answers by status class are rendered per account and add up") {
    daemon::Metrics metrics;
    http::Stats first;
    first.durations.observe(0.003s);  // in every bucket
    first.durations.observe(0.3s);    // from le="0.5" on
    first.durations.observe(7s);      // from le="10" on
    first.durations.observe(500s);    // only in +Inf
    first.answers[static_cast<std::size_t>(http::AnswerClass::Success)] = 3;
    first.answers[static_cast<std::size_t>(http::AnswerClass::TransportFailure)] = 1;
    http::Stats second;
    second.durations.observe(0.3s);
    second.answers[static_cast<std::size_t>(http::AnswerClass::ServerError)] = 1;
    second.answers[static_cast<std::size_t>(http::AnswerClass::ClientError)] = 2;
    metrics.record_transport("acme", first);
    metrics.record_transport("acme", second);
    metrics.record_transport("beta", {});
    auto text = metrics.render();
    CHECK(format_problems(text) == std::vector<std::string>{});
    const std::string family = "smartq_http_request_duration_seconds";
    CHECK(contains(text, "# TYPE " + family + " histogram\n"));
    for (auto [le, n] : std::vector<std::pair<std::string, int>>{
             {"0.005", 1}, {"0.25", 1}, {"0.5", 3}, {"5", 3}, {"10", 4}, {"120", 4}, {"+Inf", 5}}) {
        CAPTURE(le);
        CHECK(contains(text, family + "_bucket{account=\"acme\",le=\"" + le + "\"} " +
                                 std::to_string(n) + "\n"));
    }
    CHECK(contains(text, family + "_count{account=\"acme\"} 5\n"));
    CHECK(contains(text, family + "_sum{account=\"acme\"} 507.603000\n"));
    CHECK(contains(text, family + "_bucket{account=\"beta\",le=\"+Inf\"} 0\n"));
    CHECK(contains(text, "smartq_http_answers_total{account=\"acme\",class=\"2xx\"} 3\n"));
    CHECK(contains(text, "smartq_http_answers_total{account=\"acme\",class=\"3xx\"} 0\n"));
    CHECK(contains(text, "smartq_http_answers_total{account=\"acme\",class=\"4xx\"} 2\n"));
    CHECK(contains(text, "smartq_http_answers_total{account=\"acme\",class=\"5xx\"} 1\n"));
    CHECK(contains(text, "smartq_http_answers_total{account=\"acme\",class=\"failed\"} 1\n"));
    CHECK(contains(text, "smartq_http_answers_total{account=\"beta\",class=\"2xx\"} 0\n"));
}
