#include "sync/restore/writer.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "sync/wire/wire_error.hpp"

namespace smartq::sync::restore {
namespace asio = boost::asio;

namespace {

// A failure after which the object may exist or the write may have gone
// through: look (or, for an idempotent write, send again) after a pause.
bool answer_lost(const http::HttpError& error) {
    switch (error.cls()) {
        case http::ErrorClass::Retryable:
        case http::ErrorClass::RateLimited:
        case http::ErrorClass::Unreachable:
        case http::ErrorClass::Malformed:
        case http::ErrorClass::OutcomeUnknown:
            return true;
        default:
            return false;
    }
}

}  // namespace

SendingWriter::SendingWriter(http::ApiClient& reader, http::ApiClient& writer)
    : reader_(reader), writer_(writer), random_(std::random_device{}()) {}

asio::awaitable<std::string> SendingWriter::create(const Write& write, LookAgain look) {
    for (int attempt = 1;; ++attempt) {
        std::optional<std::string> key;
        std::optional<http::HttpError> lost;
        try {
            key = co_await send(write);
        } catch (const http::HttpError& error) {
            if (!answer_lost(error) || attempt >= retry_.max_attempts)
                throw;
            lost = error;
        }
        if (key)
            co_return *key;
        spdlog::debug("{}: {}; looking for the object before sending it again", write.path,
                      lost->what());
        if (auto made = co_await look())
            co_return *made;
        co_await pause(attempt, *lost);
    }
}

asio::awaitable<std::string> SendingWriter::send(const Write& write) {
    std::optional<std::string> key;
    if (write.file_body) {
        auto answer = co_await writer_.post_file(write.path, write.file_name, write.content_type,
                                                 *write.file_body);
        key = object_key(resource(write.kind), answer.data());
    } else {
        auto answer = co_await writer_.post_form(write.path, write.form);
        key = object_key(resource(write.kind), answer.data());
    }
    if (!key)
        throw wire::WireError(fmt::format("POST {} answered without an id", write.path));
    co_return *key;
}

asio::awaitable<std::optional<std::string>> SendingWriter::update(Kind kind, std::string path,
                                                                  std::string form) {
    for (int attempt = 1;; ++attempt) {
        std::optional<http::HttpError> lost;
        std::optional<std::optional<std::string>> key;
        try {
            auto answer = co_await reader_.put_form(path, form);
            key = object_key(resource(kind), answer.data());
        } catch (const http::HttpError& error) {
            if (!answer_lost(error) || attempt >= retry_.max_attempts)
                throw;
            lost = error;
        }
        if (key)
            co_return *key;
        co_await pause(attempt, *lost);
    }
}

// A DELETE sent again after a lost answer finds nothing: that 404 is success.
asio::awaitable<void> SendingWriter::remove(std::string path) {
    for (int attempt = 1;; ++attempt) {
        std::optional<http::HttpError> lost;
        try {
            co_await reader_.del(path);
            co_return;
        } catch (const http::HttpError& error) {
            if (attempt > 1 && error.status() == 404)
                co_return;
            if (!answer_lost(error) || attempt >= retry_.max_attempts)
                throw;
            lost = error;
        }
        co_await pause(attempt, *lost);
    }
}

asio::awaitable<void> SendingWriter::pause(int attempt, const http::HttpError& lost) {
    auto delay = lost.retry_after().value_or(http::backoff_delay(retry_, attempt, random_));
    asio::steady_timer timer(co_await asio::this_coro::executor, delay);
    co_await timer.async_wait(asio::use_awaitable);
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
