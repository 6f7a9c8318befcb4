#include "view/site.hpp"

#include <cctype>
#include <charconv>
#include <map>
#include <optional>

#include "store/read_model.hpp"
#include "store/search.hpp"
#include "sync/wire/time.hpp"
#include "sync/wire/form.hpp"
#include "view/pages.hpp"
#include "view/safe_name.hpp"

namespace smartq::view {
namespace {

constexpr std::size_t kSearchLimit = 200;

struct Request {
    std::vector<std::string> path;  // decoded segments
    std::map<std::string, std::string> query;

    std::string param(const std::string& name) const {
        auto found = query.find(name);
        return found == query.end() ? std::string() : found->second;
    }
};

Request parse_target(std::string_view target) {
    Request request;
    auto question = target.find('?');
    auto path = target.substr(0, question);
    while (!path.empty()) {
        auto slash = path.find('/');
        auto segment = path.substr(0, slash);
        if (!segment.empty())
            request.path.push_back(wire::url_decode(segment));
        path = slash == std::string_view::npos ? std::string_view() : path.substr(slash + 1);
    }
    auto query = question == std::string_view::npos ? std::string_view() : target.substr(question + 1);
    while (!query.empty()) {
        auto amp = query.find('&');
        auto pair = query.substr(0, amp);
        auto equals = pair.find('=');
        request.query[wire::url_decode(pair.substr(0, equals))] =
            equals == std::string_view::npos ? std::string() : wire::url_decode(pair.substr(equals + 1));
        query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    }
    return request;
}

std::optional<std::int64_t> id_of(const std::string& text) {
    std::int64_t id = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), id);
    if (text.empty() || error != std::errc{} || end != text.data() + text.size() || id <= 0)
        return std::nullopt;
    return id;
}

Reply page_reply(unsigned status, std::string body) {
    Reply reply;
    reply.status = status;
    reply.body = std::move(body);
    return reply;
}

// The safe names of a ticket's attachments, as their links carry them.
AttachmentNames served_names(const store::TicketDetail& ticket) {
    AttachmentNames names;
    DirectoryNames taken;
    for (const auto& file : ticket.attachments)
        if (file.sha256)
            names[file.id] = taken.claim(file.name);
    return names;
}

}  // namespace

Site::Site(SiteSource source) : source_(std::move(source)) {}

Reply Site::answer(std::string_view target) const {
    auto request = parse_target(target);
    auto at_text = request.param("at");
    std::string at;
    PageContext page{source_.account, Links::served({}), request.param("q")};
    if (!at_text.empty()) {
        auto parsed = wire::parse_time(at_text);
        if (!parsed)
            return page_reply(400, message_page("Not a time",
                                                "'" + at_text +
                                                    "' is not a time; use YYYY-MM-DD HH:MM:SS or "
                                                    "ISO 8601.",
                                                page));
        at = wire::format_time(*parsed);
        page.links = Links::served(at);
    }
    auto not_found = [&] {
        return page_reply(404, message_page("Not found", "There is no such page in this replica.",
                                            page));
    };
    store::ReadModel model(source_.replica, source_.specs, at);
    const auto& path = request.path;
    if (path.empty())
        return page_reply(200, index_page(model.projects(), page));
    auto id = path.size() >= 2 ? id_of(path[1]) : std::nullopt;
    if (path[0] == "search" && path.size() == 1) {
        auto words = request.param("q");
        try {
            auto hits = words.empty() ? std::vector<store::SearchHit>()
                                      : model.search(words, kSearchLimit);
            return page_reply(200, search_page(hits, page));
        } catch (const store::SearchQueryError& error) {
            return page_reply(400, message_page("Not a search", error.what(), page));
        }
    }
    if (!id)
        return not_found();
    if (path[0] == "projects" && path.size() == 2) {
        auto board = model.board(*id);
        return board ? page_reply(200, board_page(*board, page)) : not_found();
    }
    if (path[0] == "tickets" && (path.size() == 2 || (path.size() == 3 && path[2] == "history"))) {
        auto ticket = model.ticket(*id);
        if (!ticket)
            return not_found();
        if (path.size() == 3)
            return page_reply(200, history_page(*ticket, model.history(*id), page));
        return page_reply(200, ticket_page(*ticket, served_names(*ticket), page));
    }
    if (path[0] == "files" && path.size() == 3) {
        auto file = model.attachment(*id);
        if (!file || !file->sha256 || file->sha256->size() < 2)
            return not_found();
        Reply reply;
        reply.file = source_.blobs / file->sha256->substr(0, 2) / *file->sha256;
        if (!std::filesystem::exists(reply.file))
            return not_found();
        reply.content_type = safe_content_type(file->content_type);
        reply.download_name = safe_file_name(file->name);
        return reply;
    }
    return not_found();
}

std::string content_disposition(std::string_view name) {
    std::string ascii;
    for (char c : name) {
        auto byte = static_cast<unsigned char>(c);
        ascii += byte >= 0x20 && byte < 0x7f && c != '"' && c != '\\' ? c : '_';
    }
    return "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + wire::url_encode(name);
}

std::string safe_content_type(std::string_view type) {
    auto token = [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '+' || c == '.';
    };
    auto slash = type.find('/');
    bool plain = slash != std::string_view::npos && slash > 0 && slash + 1 < type.size();
    for (std::size_t i = 0; plain && i < type.size(); ++i)
        plain = i == slash || token(type[i]);
    return plain ? std::string(type) : "application/octet-stream";
}

}  // namespace smartq::view
