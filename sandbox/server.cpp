#include <utility>  // before Asio: Boost 1.74's awaitable.hpp needs std::exchange

#include "server.hpp"

#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "admin.hpp"
#include "multipart.hpp"
#include "server_state.hpp"
#include "server_target.hpp"
#include "stats.hpp"
#include "sync/wire/form.hpp"

namespace smartq::sandbox {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using asio::use_awaitable;
using Request = http::request<http::string_body>;

constexpr std::size_t max_body = 512u << 20;   // uploads of several MB and then some
constexpr std::size_t chunk_size = 64u << 10;  // downloads are streamed in these
constexpr auto idle_timeout = std::chrono::seconds(120);
constexpr std::string_view client_id_parameter = "X_AUTH_CLIENT_ID";

std::optional<std::string> header(const Request& request, std::string_view name) {
    auto found = request.find(name);
    if (found == request.end()) {
        return std::nullopt;
    }
    return std::string(found->value());
}

// Removes every `key` parameter and returns the first value.
template <typename Container>
std::optional<std::string> take(Container& pairs, std::string_view key) {
    std::optional<std::string> value;
    for (auto it = pairs.begin(); it != pairs.end();) {
        if (it->first == key) {
            if (!value) {
                value = it->second;
            }
            it = pairs.erase(it);
        } else {
            ++it;
        }
    }
    return value;
}

// Fills the form and the upload from a POST/PUT body. Throws MultipartError.
void decode_body(const Request& request, ApiRequest& api) {
    const auto content_type = header(request, "Content-Type").value_or("");
    const auto& body = request.body();
    if (content_type.rfind("multipart/", 0) == 0) {
        for (auto& part : parse_multipart(body, multipart_boundary(content_type))) {
            if (part.name == "file" && part.filename && !api.upload) {
                api.upload = Upload{*part.filename, part.content_type, std::move(part.body)};
            } else if (!part.filename) {
                api.form.emplace_back(part.name, std::move(part.body));
            }
        }
    } else if (!body.empty() && (content_type.empty() ||
                                 content_type.rfind("application/x-www-form-urlencoded", 0) == 0)) {
        api.form = wire::parse_form(body);
    }
}

// How an answer goes over the wire: whole, cut short, endless, or a byte at a time.
enum class Delivery { Whole, Truncated, Huge, Trickle };

struct Answer {
    ApiResponse response;
    std::vector<std::pair<std::string, std::string>> headers;
    Delivery delivery = Delivery::Whole;
};

bool is_write(std::string_view method, const std::vector<std::string>& segments) {
    bool token = segments.size() == 1 && segments[0] == "oauth2";
    return method != "GET" && !token;
}

// Counts a request as in flight from when it is read until its answer is sent or dropped.
class InFlight {
  public:
    InFlight(Stats& stats, std::string scope) : stats_(stats), scope_(std::move(scope)) {
        stats_.begin(scope_);
    }
    InFlight(const InFlight&) = delete;
    InFlight& operator=(const InFlight&) = delete;
    ~InFlight() { stats_.end(scope_); }

  private:
    Stats& stats_;
    std::string scope_;
};

class Session {
  public:
    Session(ServerState& state, tcp::socket socket) : state_(state), stream_(std::move(socket)) {}

    asio::awaitable<void> run() {
        try {
            for (;;) {
                http::request_parser<http::string_body> parser;
                parser.body_limit(max_body);
                stream_.expires_after(idle_timeout);
                co_await http::async_read(stream_, buffer_, parser, use_awaitable);
                if (!co_await answer(parser.get())) {
                    break;
                }
            }
        } catch (const boost::system::system_error& error) {
            // The client closed, reset, timed out or sent garbage: nothing to answer.
            if (error.code() != http::error::end_of_stream) {
                spdlog::debug("sandbox: connection ended: {}", error.code().message());
            }
        }
        beast::error_code ignored;
        stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
        stream_.socket().close(ignored);
    }

  private:
    // Answers one request; false when the connection must close afterwards.
    asio::awaitable<bool> answer(Request& request) {
        auto [path, query] = split_target(request.target());
        if (strip_prefix(path, "/__admin")) {
            AdminRequest admin{std::string(request.method_string()), path_segments(path), {}, {}};
            for (auto& [key, value] : wire::parse_form(query)) {
                admin.query.emplace(key, value);
            }
            admin.body = std::move(request.body());
            auto result = handle_admin(state_, admin);
            Answer answer;
            answer.response.status = result.status;
            answer.response.body = std::move(result.body);
            co_await send(request, answer);
            co_return request.keep_alive();
        }
        if (!strip_prefix(path, "/api/v1")) {
            Answer answer;
            answer.response = error_response(404, "no such resource; the API is under /api/v1");
            co_await send(request, answer);
            co_return request.keep_alive();
        }
        co_return co_await answer_api(request, path_segments(path), query);
    }

    asio::awaitable<bool> answer_api(Request& request, std::vector<std::string> segments,
                                     std::string_view query) {
        const std::string method(request.method_string());
        const auto route = route_template(method, segments);
        InFlight counted(state_.stats, request_scope(segments));
        auto decision =
            state_.faults.decide(std::chrono::steady_clock::now(), is_write(method, segments));
        if (decision.latency.count() > 0) {
            asio::steady_timer timer(stream_.get_executor(), decision.latency);
            co_await timer.async_wait(use_awaitable);
        }
        Answer answer;
        switch (decision.kind) {
            case FaultKind::Drop:
                state_.stats.record(method, route, 0);
                co_return false;
            case FaultKind::RateLimited:
                answer.response = error_response(429, "Too many requests, retry later");
                answer.headers.emplace_back("Retry-After",
                                            std::to_string(decision.retry_after_seconds));
                break;
            case FaultKind::CommitThenDrop:
                serve_api(request, std::move(segments), query);
                state_.stats.record(method, route, 0);
                co_return false;
            case FaultKind::CommitThenError:
                serve_api(request, std::move(segments), query);
                answer.response.status = decision.error_status;
                answer.response.content_type = "text/html";
                answer.response.body = html_error_page(decision.error_status);
                break;
            case FaultKind::Error:
                answer.response.status = decision.error_status;
                answer.response.content_type = "text/html";
                answer.response.body = html_error_page(decision.error_status);
                break;
            case FaultKind::Truncate:
            case FaultKind::None:
                if (route == state_.faults.settings().forbidden_route) {
                    answer.response =
                        error_response(403, "You do not have permission to access this resource");
                    break;
                }
                answer.response = serve_api(request, std::move(segments), query);
                answer.delivery = delivery_of(route, decision.kind, answer.response);
                break;
        }
        state_.stats.record(method, route, answer.response.status);
        spdlog::debug("sandbox: {} {} -> {}", method, request.target(), answer.response.status);
        co_await send(request, answer);
        co_return request.keep_alive() && answer.delivery == Delivery::Whole;
    }

    Delivery delivery_of(const std::string& route, FaultKind kind, const ApiResponse& response) {
        const auto& faults = state_.faults.settings();
        if (route == faults.huge_answer_route) {
            return Delivery::Huge;
        }
        if (route == faults.trickle_route && !response.read_at) {
            return Delivery::Trickle;
        }
        return kind == FaultKind::Truncate ? Delivery::Truncated : Delivery::Whole;
    }

    ApiResponse serve_api(Request& request, std::vector<std::string> segments,
                          std::string_view query) {
        ApiRequest api;
        api.method = std::string(request.method_string());
        api.path = std::move(segments);
        for (auto& [key, value] : wire::parse_form(query)) {
            api.query.emplace(std::move(key), std::move(value));
        }
        try {
            decode_body(request, api);
        } catch (const MultipartError& error) {
            return error_response(400, std::string("Invalid multipart body: ") + error.what());
        }
        Credentials credentials;
        credentials.client_id = header(request, "X-Auth-Client-Id");
        auto from_query = take(api.query, client_id_parameter);
        auto from_form = take(api.form, client_id_parameter);
        if (!credentials.client_id) {
            credentials.client_id = from_query ? from_query : from_form;
        }
        credentials.authorization = header(request, "Authorization");
        credentials.x_authorization = header(request, "X-Authorization");
        const auto now = std::chrono::steady_clock::now();
        if (api.path.size() == 1 && api.path[0] == "oauth2") {
            if (api.method != "POST") {
                return error_response(
                    405, "method \"" + api.method + "\" not found for resource \"oauth2\"");
            }
            return state_.auth.issue_token(credentials, now);
        }
        auto auth = state_.auth.authenticate(credentials, now);
        if (auth.failure) {
            return std::move(*auth.failure);
        }
        api.user_id = auth.user_id;
        try {
            return state_.account->handle(api);
        } catch (const std::exception& error) {
            spdlog::error("sandbox: {} {} failed: {}", api.method, request.target(), error.what());
            return error_response(500, "Internal error of the sandbox");
        }
    }

    // Writes the header, then the body (or, when truncating, half of it) raw,
    // so that downloads stream from read_at without holding the file. (By
    // reference: g++ 12 double-frees aggregates passed by value to coroutines.)
    asio::awaitable<void> send(const Request& request, Answer& answer) {
        if (answer.delivery == Delivery::Huge) {
            co_await send_huge(request);
            co_return;
        }
        auto& response = answer.response;
        const bool streamed = static_cast<bool>(response.read_at);
        const std::uint64_t size = streamed ? response.stream_size : response.body.size();
        http::response<http::empty_body> head{static_cast<http::status>(response.status),
                                              request.version()};
        head.set(http::field::server, "smartq-sandbox");
        head.set(http::field::content_type, response.content_type);
        if (!response.content_disposition.empty()) {
            head.set(http::field::content_disposition, response.content_disposition);
        }
        for (auto& [name, value] : answer.headers) {
            head.set(name, value);
        }
        head.content_length(size);
        head.keep_alive(request.keep_alive() && answer.delivery == Delivery::Whole);
        http::response_serializer<http::empty_body> serializer{head};
        stream_.expires_after(idle_timeout);
        co_await http::async_write_header(stream_, serializer, use_awaitable);

        if (answer.delivery == Delivery::Trickle) {
            co_await trickle(response.body);
            co_return;
        }
        const std::uint64_t limit = answer.delivery == Delivery::Truncated ? size / 2 : size;
        if (!streamed) {
            co_await asio::async_write(stream_, asio::buffer(response.body.data(), limit),
                                       use_awaitable);
            co_return;
        }
        std::vector<char> chunk(chunk_size);
        for (std::uint64_t offset = 0; offset < limit;) {
            const auto wanted =
                static_cast<std::size_t>(std::min<std::uint64_t>(chunk.size(), limit - offset));
            const auto got = response.read_at(offset, chunk.data(), wanted);
            if (got == 0) {
                throw std::runtime_error("download body ended before its Content-Length");
            }
            stream_.expires_after(idle_timeout);
            co_await asio::async_write(stream_, asio::buffer(chunk.data(), got), use_awaitable);
            offset += got;
        }
    }

    // A JSON answer that never ends before kHugeAnswerBytes, chunked, so that only a
    // limit on what is read (not the head) can stop a client.
    asio::awaitable<void> send_huge(const Request& request) {
        http::response<http::empty_body> head{http::status::ok, request.version()};
        head.set(http::field::server, "smartq-sandbox");
        head.set(http::field::content_type, "application/json");
        head.chunked(true);
        head.keep_alive(false);
        http::response_serializer<http::empty_body> serializer{head};
        stream_.expires_after(idle_timeout);
        co_await http::async_write_header(stream_, serializer, use_awaitable);
        std::string items;
        while (items.size() < chunk_size) {
            items += R"({"id":"1","name":"huge"},)";
        }
        auto frame = [](std::string_view data) {
            return fmt::format("{:x}\r\n{}\r\n", data.size(), data);
        };
        const std::string opening = frame(R"({"error":null,"data":[)");
        const std::string middle = frame(items);
        co_await asio::async_write(stream_, asio::buffer(opening), use_awaitable);
        for (std::uint64_t sent = 0; sent < kHugeAnswerBytes; sent += items.size()) {
            stream_.expires_after(idle_timeout);
            co_await asio::async_write(stream_, asio::buffer(middle), use_awaitable);
        }
        const std::string closing = frame(R"({}]})") + "0\r\n\r\n";
        co_await asio::async_write(stream_, asio::buffer(closing), use_awaitable);
    }

    // One byte every trickle_interval_ms: never idle long enough for a read timeout.
    asio::awaitable<void> trickle(const std::string& body) {
        const auto interval =
            std::chrono::milliseconds(state_.faults.settings().trickle_interval_ms);
        for (char byte : body) {
            asio::steady_timer timer(stream_.get_executor(), interval);
            co_await timer.async_wait(use_awaitable);
            stream_.expires_after(idle_timeout);
            co_await asio::async_write(stream_, asio::buffer(&byte, 1), use_awaitable);
        }
    }

    ServerState& state_;
    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
};

asio::awaitable<void> serve(ServerState& state, tcp::socket socket) {
    Session session(state, std::move(socket));
    co_await session.run();
}

}  // namespace

struct Server::Impl {
    explicit Impl(ServerOptions options) : acceptor(io) {
        const auto started = std::chrono::steady_clock::now();
        state = std::make_unique<ServerState>(options);
        seed_time = std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::steady_clock::now() - started);
        boost::system::error_code error;
        const auto address = asio::ip::make_address(options.host, error);
        if (error) {
            throw std::runtime_error("sandbox: '" + options.host + "' is not an IP address");
        }
        const tcp::endpoint endpoint(address, options.port);
        acceptor.open(endpoint.protocol());
        acceptor.set_option(tcp::acceptor::reuse_address(true));
        acceptor.bind(endpoint, error);
        if (error) {
            throw std::runtime_error("sandbox: cannot listen on " + options.host + ":" +
                                     std::to_string(options.port) + ": " + error.message());
        }
        acceptor.listen(asio::socket_base::max_listen_connections);
    }

    asio::awaitable<void> listen() {
        for (;;) {
            tcp::socket socket(io);
            boost::system::error_code error;
            try {
                socket = co_await acceptor.async_accept(use_awaitable);
            } catch (const boost::system::system_error& failure) {
                if (failure.code() == asio::error::operation_aborted) {
                    co_return;
                }
                // Out of descriptors and the like: keep serving who we have.
                spdlog::warn("sandbox: accept failed: {}", failure.code().message());
                continue;
            }
            socket.set_option(tcp::no_delay(true), error);
            asio::co_spawn(io, serve(*state, std::move(socket)), asio::detached);
        }
    }

    // The state outlives the io_context: destroying the context destroys the frames of the
    // sessions it still holds, and their destructors (the in-flight count) use the state.
    std::unique_ptr<ServerState> state;
    asio::io_context io{1};
    tcp::acceptor acceptor;
    std::chrono::milliseconds seed_time{0};
    std::thread thread;
};

Server::Server(ServerOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

Server::~Server() {
    stop();
}

std::uint16_t Server::port() const {
    return impl_->acceptor.local_endpoint().port();
}

std::chrono::milliseconds Server::seed_time() const {
    return impl_->seed_time;
}

void Server::start() {
    if (impl_->thread.joinable()) {
        return;
    }
    asio::co_spawn(impl_->io, impl_->listen(), asio::detached);
    impl_->thread = std::thread([this] { impl_->io.run(); });
}

void Server::stop() {
    if (!impl_->thread.joinable()) {
        return;
    }
    impl_->io.stop();
    impl_->thread.join();
}

}  // namespace smartq::sandbox
