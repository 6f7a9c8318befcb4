// Where a page's links point: files beside each other in an export, or the
// server's paths, which carry the page's ?at= so that a reader browsing the
// past stays there.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace smartq::view {

class Links {
  public:
    // The static export's relative file names.
    static Links exported();
    // The web server's paths; `at` (empty: now) is added to every link.
    static Links served(std::string at);

    bool live() const { return live_; }
    const std::string& at() const { return at_; }

    std::string index() const;
    std::string board(std::int64_t project_id) const;
    std::string ticket(std::int64_t ticket_id) const;
    std::string history(std::int64_t ticket_id) const;  // served only
    std::string search(std::string_view words) const;   // served only
    // An attachment saved (export) or served under `file_name`, a safe name.
    std::string attachment(std::int64_t ticket_id, std::int64_t file_id,
                           std::string_view file_name) const;

  private:
    Links(bool live, std::string at) : live_(live), at_(std::move(at)) {}
    std::string with_at(std::string path) const;
    bool live_;
    std::string at_;
};

}  // namespace smartq::view
