#include "daemon/logging.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/sinks/systemd_sink.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <cstdlib>

namespace smartq::daemon {
namespace {

bool stderr_is_journal() {
    const char* stream = std::getenv("JOURNAL_STREAM");
    return stream && is_journal_stream(STDERR_FILENO, stream);
}

template <typename Number>
bool parse_number(std::string_view text, Number& number) {
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
    return error == std::errc() && end == text.data() + text.size() && !text.empty();
}

}  // namespace

bool under_systemd() {
    return std::getenv("JOURNAL_STREAM") || std::getenv("INVOCATION_ID");
}

bool is_journal_stream(int fd, std::string_view journal_stream) {
    auto colon = journal_stream.find(':');
    if (colon == std::string_view::npos)
        return false;
    unsigned long long device = 0, inode = 0;
    if (!parse_number(journal_stream.substr(0, colon), device) ||
        !parse_number(journal_stream.substr(colon + 1), inode))
        return false;
    struct stat file {};
    if (::fstat(fd, &file) != 0)
        return false;
    return static_cast<unsigned long long>(file.st_dev) == device &&
           static_cast<unsigned long long>(file.st_ino) == inode;
}

void setup_logging(std::string_view level) {
    std::shared_ptr<spdlog::logger> logger;
    if (stderr_is_journal()) {
        logger = std::make_shared<spdlog::logger>(
            "smartq-backup", std::make_shared<spdlog::sinks::systemd_sink_st>("smartq-backup"));
        logger->set_pattern("%v");
    } else {
        logger = std::make_shared<spdlog::logger>(
            "smartq-backup", std::make_shared<spdlog::sinks::stderr_color_sink_st>());
        logger->set_pattern("%Y-%m-%d %H:%M:%S %^%l%$ %v");
    }
    logger->set_level(spdlog::level::from_str(std::string(level)));
    spdlog::set_default_logger(logger);
}

void report_failure(std::string_view message) {
    if (stderr_is_journal()) {
        // The journal logger, at err whatever the log level: this sentence is
        // what `journalctl -p warning` must show.
        auto logger = spdlog::default_logger();
        logger->set_level(spdlog::level::trace);
        logger->error("{}", message);
        logger->flush();
    } else {
        std::fprintf(stderr, "smartq-backup: %.*s\n", static_cast<int>(message.size()),
                     message.data());
    }
}

}  // namespace smartq::daemon
