// Where the restore's writes go. A sending writer puts them on the wire; a
// dry run gets a recording writer instead (restic's dry-run backend), which
// answers each write with a made-up key, so that the walk is the same code
// whether it sends or not.
#pragma once

#include <utility>

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>

#include "sync/http/api_client.hpp"
#include "sync/resources.hpp"

namespace smartq::sync::restore {

// A POST that creates one object: a form, or a file upload.
struct Write {
    Kind kind = Kind::Users;
    std::string path;
    std::string form;
    std::optional<std::string> file_body;
    std::string file_name;
    std::string content_type;
};

// Asked when a POST's answer was lost: the key of the object the POST made
// after all, or nullopt when the target has none (then it is sent again).
// Throws TargetUnsure when the target cannot tell.
using LookAgain = std::function<boost::asio::awaitable<std::optional<std::string>>()>;

// The target cannot say whether an object exists (its listing stayed
// incomplete): it must not be created this run.
class TargetUnsure : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

class Writer {
  public:
    virtual ~Writer() = default;
    // Creates the object and returns its key; never sends it twice without
    // `look` saying it is not there. Throws HttpError when the target refuses
    // it (Permanent) or stays unreachable.
    virtual boost::asio::awaitable<std::string> create(const Write& write, LookAgain look) = 0;
    // An idempotent PUT; the key of the object it answers with, if any.
    virtual boost::asio::awaitable<std::optional<std::string>> update(Kind kind, std::string path,
                                                                      std::string form) = 0;
    virtual boost::asio::awaitable<void> remove(std::string path) = 0;
};

// Sends through `writer` (a client that sends each write once) the POSTs, and
// through `reader` (with the transport's retries) the idempotent PUTs and
// DELETEs. A write whose answer was lost is sent again here after a pause:
// PUT and DELETE as they are, a POST only after `look`.
class SendingWriter : public Writer {
  public:
    SendingWriter(http::ApiClient& reader, http::ApiClient& writer);
    boost::asio::awaitable<std::string> create(const Write& write, LookAgain look) override;
    boost::asio::awaitable<std::optional<std::string>> update(Kind kind, std::string path,
                                                              std::string form) override;
    boost::asio::awaitable<void> remove(std::string path) override;

  private:
    boost::asio::awaitable<std::string> send(const Write& write);
    boost::asio::awaitable<void> pause(int attempt, const http::HttpError& lost);

    http::ApiClient& reader_;
    http::ApiClient& writer_;
    http::RetryPolicy retry_;
    std::mt19937_64 random_;  // back-off jitter
};

// Sends nothing: every write is counted and answered with a key of its own
// (negative, so that no target object can have it).
class RecordingWriter : public Writer {
  public:
    boost::asio::awaitable<std::string> create(const Write& write, LookAgain look) override;
    boost::asio::awaitable<std::optional<std::string>> update(Kind kind, std::string path,
                                                              std::string form) override;
    boost::asio::awaitable<void> remove(std::string path) override;

    // "POST" -> how many would have been sent.
    const std::map<std::string, std::uint64_t>& recorded() const { return recorded_; }

  private:
    std::string next_key();
    std::int64_t made_ = 0;
    std::map<std::string, std::uint64_t> recorded_;
};

}  // namespace smartq::sync::restore
