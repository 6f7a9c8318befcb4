// The seam between the sandbox's HTTP server (server.*, auth, faults, admin)
// and its account model (account.*): a request already authenticated and
// decoded, and the answer the model gives.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace smartq::sandbox {

struct Upload {
    std::string filename;
    std::string content_type;
    std::string body;
};

struct ApiRequest {
    std::string method;             // "GET", "POST", "PUT", "DELETE"
    std::vector<std::string> path;  // decoded segments after /api/v1: {"projects","12","tickets"}
    std::multimap<std::string, std::string> query;  // decoded query parameters
    // The decoded body, keys as sent ("ticket[name]").
    std::vector<std::pair<std::string, std::string>> form;
    std::optional<Upload> upload;  // multipart part named "file" (filesv2)
    std::int64_t user_id = 0;      // the authenticated user
};

struct ApiResponse {
    unsigned status = 200;
    std::string body;  // the JSON envelope; empty when `read_at` is set
    std::string content_type = "application/json";
    std::string content_disposition;  // downloads only
    // Downloads: the body is read in chunks at increasing offsets, so that no
    // attachment body has to live in memory. `read_at(offset, buf, len)`
    // returns the bytes written (0 only at the end); `stream_size` is the
    // Content-Length. Empty `read_at` means `body` is the whole answer.
    std::function<std::size_t(std::uint64_t offset, char* buf, std::size_t len)> read_at;
    std::uint64_t stream_size = 0;
};

// The wire variations of wire-notes.md; each off by default.
struct WireOptions {
    bool string_ids = false;   // "id":"510" instead of "id":510 (every id and id reference)
    bool int_bools = false;    // 1/0 instead of true/false
    bool keyed_lists = false;  // list data as {"510":{...},"511":{...}}
    int page_cap = 0;          // > 0: never return more than this many rows per page
    int size_skew = 0;         // added to every file's size in its metadata (not a variation
                               // of wire-notes.md: a server whose metadata lies)

    // Sync integrity (issue 10): servers whose listings lose, repeat or misfile rows.
    bool tie_shuffle = false;       // tickets of equal sort key in a new random order per request
    bool bulk_insert_time = false;  // a new ticket gets the insert_time of its project's newest
    bool unpaged_lists = false;     // lists the guide gives no count for answer every row at once
    bool ignore_offset = false;     // ticket lists answer the first page at every offset
    bool foreign_tickets = false;   // a ticket list's first page also holds another project's
    std::int64_t children_404 = 0;  // GETs of this ticket's notes and tasks answer 404
    bool private_notes_hidden = false;  // a private note is listed to its author only

    // Restore shapes: answers and rules a server may have that the guide allows
    // and a restore must survive (issue 12).
    bool nested_custom_fields = false;  // ticket values under "custom_fields":{"f3":...}
    std::string root_parent = "null";   // a root note's parent_id: "null", "0" (text) or "absent"
    bool zero_dates = false;            // an unset date as "0000-00-00 00:00:00"
    bool empty_arrays = false;          // an empty object as [] (PHP's json_encode of array())
    bool default_steps = false;         // a new project gets steps To Do, In Progress, Done
    bool required_fields = false;       // a ticket POST lacking a required field is refused
    bool basename_uploads = false;      // an upload's file name cut to its basename, as PHP does
};

enum class Size { Empty, Tiny, Small, Medium, Large };

}  // namespace smartq::sandbox
