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

// Sends each write once through the target's client, whose retrier is the only
// retry loop: when a write's answer is lost, the retrier asks this writer's check
// before sending it again. A POST's check is `look`; a PUT or DELETE sets the same
// state however often it is sent, so its check is to send it again.
class SendingWriter : public Writer {
  public:
    explicit SendingWriter(http::ApiClient& client);
    boost::asio::awaitable<std::string> create(const Write& write, LookAgain look) override;
    boost::asio::awaitable<std::optional<std::string>> update(Kind kind, std::string path,
                                                              std::string form) override;
    boost::asio::awaitable<void> remove(std::string path) override;

  private:
    http::ApiClient& client_;
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
