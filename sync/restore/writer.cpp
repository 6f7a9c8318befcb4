#include "sync/restore/writer.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "sync/wire/wire_error.hpp"

namespace smartq::sync::restore {
namespace asio = boost::asio;

namespace {

// The check of an idempotent PUT: sending it again is the look.
asio::awaitable<bool> send_again() {
    co_return false;
}

}  // namespace

SendingWriter::SendingWriter(http::ApiClient& client) : client_(client) {}

asio::awaitable<std::string> SendingWriter::create(const Write& write, LookAgain look) {
    std::optional<std::string> made;
    http::WriteCheck look_for_it = [&]() -> asio::awaitable<bool> {
        spdlog::debug("{}: looking for the object before sending it again", write.path);
        made = co_await look();
        co_return made.has_value();
    };
    std::optional<http::JsonResponse> answer;
    if (write.file_body) {
        answer = co_await client_.post_file(write.path, write.file_name, write.content_type,
                                            *write.file_body, look_for_it);
    } else {
        answer = co_await client_.post_form(write.path, write.form, look_for_it);
    }
    if (!answer)
        co_return *made;  // lost, and found made
    auto key = object_key(resource(write.kind), answer->data());
    if (!key)
        throw wire::WireError(fmt::format("POST {} answered without an id", write.path));
    co_return *key;
}

asio::awaitable<std::optional<std::string>> SendingWriter::update(Kind kind, std::string path,
                                                                  std::string form) {
    auto answer = co_await client_.put_form(path, form, send_again);
    co_return object_key(resource(kind), answer.value().data());
}

// A DELETE sent again after a lost answer finds nothing: that 404 is success.
asio::awaitable<void> SendingWriter::remove(std::string path) {
    bool sent_again = false;
    http::WriteCheck send_it_again = [&]() -> asio::awaitable<bool> {
        sent_again = true;
        co_return false;
    };
    try {
        co_await client_.del(path, send_it_again);
    } catch (const http::HttpError& error) {
        if (!sent_again || error.status() != 404)
            throw;
    }
}

std::string RecordingWriter::next_key() {
    return std::to_string(-++made_);
}

asio::awaitable<std::string> RecordingWriter::create(const Write&, LookAgain) {
    ++recorded_["POST"];
    co_return next_key();
}

asio::awaitable<std::optional<std::string>> RecordingWriter::update(Kind, std::string,
                                                                    std::string) {
    ++recorded_["PUT"];
    co_return next_key();
}

asio::awaitable<void> RecordingWriter::remove(std::string) {
    ++recorded_["DELETE"];
    co_return;
}

}  // namespace smartq::sync::restore
