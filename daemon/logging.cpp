#include "daemon/logging.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/sinks/systemd_sink.h>
#include <spdlog/spdlog.h>

#include <cstdlib>

namespace smartq::daemon {

bool under_systemd() {
    return std::getenv("JOURNAL_STREAM") || std::getenv("INVOCATION_ID");
}

void setup_logging(std::string_view level) {
    std::shared_ptr<spdlog::logger> logger;
    if (std::getenv("JOURNAL_STREAM")) {
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

}  // namespace smartq::daemon
