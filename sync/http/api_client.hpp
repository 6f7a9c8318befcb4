#pragma once

#include <utility>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "sync/http/client_options.hpp"
#include "sync/http/connection_pool.hpp"
#include "sync/http/credentials.hpp"
#include "sync/http/errors.hpp"
#include "sync/http/json_response.hpp"
#include "sync/http/pacer.hpp"
#include "sync/http/request_stats.hpp"
#include "sync/http/retry.hpp"
#include "sync/http/url.hpp"

namespace smartq::http {

class TokenManager;

// A sync's client is ReadOnly: it refuses, before sending anything, every request
// but GET and the OAuth2 token POST. Only a restore's target client is ReadWrite.
enum class Access { ReadOnly, ReadWrite };

// One per account. Targets are relative to the API root: "/projects/5/tickets?count=100".
// `daemon` is the pacer of the process, shared by the clients of all its accounts.
// Every call goes pool -> pacer -> retry -> read-only guard -> auth, and throws HttpError.
// A write whose answer was lost (dropped, timed out, 5xx, unreadable) may have been
// carried out: without a WriteCheck it is thrown as OutcomeUnknown and never sent
// again; with one, the check looks in the target and the write is sent again only if
// it finds nothing. A write answered 429 or refused a connection was not carried out
// and is retried. A write returns its answer, or nullopt when the answer was lost and
// the check found the write carried out.
class ApiClient {
  public:
    ApiClient(boost::asio::any_io_executor executor, Url url, Credentials credentials,
              Access access, ClientOptions options, std::shared_ptr<Pacer> daemon = {});
    ~ApiClient();
    ApiClient(const ApiClient&) = delete;
    ApiClient& operator=(const ApiClient&) = delete;

    boost::asio::awaitable<JsonResponse> get(std::string target);
    // Bodies are application/x-www-form-urlencoded, already encoded by the caller.
    boost::asio::awaitable<std::optional<JsonResponse>> post_form(std::string target,
                                                                  std::string form_body,
                                                                  WriteCheck check = {});
    boost::asio::awaitable<std::optional<JsonResponse>> put_form(std::string target,
                                                                 std::string form_body,
                                                                 WriteCheck check = {});
    boost::asio::awaitable<std::optional<JsonResponse>> del(std::string target,
                                                            WriteCheck check = {});
    // multipart/form-data with one part named "file".
    boost::asio::awaitable<std::optional<JsonResponse>> post_file(std::string target,
                                                                  std::string filename,
                                                                  std::string content_type,
                                                                  std::string body,
                                                                  WriteCheck check = {});

    // Streams a GET's body into sink and returns its size. When an attempt fails
    // mid-body and is retried, restart runs first: the caller drops what sink got.
    boost::asio::awaitable<std::uint64_t> download(std::string target,
                                                   std::function<void(std::string_view)> sink,
                                                   std::function<void()> restart);

    Access access() const { return access_; }
    const std::string& account() const { return options_.account; }
    const Url& url() const { return url_; }
    Stats stats() const;

  private:
    enum class Purpose { Api, Token };
    using Attempt = std::function<boost::asio::awaitable<void>(const Request&)>;

    Request make_request(std::string method, std::string target, std::string content_type,
                         std::string body) const;
    boost::asio::awaitable<std::optional<JsonResponse>> call(Request request,
                                                             WriteCheck check = {});
    boost::asio::awaitable<JsonResponse> exchange_token(Request request);
    boost::asio::awaitable<void> with_auth(Request request, Attempt attempt,
                                           std::function<void()> before_retry,
                                           WriteCheck check = {});
    boost::asio::awaitable<Response> send_once(const Request& request, Purpose purpose,
                                               const BodySink& sink);
    boost::asio::awaitable<Response> paced(const Request& request, const BodySink& sink);
    void guard(const Request& request, Purpose purpose) const;

    Url url_;
    Access access_;
    ClientOptions options_;
    std::shared_ptr<Pacer> pacer_;
    std::unique_ptr<ConnectionPool> pool_;
    Retrier retrier_;
    std::unique_ptr<TokenManager> auth_;
    Stats stats_;
    InFlightIntegral in_flight_;
};

}  // namespace smartq::http
