// Reading requests and writing envelopes for every handler.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <limits>

#include "model_api.hpp"
#include "sync/wire/form.hpp"
#include "sync/wire/json_writer.hpp"

namespace smartq::sandbox {

std::optional<std::int64_t> parse_integer(std::string_view text) {
    std::int64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || text.empty())
        return std::nullopt;
    return value;
}

std::optional<double> parse_number(std::string_view text) {
    double value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || text.empty())
        return std::nullopt;
    return value;
}

std::optional<bool> parse_flag(std::string_view text) {
    if (text == "1" || text == "true")
        return true;
    if (text == "0" || text == "false" || text.empty())
        return false;
    return std::nullopt;
}

bool contains_ignoring_case(std::string_view haystack, std::string_view needle) {
    return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(),
                       [](char a, char b) {
                           return std::tolower(static_cast<unsigned char>(a)) ==
                                  std::tolower(static_cast<unsigned char>(b));
                       }) != haystack.end();
}

Id parse_id(std::string_view text, std::string_view what) {
    auto id = parse_integer(text);
    if (!id)
        not_found(what, text);
    return *id;
}

std::optional<std::string> Query::text(const std::string& name) const {
    auto it = query_.find(name);
    if (it == query_.end())
        return std::nullopt;
    return it->second;
}

std::int64_t Query::integer(const std::string& name, std::int64_t fallback) const {
    auto raw = text(name);
    if (!raw)
        return fallback;
    auto value = parse_integer(*raw);
    if (!value)
        bad_request("Parameter '" + name + "' must be an integer, not '" + *raw + "'");
    return *value;
}

bool Query::flag(const std::string& name, bool fallback) const {
    auto raw = text(name);
    if (!raw)
        return fallback;
    auto value = parse_flag(*raw);
    if (!value)
        bad_request("Parameter '" + name + "' must be 0 or 1, not '" + *raw + "'");
    return *value;
}

Form::Form(const ApiRequest& request, std::string_view envelope) : envelope_(envelope) {
    for (const auto& [raw_key, value] : request.form) {
        std::vector<std::string> parts = wire::bracket_path(raw_key);
        if (parts.empty() || parts.front() != envelope)
            continue;
        parts.erase(parts.begin());
        const bool list_item =
            !parts.empty() && (parts.back().empty() || parse_integer(parts.back()));
        if (list_item)
            parts.pop_back();
        std::string key;
        for (const auto& part : parts) {
            if (!key.empty())
                key += '/';
            key += part;
        }
        if (list_item)
            lists_[key].push_back(value);
        else
            scalars_[key] = value;
    }
}

bool Form::has(const std::string& key) const {
    return scalars_.count(key) || lists_.count(key);
}

std::optional<std::string> Form::text(const std::string& key) const {
    auto it = scalars_.find(key);
    if (it == scalars_.end())
        return std::nullopt;
    return it->second;
}

std::string Form::required_text(const std::string& key) const {
    auto value = text(key);
    if (!value || value->empty())
        bad_request(envelope_ + "[" + key + "] is required");
    return *value;
}

std::optional<bool> Form::flag(const std::string& key) const {
    auto raw = text(key);
    if (!raw)
        return std::nullopt;
    auto value = parse_flag(*raw);
    if (!value)
        bad_request(envelope_ + "[" + key + "] must be 0 or 1, not '" + *raw + "'");
    return value;
}

std::optional<std::int64_t> Form::integer(const std::string& key) const {
    auto raw = text(key);
    if (!raw)
        return std::nullopt;
    auto value = parse_integer(*raw);
    if (!value)
        bad_request(envelope_ + "[" + key + "] must be an integer, not '" + *raw + "'");
    return value;
}

std::optional<double> Form::number(const std::string& key) const {
    auto raw = text(key);
    if (!raw)
        return std::nullopt;
    auto value = parse_number(*raw);
    if (!value)
        bad_request(envelope_ + "[" + key + "] must be a number, not '" + *raw + "'");
    return value;
}

std::optional<std::vector<std::string>> Form::list(const std::string& key) const {
    if (auto it = lists_.find(key); it != lists_.end())
        return it->second;
    if (auto raw = text(key)) {
        if (raw->empty())
            return std::vector<std::string>{};
        return std::vector<std::string>{*raw};
    }
    return std::nullopt;
}

std::vector<std::string> Form::keys() const {
    std::vector<std::string> all;
    for (const auto& [key, value] : scalars_)
        all.push_back(key);
    for (const auto& [key, value] : lists_)
        all.push_back(key);
    return all;
}

Page page_of(const Query& query, std::int64_t default_count, const WireOptions& wire) {
    const std::int64_t count = query.integer("count", default_count);
    const std::int64_t offset = query.integer("offset", 0);
    if (count < 1)
        bad_request("Parameter 'count' must be at least 1");
    if (offset < 0)
        bad_request("Parameter 'offset' must not be negative");
    Page page{static_cast<std::size_t>(offset), static_cast<std::size_t>(count)};
    // The lists whose count the guide does not document are those with a default of 1000.
    if (wire.unpaged_lists && default_count >= 1000)
        return Page{0, std::numeric_limits<std::size_t>::max()};
    if (wire.page_cap > 0)
        page.count = std::min<std::size_t>(page.count, wire.page_cap);
    return page;
}

ApiResponse ok(std::string data_json, unsigned status) {
    ApiResponse response;
    response.status = status;
    response.body.reserve(data_json.size() + 24);
    response.body = "{\"error\":null,\"data\":";
    response.body += data_json;
    response.body += '}';
    return response;
}

ApiResponse error_response(unsigned status, std::string_view message) {
    ApiResponse response;
    response.status = status;
    wire::JsonWriter w(response.body);
    w.begin_object().key("error").begin_object();
    w.key("type").null().key("code").value(static_cast<std::int64_t>(status));
    w.key("message").value(message).end_object();
    w.key("data").null().end_object();
    return response;
}

void method_not_found(const ApiRequest& request) {
    std::string resource;
    for (const auto& segment : request.path)
        if (!segment.empty()) {
            if (!resource.empty())
                resource += '/';
            resource += segment;
        }
    throw ApiError(405,
                   "method \"" + request.method + "\" not found for resource \"" + resource + "\"");
}

void not_found(std::string_view what, std::string_view id) {
    throw ApiError(404, std::string(what) + " " + std::string(id) + " not found");
}

void bad_request(const std::string& message) {
    throw ApiError(400, message);
}

}  // namespace smartq::sandbox
