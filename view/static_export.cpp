#include "view/static_export.hpp"

#include <fstream>

#include "store/errors.hpp"
#include "view/pages.hpp"
#include "view/safe_name.hpp"
#include "view/table_dump.hpp"

namespace smartq::view {
namespace {

namespace fs = std::filesystem;

void write_page(const fs::path& file, const std::string& html, ExportSummary& summary) {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << html;
    out.close();
    if (!out)
        throw store::BlobError("cannot write " + file.string());
    ++summary.pages;
}

// Copies the bodies of a ticket's attachments under their safe names; returns the names.
AttachmentNames copy_attachments(const std::vector<store::Attachment>& files, const fs::path& blobs,
                           const fs::path& dir, ExportSummary& summary) {
    AttachmentNames names;
    DirectoryNames taken;
    for (const auto& file : files) {
        if (!file.sha256 || file.sha256->size() < 2) {
            ++summary.missing;
            continue;
        }
        auto body = blobs / file.sha256->substr(0, 2) / *file.sha256;
        if (!fs::exists(body)) {
            ++summary.missing;
            continue;
        }
        auto name = taken.claim(file.name);
        fs::create_directories(dir);
        std::error_code error;
        fs::copy_file(body, dir / name, fs::copy_options::overwrite_existing, error);
        if (error)
            throw store::BlobError("cannot write " + (dir / name).string() + ": " + error.message());
        names[file.id] = name;
        ++summary.attachments;
    }
    return names;
}

}  // namespace

ExportSummary export_site(store::ReadModel& model, const ExportTarget& target) {
    std::error_code error;
    fs::create_directories(target.to, error);
    if (error || !fs::is_directory(target.to))
        throw store::BlobError("cannot create the directory " + target.to.string() +
                               (error ? ": " + error.message() : ": a file is in the way"));
    ExportSummary summary;
    PageContext page{target.account, Links::exported(), {}};
    auto projects = model.projects();
    write_page(target.to / page.links.index(), index_page(projects, page), summary);
    for (const auto& project : projects) {
        if (auto board = model.board(project.id))
            write_page(target.to / page.links.board(project.id), board_page(*board, page), summary);
        for (auto id : model.ticket_ids(project.id)) {
            auto ticket = model.ticket(id);
            if (!ticket)
                continue;
            auto names = copy_attachments(ticket->attachments, target.blobs,
                                          target.to / "attachments" / std::to_string(id), summary);
            write_page(target.to / page.links.ticket(id), ticket_page(*ticket, names, page),
                       summary);
        }
    }
    summary.rows = dump_tables(model, target.to / "data");
    return summary;
}

}  // namespace smartq::view
