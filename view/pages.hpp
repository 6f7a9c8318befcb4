// The HTML pages, from the templates of view/templates/. Every text from the
// account goes through escape_html (the templates' only escaping); HTML from
// the account is first reduced to its text (store::plain_text).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "store/read_model.hpp"
#include "view/links.hpp"

namespace smartq::view {

struct PageContext {
    std::string account;
    Links links;
    std::string query;  // the search box's text (served pages)
};

// Attachment file id -> the safe name it has on disk (export) or in its URL (served).
using AttachmentNames = std::map<std::int64_t, std::string>;

std::string index_page(const std::vector<store::ProjectSummary>& projects, const PageContext& page);
std::string board_page(const store::Board& board, const PageContext& page);
// Attachments without a body in the blob store, or missing from `names`, are listed unlinked.
std::string ticket_page(const store::TicketDetail& ticket, const AttachmentNames& names,
                        const PageContext& page);
std::string history_page(const store::TicketDetail& ticket,
                         const std::vector<store::TicketVersion>& versions,
                         const PageContext& page);
std::string search_page(const std::vector<store::SearchHit>& hits, const PageContext& page);
std::string message_page(std::string_view heading, std::string_view text, const PageContext& page);

}  // namespace smartq::view
