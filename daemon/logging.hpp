// spdlog setup: to the journal with priorities when stderr is the journal's
// stream (systemd started us with StandardError=journal), else to stderr.
#pragma once

#include <string_view>

namespace smartq::daemon {

void setup_logging(std::string_view level);
bool under_systemd();

// True when `journal_stream`, a $JOURNAL_STREAM value "DEVICE:INODE", names
// the file `fd` is open on. A stale value (inherited by a child whose stderr
// was redirected) names another file.
bool is_journal_stream(int fd, std::string_view journal_stream);

// A command's last word, the sentence that says why it failed: to the journal
// at priority err when stderr is the journal, else "smartq-backup: ..." on
// stderr.
void report_failure(std::string_view message);

}  // namespace smartq::daemon
