// `export`: the account as a static site that works opened from disk, with no
// server and no network: index.html, project-<id>.html (a board per project),
// ticket-<id>.html, attachments/<ticket id>/<safe name>, and data/<table>.jsonl
// and .csv.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "store/read_model.hpp"

namespace smartq::view {

struct ExportTarget {
    std::string account;            // shown in every page's header
    std::filesystem::path blobs;    // the account's blob store
    std::filesystem::path to;       // created if missing
};

struct ExportSummary {
    std::uint64_t pages = 0;
    std::uint64_t attachments = 0;  // bodies copied
    std::uint64_t missing = 0;      // attachments whose body was never downloaded
    std::uint64_t rows = 0;         // rows in the table dumps
};

// Writes the site for what `model` shows (its time and projects). Files of an earlier export in
// the same directory are overwritten; a failed write throws store::BlobError naming the file.
ExportSummary export_site(store::ReadModel& model, const ExportTarget& target);

}  // namespace smartq::view
