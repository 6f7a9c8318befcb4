// spdlog setup: to the journal with priorities when systemd started us
// (JOURNAL_STREAM is set), else to stderr.
#pragma once

#include <string_view>

namespace smartq::daemon {

void setup_logging(std::string_view level);
bool under_systemd();

}  // namespace smartq::daemon
