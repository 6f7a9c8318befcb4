#include "view/links.hpp"

#include "sync/wire/form.hpp"

namespace smartq::view {

Links Links::exported() {
    return Links(false, {});
}

Links Links::served(std::string at) {
    return Links(true, std::move(at));
}

std::string Links::with_at(std::string path) const {
    if (at_.empty())
        return path;
    auto separator = path.find('?') == std::string::npos ? "?" : "&";
    return path + separator + "at=" + wire::url_encode(at_);
}

std::string Links::index() const {
    return live_ ? with_at("/") : "index.html";
}

std::string Links::board(std::int64_t project_id) const {
    auto id = std::to_string(project_id);
    return live_ ? with_at("/projects/" + id) : "project-" + id + ".html";
}

std::string Links::ticket(std::int64_t ticket_id) const {
    auto id = std::to_string(ticket_id);
    return live_ ? with_at("/tickets/" + id) : "ticket-" + id + ".html";
}

std::string Links::history(std::int64_t ticket_id) const {
    return live_ ? with_at("/tickets/" + std::to_string(ticket_id) + "/history") : std::string();
}

std::string Links::search(std::string_view words) const {
    return live_ ? with_at("/search?q=" + wire::url_encode(words)) : std::string();
}

std::string Links::attachment(std::int64_t ticket_id, std::int64_t file_id,
                              std::string_view file_name) const {
    if (live_)
        return with_at("/files/" + std::to_string(file_id) + "/" + wire::url_encode(file_name));
    return "attachments/" + std::to_string(ticket_id) + "/" + wire::url_encode(file_name);
}

}  // namespace smartq::view
