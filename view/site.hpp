// The pages of `serve`, by request target, without HTTP: the web server asks
// the site for a reply and sends it. Every page takes ?at=TIME.
//   /                       projects
//   /projects/<id>          a board
//   /tickets/<id>           a ticket with its thread and attachments
//   /tickets/<id>/history   the ticket's versions and what changed
//   /search?q=WORDS         tickets and notes containing WORDS
//   /files/<id>/<name>      an attachment's body, as a download
#pragma once

#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "store/table_spec.hpp"

namespace smartq::view {

struct Reply {
    unsigned status = 200;
    std::string content_type = "text/html; charset=utf-8";
    std::string body;
    std::filesystem::path file;  // when set, the body is this file's content
    std::string download_name;   // with `file`: the name for Content-Disposition
};

struct SiteSource {
    std::string account;
    std::filesystem::path replica;
    std::filesystem::path blobs;
    std::span<const store::TableSpec> specs;
};

class Site {
  public:
    explicit Site(SiteSource source);

    // `target` is the request's path and query ("/tickets/7?at=2024-05-01"). A failure of the
    // replica throws; what the reader asked wrongly is a 400 or 404 page.
    Reply answer(std::string_view target) const;

  private:
    SiteSource source_;
};

// The Content-Disposition value for an attachment named `name`
// name: an ASCII fallback and the UTF-8 name (RFC 6266), neither able to end the header.
std::string content_disposition(std::string_view name);

// The server's content type when it is a plain type/subtype, else application/octet-stream.
std::string safe_content_type(std::string_view type);

}  // namespace smartq::view
