#include "daemon/metrics.hpp"

#include "view/tcp_listener.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <charconv>
#include <stdexcept>
#include <utility>

#include "sync/wire/time.hpp"

namespace smartq::daemon {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;

Metrics::Metrics(std::string version) : version_(std::move(version)) {}

void Metrics::record_run(const std::string& account, const std::optional<store::RunInfo>& run,
                         store::RunStatus status, std::chrono::duration<double> duration,
                         std::chrono::system_clock::time_point ended) {
    auto& m = accounts_[account];
    bool ok = status == store::RunStatus::Ok;
    ++m.runs;
    m.last_status = status;
    if (!ok && status != store::RunStatus::Interrupted)
        ++m.failures;
    m.last_duration_seconds = duration.count();
    if (ok)
        m.last_success_unix =
            std::chrono::duration_cast<std::chrono::seconds>(ended.time_since_epoch()).count();
    if (!run)
        return;
    m.requests += static_cast<std::uint64_t>(run->requests);
    m.bytes += static_cast<std::uint64_t>(run->bytes);
    for (const auto& [resource, counts] : run->records) {
        m.records["inserted"] += static_cast<std::uint64_t>(counts.inserted);
        m.records["updated"] += static_cast<std::uint64_t>(counts.updated);
        m.records["unchanged"] += static_cast<std::uint64_t>(counts.unchanged);
        m.records["deleted"] += static_cast<std::uint64_t>(counts.deleted);
    }
}

void Metrics::record_transport(const std::string& account, const smartq::http::Stats& stats) {
    auto& m = accounts_[account];
    m.request_durations.add(stats.durations);
    for (std::size_t i = 0; i < m.answers.size(); ++i)
        m.answers[i] += stats.answers[i];
}

void Metrics::set_running(const std::string& account, bool running) {
    accounts_[account].running = running;
}

void Metrics::remember(const std::string& account, const std::optional<store::RunInfo>& last,
                       const std::optional<store::RunInfo>& last_success) {
    auto& m = accounts_[account];
    if (last && !m.last_status)
        m.last_status = last->status;
    if (last_success && last_success->ended_at && !m.last_success_unix) {
        if (auto ended = wire::parse_time(*last_success->ended_at))
            m.last_success_unix = ended->time_since_epoch().count();
    }
}

void Metrics::set_store_size(const std::string& account, StoreSize size) {
    accounts_[account].store = size;
}

void Metrics::forget(const std::string& account) {
    accounts_.erase(account);
}

namespace {

// Label values escape backslash, double quote and newline.
std::string label(std::string_view value) {
    std::string out;
    for (char c : value) {
        if (c == '\\' || c == '"')
            out += '\\';
        out += c == '\n' ? std::string("\\n") : std::string(1, c);
    }
    return out;
}

struct Family {
    const char* name;
    const char* type;
    const char* help;
};

void header(std::string& out, const Family& family) {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", family.name, family.help, family.name,
                       family.type);
}

}  // namespace

std::string Metrics::render() const {
    std::string out;
    header(out, {"smartq_build_info", "gauge", "The running program's version; always 1."});
    out += fmt::format("smartq_build_info{{version=\"{}\"}} 1\n", label(version_));
    auto each = [&](const Family& family, auto&& value_of) {
        header(out, family);
        for (const auto& [name, m] : accounts_) {
            auto value = value_of(m);
            if (value)
                out += fmt::format("{}{{account=\"{}\"}} {}\n", family.name, label(name), *value);
        }
    };
    using Value = std::optional<std::string>;
    each({"smartq_runs_total", "counter", "Sync runs finished."},
         [](const AccountMetrics& m) -> Value { return std::to_string(m.runs); });
    each({"smartq_run_failures_total", "counter", "Sync runs that did not complete."},
         [](const AccountMetrics& m) -> Value { return std::to_string(m.failures); });
    header(out,
           {"smartq_records_total", "counter", "Records stored by sync runs, by kind of change."});
    for (const auto& [name, m] : accounts_) {
        for (const auto& [change, n] : m.records) {
            out += fmt::format("smartq_records_total{{account=\"{}\",change=\"{}\"}} {}\n",
                               label(name), change, n);
        }
    }
    each({"smartq_received_bytes_total", "counter", "Bytes received from the smartQ API."},
         [](const AccountMetrics& m) -> Value { return std::to_string(m.bytes); });
    each({"smartq_requests_total", "counter", "Requests sent to the smartQ API."},
         [](const AccountMetrics& m) -> Value { return std::to_string(m.requests); });
    header(out, {"smartq_http_answers_total", "counter",
                 "Requests sent, by the class of their answer's status; failed: no answer "
                 "(refused, dropped, timed out)."});
    for (const auto& [name, m] : accounts_) {
        for (std::size_t i = 0; i < m.answers.size(); ++i) {
            out += fmt::format(
                "smartq_http_answers_total{{account=\"{}\",class=\"{}\"}} {}\n", label(name),
                smartq::http::to_label(static_cast<smartq::http::AnswerClass>(i)), m.answers[i]);
        }
    }
    render_durations(out);
    each({"smartq_last_run_duration_seconds", "gauge", "How long the last run took."},
         [](const AccountMetrics& m) -> Value {
             return fmt::format("{:.3f}", m.last_duration_seconds);
         });
    each({"smartq_last_success_timestamp_seconds", "gauge", "When the last successful run ended."},
         [](const AccountMetrics& m) -> Value {
             if (!m.last_success_unix)
                 return std::nullopt;
             return std::to_string(*m.last_success_unix);
         });
    header(out, {"smartq_last_run_status", "gauge",
                 "1 for the status the last finished run ended with, 0 for the others."});
    for (const auto& [name, m] : accounts_) {
        if (!m.last_status)
            continue;
        for (auto status : {store::RunStatus::Ok, store::RunStatus::Partial,
                            store::RunStatus::Failed, store::RunStatus::Interrupted}) {
            out += fmt::format("smartq_last_run_status{{account=\"{}\",status=\"{}\"}} {}\n",
                               label(name), store::to_string(status),
                               *m.last_status == status ? 1 : 0);
        }
    }
    each({"smartq_replica_bytes", "gauge",
          "Size of the account's replica database on disk, write-ahead log included."},
         [](const AccountMetrics& m) -> Value {
             if (!m.store)
                 return std::nullopt;
             return std::to_string(m.store->replica_bytes);
         });
    each({"smartq_blob_bytes", "gauge", "Size of the account's stored attachment bodies."},
         [](const AccountMetrics& m) -> Value {
             if (!m.store)
                 return std::nullopt;
             return std::to_string(m.store->blob_bytes);
         });
    each({"smartq_sync_running", "gauge", "1 while a run of the account is in progress."},
         [](const AccountMetrics& m) -> Value { return m.running ? "1" : "0"; });
    return out;
}

void Metrics::render_durations(std::string& out) const {
    constexpr const char* name = "smartq_http_request_duration_seconds";
    header(out, {name, "histogram",
                 "Time from sending a request to the last byte of its answer; each retry counts."});
    const auto& bounds = smartq::http::DurationHistogram::kBounds;
    for (const auto& [account, m] : accounts_) {
        const auto& h = m.request_durations;
        for (std::size_t i = 0; i <= bounds.size(); ++i) {
            auto le = i < bounds.size() ? fmt::format("{}", bounds[i]) : std::string("+Inf");
            out += fmt::format("{}_bucket{{account=\"{}\",le=\"{}\"}} {}\n", name, label(account),
                               le, h.cumulative(i));
        }
        out +=
            fmt::format("{}_sum{{account=\"{}\"}} {:.6f}\n", name, label(account), h.sum_seconds());
        out += fmt::format("{}_count{{account=\"{}\"}} {}\n", name, label(account), h.count());
    }
}

struct MetricsServer::Impl : std::enable_shared_from_this<Impl> {
    Impl(tcp::acceptor acceptor, const Metrics& metrics)
        : acceptor(std::move(acceptor)), metrics(metrics) {}

    asio::awaitable<void> serve(tcp::socket socket);
    http::response<http::string_body> answer(const http::request<http::string_body>& request) const;

    tcp::acceptor acceptor;
    const Metrics& metrics;
};

namespace {

constexpr std::size_t max_request_bytes = 8192;
constexpr auto request_deadline = std::chrono::seconds(5);

// One request a connection (Connection: close); a HEAD answer has the GET
// answer's length and no body.
http::response<http::string_body> response(http::status status, std::string_view type,
                                           std::string body, bool head) {
    http::response<http::string_body> answer{status, 11};
    answer.set(http::field::content_type, type);
    answer.keep_alive(false);
    answer.content_length(body.size());
    if (!head)
        answer.body() = std::move(body);
    return answer;
}

}  // namespace

http::response<http::string_body> MetricsServer::Impl::answer(
    const http::request<http::string_body>& request) const {
    bool head = request.method() == http::verb::head;
    if (request.method() != http::verb::get && !head)
        return response(http::status::method_not_allowed, "text/plain", "GET only\n", false);
    auto target = request.target();
    if (target.substr(0, target.find('?')) != "/metrics")
        return response(http::status::not_found, "text/plain", "try /metrics\n", head);
    return response(http::status::ok, "text/plain; version=0.0.4; charset=utf-8", metrics.render(),
                    head);
}

asio::awaitable<void> MetricsServer::Impl::serve(tcp::socket socket) {
    auto self = shared_from_this();
    beast::tcp_stream stream(std::move(socket));
    // A client that sends nothing, or never stops sending, must not hold its socket.
    stream.expires_after(request_deadline);
    beast::flat_buffer buffer;
    // A body is read (and ignored) so that a POST learns 405, not a parse error.
    http::request_parser<http::string_body> parser;
    parser.header_limit(max_request_bytes);
    parser.body_limit(max_request_bytes);
    boost::system::error_code ec;
    co_await http::async_read(stream, buffer, parser,
                              asio::redirect_error(asio::use_awaitable, ec));
    // Malformed: 400. Too large, timed out or dropped: closed unanswered, since
    // an answer while the client still sends would be lost to a reset anyway.
    bool too_large = ec == http::error::header_limit || ec == http::error::body_limit;
    bool malformed = ec && !too_large &&
                     ec.category() == http::make_error_code(http::error::bad_method).category();
    std::optional<http::response<http::string_body>> reply;
    if (!ec)
        reply = answer(parser.get());
    else if (malformed)
        reply = response(http::status::bad_request, "text/plain", "bad request\n", false);
    if (reply)
        co_await http::async_write(stream, *reply, asio::redirect_error(asio::use_awaitable, ec));
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream.close();
}

MetricsServer::MetricsServer(asio::any_io_executor executor, const std::string& address,
                             const Metrics& metrics)
    : impl_(std::make_shared<Impl>(view::listen_on(executor, address), metrics)) {
    asio::co_spawn(executor,
                   view::accept_connections(impl_->acceptor, "metrics",
                                            [self = impl_](tcp::socket socket) {
                                                return self->serve(std::move(socket));
                                            }),
                   asio::detached);
    spdlog::info("metrics: serving http://{}/metrics", address);
}

MetricsServer::~MetricsServer() {
    stop();
}

std::uint16_t MetricsServer::port() const {
    return impl_->acceptor.local_endpoint().port();
}

void MetricsServer::stop() {
    boost::system::error_code ignored;
    impl_->acceptor.close(ignored);
}

}  // namespace smartq::daemon
