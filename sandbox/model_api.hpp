// What the account's request handlers share: reading query parameters and
// PHP bracket-notation bodies, paging, and writing the guide's envelope.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api.hpp"
#include "model.hpp"
#include "model_render.hpp"

namespace smartq::sandbox {

// Query parameters with the guide's types; malformed values are 400s.
class Query {
  public:
    explicit Query(const ApiRequest& request) : query_(request.query) {}
    std::optional<std::string> text(const std::string& name) const;
    std::int64_t integer(const std::string& name, std::int64_t fallback) const;
    bool flag(const std::string& name, bool fallback) const;

  private:
    const std::multimap<std::string, std::string>& query_;
};

// The fields of one envelope ("ticket[name]" -> "name",
// "field[options][min]" -> "options/min", "ticket[f5][0]" -> list "f5").
class Form {
  public:
    Form(const ApiRequest& request, std::string_view envelope);
    bool has(const std::string& key) const;
    std::optional<std::string> text(const std::string& key) const;
    std::string required_text(const std::string& key) const;  // present and not empty
    std::optional<bool> flag(const std::string& key) const;
    std::optional<std::int64_t> integer(const std::string& key) const;
    std::optional<double> number(const std::string& key) const;
    // `k[0]=..&k[1]=..`, `k[]=..`, or a single `k=..` (empty: an empty list).
    std::optional<std::vector<std::string>> list(const std::string& key) const;
    std::vector<std::string> keys() const;

  private:
    std::string envelope_;
    std::map<std::string, std::string> scalars_;
    std::map<std::string, std::vector<std::string>> lists_;
};

std::optional<std::int64_t> parse_integer(std::string_view text);
std::optional<double> parse_number(std::string_view text);
std::optional<bool> parse_flag(std::string_view text);
Id parse_id(std::string_view text, std::string_view what);  // 404 when not a number
// The nameFilter match: a substring, ASCII letters compared without case.
bool contains_ignoring_case(std::string_view haystack, std::string_view needle);

struct Page {
    std::size_t offset = 0, count = 0;
};
// count/offset with the resource's default count, capped by the wire's page cap.
Page page_of(const Query& query, std::int64_t default_count, const WireOptions& wire);

ApiResponse ok(std::string data_json, unsigned status = 200);
ApiResponse error_response(unsigned status, std::string_view message);
[[noreturn]] void method_not_found(const ApiRequest& request);
[[noreturn]] void not_found(std::string_view what, std::string_view id);
[[noreturn]] void bad_request(const std::string& message);

// Renders one object as the answer's data.
template <class F>
ApiResponse object_answer(const Model& model, F&& render, unsigned status = 200) {
    std::string out;
    wire::JsonWriter w(out);
    Renderer r(model, model.wire, w);
    render(r);
    return ok(std::move(out), status);
}

// Renders rows [offset, offset+count) of `ids` as a list (or an object keyed
// by id under --keyed-lists). `render(renderer, id)` writes one object.
template <class F>
ApiResponse list_answer(const Model& model, const std::vector<Id>& ids, Page page, F&& render) {
    std::string out;
    wire::JsonWriter w(out);
    Renderer r(model, model.wire, w);
    model.wire.keyed_lists ? w.begin_object() : w.begin_array();
    for (std::size_t i = page.offset; i < ids.size() && i < page.offset + page.count; ++i) {
        if (model.wire.keyed_lists)
            w.key(std::to_string(ids[i]));
        render(r, ids[i]);
    }
    model.wire.keyed_lists ? w.end_object() : w.end_array();
    return ok(std::move(out));
}

// The handlers, one per resource family; `path` has no empty segments.
using Path = std::vector<std::string>;
ApiResponse handle_users(Model& model, const ApiRequest& request, const Path& path);
ApiResponse handle_projects(Model& model, const ApiRequest& request, const Path& path);
ApiResponse handle_roles(Model& model, const ApiRequest& request, Project& project,
                         const Path& rest);
ApiResponse handle_steps(Model& model, const ApiRequest& request, Project& project,
                         const Path& rest);
ApiResponse handle_fields(Model& model, const ApiRequest& request, Project& project,
                          const Path& rest);
ApiResponse handle_tickets(Model& model, const ApiRequest& request, Project& project,
                           const Path& rest);
ApiResponse handle_notes(Model& model, const ApiRequest& request, Ticket& ticket, const Path& rest);
ApiResponse handle_tasks(Model& model, const ApiRequest& request, Ticket& ticket, const Path& rest);
ApiResponse handle_files(Model& model, const ApiRequest& request, Note& note, const Path& rest);

}  // namespace smartq::sandbox
