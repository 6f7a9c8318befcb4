#include "sync/http/api_client.hpp"

#include <utility>

#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <optional>
#include <stdexcept>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "sync/http/connection_pool.hpp"
#include "sync/http/multipart.hpp"
#include "sync/http/token_manager.hpp"

namespace smartq::http {

namespace asio = boost::asio;

namespace {

constexpr std::string_view form_type = "application/x-www-form-urlencoded";

PoolOptions pool_options(const ClientOptions& options) {
    return PoolOptions{options.ca_file,         options.connect_timeout, options.read_timeout,
                       options.request_timeout, options.max_answer_size, options.max_connections,
                       options.proxy};
}

PacerOptions pacer_options(const ClientOptions& options) {
    return PacerOptions{std::max<std::size_t>(options.max_connections, 1), options.rate_limit,
                        options.retry.max_retry_after};
}

// The one place a lost answer to a write becomes "unknown": the transport sends it
// again only after the caller's WriteCheck finds it not carried out.
HttpError settled(const Request& request, const HttpError& error) {
    bool lost = error.cls() == ErrorClass::Retryable || error.cls() == ErrorClass::Malformed;
    if (request.resend_safe || !lost) {
        return error;
    }
    return HttpError(
        ErrorClass::OutcomeUnknown, error.status(),
        fmt::format("{}; the server may have carried out {}", error.what(), request.label),
        error.retry_after(), error.server_message());
}

}  // namespace

ApiClient::ApiClient(asio::any_io_executor executor, Url url, Credentials credentials,
                     Access access, ClientOptions options, std::shared_ptr<Pacer> daemon)
    : url_(std::move(url)),
      access_(access),
      options_(std::move(options)),
      pacer_(Pacer::create(executor, pacer_options(options_), std::move(daemon))),
      pool_(std::make_unique<ConnectionPool>(executor, url_, pool_options(options_))),
      retrier_(executor, options_.retry, options_.account) {
    auth_ = std::make_unique<TokenManager>(
        executor, std::move(credentials), options_.account, url_.authority(),
        url_.api_root() + "/oauth2/",
        [this](Request request) { return exchange_token(std::move(request)); });
}

ApiClient::~ApiClient() = default;

asio::awaitable<JsonResponse> ApiClient::get(std::string target) {
    auto answer = co_await call(make_request("GET", std::move(target), {}, {}));
    co_return std::move(*answer);  // a GET has no check, so an answer or an error
}

asio::awaitable<std::optional<JsonResponse>> ApiClient::post_form(std::string target,
                                                                  std::string form_body,
                                                                  WriteCheck check) {
    return call(
        make_request("POST", std::move(target), std::string(form_type), std::move(form_body)),
        std::move(check));
}

asio::awaitable<std::optional<JsonResponse>> ApiClient::put_form(std::string target,
                                                                 std::string form_body,
                                                                 WriteCheck check) {
    return call(
        make_request("PUT", std::move(target), std::string(form_type), std::move(form_body)),
        std::move(check));
}

asio::awaitable<std::optional<JsonResponse>> ApiClient::del(std::string target, WriteCheck check) {
    return call(make_request("DELETE", std::move(target), {}, {}), std::move(check));
}

asio::awaitable<std::optional<JsonResponse>> ApiClient::post_file(std::string target,
                                                                  std::string filename,
                                                                  std::string content_type,
                                                                  std::string body,
                                                                  WriteCheck check) {
    std::string boundary = make_boundary();
    while (body.find(boundary) != std::string::npos) {
        boundary = make_boundary();
    }
    auto multipart = multipart_file("file", filename, content_type, body, boundary);
    return call(make_request("POST", std::move(target), std::move(multipart.content_type),
                             std::move(multipart.body)),
                std::move(check));
}

asio::awaitable<std::uint64_t> ApiClient::download(std::string target,
                                                   std::function<void(std::string_view)> sink,
                                                   std::function<void()> restart) {
    Request request = make_request("GET", std::move(target), {}, {});
    std::uint64_t size = 0;
    BodySink counting = [&](std::string_view chunk) {
        size += chunk.size();
        sink(chunk);
    };
    co_await with_auth(
        std::move(request),
        [&](const Request& authorized) -> asio::awaitable<void> {
            Response response = co_await send_once(authorized, Purpose::Api, counting);
            if (response.head.status / 100 != 2) {
                throw_for_status(response, url_.authority(), authorized.label);
            }
        },
        [&] {
            size = 0;
            if (restart) {
                restart();
            }
        });
    co_return size;
}

Stats ApiClient::stats() const {
    Stats out = stats_;
    out.bytes_received = pool_->bytes_received();
    out.connections_opened = pool_->connections_opened();
    out.retries = retrier_.retries();
    out.in_flight_seconds = in_flight_.seconds(std::chrono::steady_clock::now());
    return out;
}

Request ApiClient::make_request(std::string method, std::string target, std::string content_type,
                                std::string body) const {
    if (!target.starts_with('/')) {
        target.insert(0, 1, '/');
    }
    Request request;
    request.label = fmt::format("{} {}", method, target);
    request.method = std::move(method);
    request.target = url_.api_root() + target;
    request.content_type = std::move(content_type);
    request.body = std::move(body);
    request.resend_safe = request.method == "GET";
    // Refuse here too, so a read-only client fetches no token for a write it will not send.
    guard(request, Purpose::Api);
    return request;
}

asio::awaitable<std::optional<JsonResponse>> ApiClient::call(Request request, WriteCheck check) {
    std::optional<JsonResponse> answer;
    co_await with_auth(
        std::move(request),
        [&](const Request& authorized) -> asio::awaitable<void> {
            Response response = co_await send_once(authorized, Purpose::Api, {});
            try {
                answer.emplace(JsonResponse::interpret(std::move(response), url_.authority(),
                                                       authorized.label));
            } catch (const HttpError& error) {
                throw settled(authorized, error);
            }
        },
        {}, std::move(check));
    co_return answer;
}

asio::awaitable<JsonResponse> ApiClient::exchange_token(Request request) {
    std::optional<JsonResponse> answer;
    co_await retrier_.run(request.label, [&]() -> asio::awaitable<void> {
        Response response = co_await send_once(request, Purpose::Token, {});
        answer.emplace(
            JsonResponse::interpret(std::move(response), url_.authority(), request.label));
    });
    co_return std::move(*answer);
}

// A 401 on a token gets one fresh token (refreshed, or a new login) and one re-send.
asio::awaitable<void> ApiClient::with_auth(Request request, Attempt attempt,
                                           std::function<void()> before_retry, WriteCheck check) {
    for (bool recovered = false;; recovered = true) {
        Authorization authorization = co_await auth_->authorize();
        Request authorized = request;
        authorized.headers = authorization.headers;
        std::optional<HttpError> refused;
        try {
            co_await retrier_.run(
                authorized.label, [&]() { return attempt(authorized); }, before_retry, check);
            co_return;
        } catch (const HttpError& error) {
            if (error.status() != 401) {
                throw;
            }
            refused = error;
        }
        if (recovered || !auth_->using_tokens() || mentions_client_id(refused->server_message())) {
            auth_->throw_refused(refused->server_message());
        }
        spdlog::debug("{} {}: token refused, getting a fresh one", options_.account,
                      authorized.label);
        co_await auth_->recover(authorization);
        if (before_retry) {
            before_retry();
        }
    }
}

asio::awaitable<Response> ApiClient::send_once(const Request& request, Purpose purpose,
                                               const BodySink& sink) {
    guard(request, purpose);
    ++stats_.requests_by_method[request.method];
    if (request.method != "GET" && purpose != Purpose::Token) {
        ++stats_.writes;
    }
    std::optional<HttpError> failure;
    try {
        co_return co_await paced(request, sink);
    } catch (const HttpError& error) {
        failure = settled(request, error);
    }
    throw *failure;
}

// One exchange under the account's pacer, which learns from its outcome.
asio::awaitable<Response> ApiClient::paced(const Request& request, const BodySink& sink) {
    std::optional<Pacer::Ticket> ticket(co_await pacer_->admit());
    auto started = std::chrono::steady_clock::now();
    // Counted out however the exchange ends, a sink that throws included.
    struct OnTheWire {
        InFlightIntegral& integral;
        ~OnTheWire() { integral.change(std::chrono::steady_clock::now(), -1); }
    };
    in_flight_.change(started, +1);
    std::optional<OnTheWire> on_the_wire(std::in_place, in_flight_);
    std::optional<HttpError> failure;
    // Two statements, not a conditional: g++ 12 destroys a co_await inside ?: twice.
    Response response;
    try {
        if (sink) {
            response = co_await pool_->send_streaming(request, sink);
        } else {
            response = co_await pool_->send(request);
        }
    } catch (const HttpError& error) {
        failure = error;
    }
    on_the_wire.reset();
    auto ended = std::chrono::steady_clock::now();
    stats_.durations.observe(ended - started);
    auto answered = answer_class(failure ? failure->status() : response.head.status);
    ++stats_.answers[static_cast<std::size_t>(answered)];
    if (failure) {
        if (failure->cls() == ErrorClass::Retryable) {
            ticket->overloaded();
        }
        throw *failure;
    }
    unsigned status = response.head.status;
    auto retry_after =
        parse_retry_after(response.head.retry_after, std::chrono::system_clock::now());
    if (status == 429 || (status == 503 && retry_after)) {
        ticket->rate_limited(retry_after);
    } else if (status >= 500) {
        ticket->overloaded();
    } else if (status / 100 == 2) {
        ticket->succeeded();
    }
    auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(ended - started);
    spdlog::debug("{} {} {} {} ms", options_.account, request.label, status, elapsed.count());
    // A request waiting for this one's room leaves before this answer is read further: the
    // wire stays full while the caller stores what came back.
    ticket.reset();
    if (pacer_->has_waiters())
        co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
    co_return response;
}

void ApiClient::guard(const Request& request, Purpose purpose) const {
    if (access_ == Access::ReadWrite || request.method == "GET") {
        return;
    }
    bool token_post = purpose == Purpose::Token && request.method == "POST" &&
                      request.target == url_.api_root() + "/oauth2/";
    if (!token_post) {
        throw std::logic_error(fmt::format(
            "the read-only client for {} refused to send {}: a backup never writes to the "
            "account it backs up",
            options_.account, request.label));
    }
}

}  // namespace smartq::http
