#include "admin.hpp"

#include <charconv>
#include <stdexcept>

#include <fmt/format.h>
#include <simdjson.h>

#include "sync/wire/json_writer.hpp"

namespace smartq::sandbox {

const char* const admin_help = R"(Admin API (JSON, no authentication, never faulted):
  GET  /__admin/health                    {"status":"ok"}
  GET  /__admin/stats                     requests by route, method and status; faults injected
  POST /__admin/reset[?data=1]            zero the statistics; data=1 also re-seeds the account
  POST /__admin/mutate?seed=N&count=M[&silent=1]
                                          deterministic random changes; returns what changed
  POST /__admin/clock[?at=UNIX_SECONDS]   the account's clock stops at that second (times are
                                          whole seconds); without at, it follows the real one
  GET  /__admin/dump                      the whole account as canonical JSON
  POST /__admin/compare                   body {"a":DUMP,"b":DUMP}, or ?with=current and a
                                          DUMP body: {"equal":bool,"differences":[...]}
  GET  /__admin/faults, POST /__admin/faults {"latency_ms":N,"error_rate":F,"rate_limit":N,
                                          "drop_rate":F,"truncate_rate":F,"seed":N,
                                          "forbidden_route":"GET /projects/{id}/...",
                                          "commit_then_drop_rate":F,"commit_then_error_rate":F,
                                          "huge_answer_route":"GET /projects",
                                          "trickle_route":"GET /users","trickle_interval_ms":N}
  GET  /__admin/wire,   POST /__admin/wire   {"string_ids":B,"int_bools":B,"keyed_lists":B,
                                          "page_cap":N,"size_skew":N,
                                          "tie_shuffle":B,"bulk_insert_time":B,"unpaged_lists":B,
                                          "ignore_offset":B,"foreign_tickets":B,"children_404":ID,
                                          "private_notes_hidden":B, restore shapes:
                                          "nested_custom_fields":B,"root_parent":"null|0|absent",
                                          "zero_dates":B,"empty_arrays":B,"default_steps":B,
                                          "required_fields":B,"basename_uploads":B}
                                          (POST: missing keys unchanged))";

namespace {

AdminResponse json_error(unsigned status, std::string_view message) {
    AdminResponse response{status, {}};
    wire::JsonWriter(response.body).begin_object().key("error").value(message).end_object();
    return response;
}

std::optional<std::string> query_value(const AdminRequest& request, const std::string& key) {
    auto found = request.query.find(key);
    if (found == request.query.end()) {
        return std::nullopt;
    }
    return found->second;
}

std::int64_t query_number(const AdminRequest& request, const std::string& key,
                          std::int64_t fallback, std::int64_t min, std::int64_t max) {
    auto text = query_value(request, key);
    if (!text) {
        return fallback;
    }
    std::int64_t number = 0;
    auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), number);
    if (error != std::errc{} || end != text->data() + text->size() || number < min ||
        number > max) {
        throw std::invalid_argument(
            fmt::format("parameter '{}' must be a whole number from {} to {}", key, min, max));
    }
    return number;
}

simdjson::dom::object parse_object(simdjson::dom::parser& parser, const std::string& body,
                                   std::string_view what) {
    simdjson::dom::element root;
    simdjson::dom::object object;
    if (parser.parse(body).get(root) != simdjson::SUCCESS ||
        root.get_object().get(object) != simdjson::SUCCESS) {
        throw std::invalid_argument(fmt::format("{} must be a JSON object", what));
    }
    return object;
}

std::string wire_to_json(const WireOptions& wire) {
    std::string out;
    wire::JsonWriter(out)
        .begin_object()
        .key("string_ids")
        .value(wire.string_ids)
        .key("int_bools")
        .value(wire.int_bools)
        .key("keyed_lists")
        .value(wire.keyed_lists)
        .key("page_cap")
        .value(wire.page_cap)
        .key("size_skew")
        .value(wire.size_skew)
        // Sync integrity.
        .key("tie_shuffle")
        .value(wire.tie_shuffle)
        .key("bulk_insert_time")
        .value(wire.bulk_insert_time)
        .key("unpaged_lists")
        .value(wire.unpaged_lists)
        .key("ignore_offset")
        .value(wire.ignore_offset)
        .key("foreign_tickets")
        .value(wire.foreign_tickets)
        .key("children_404")
        .value(wire.children_404)
        .key("private_notes_hidden")
        .value(wire.private_notes_hidden)
        // Restore shapes.
        .key("nested_custom_fields")
        .value(wire.nested_custom_fields)
        .key("root_parent")
        .value(wire.root_parent)
        .key("zero_dates")
        .value(wire.zero_dates)
        .key("empty_arrays")
        .value(wire.empty_arrays)
        .key("default_steps")
        .value(wire.default_steps)
        .key("required_fields")
        .value(wire.required_fields)
        .key("basename_uploads")
        .value(wire.basename_uploads)
        .end_object();
    return out;
}

// The boolean restore-shape switches by their JSON name.
bool* restore_shape_flag(WireOptions& wire, std::string_view key) {
    if (key == "nested_custom_fields")
        return &wire.nested_custom_fields;
    if (key == "zero_dates")
        return &wire.zero_dates;
    if (key == "empty_arrays")
        return &wire.empty_arrays;
    if (key == "default_steps")
        return &wire.default_steps;
    if (key == "required_fields")
        return &wire.required_fields;
    if (key == "basename_uploads")
        return &wire.basename_uploads;
    return nullptr;
}

// The boolean sync-integrity switches by their JSON name.
bool* sync_integrity_flag(WireOptions& wire, std::string_view key) {
    if (key == "tie_shuffle")
        return &wire.tie_shuffle;
    if (key == "bulk_insert_time")
        return &wire.bulk_insert_time;
    if (key == "unpaged_lists")
        return &wire.unpaged_lists;
    if (key == "ignore_offset")
        return &wire.ignore_offset;
    if (key == "foreign_tickets")
        return &wire.foreign_tickets;
    if (key == "private_notes_hidden")
        return &wire.private_notes_hidden;
    return nullptr;
}

WireOptions wire_from_json(const std::string& body, WireOptions wire) {
    simdjson::dom::parser parser;
    for (auto field : parse_object(parser, body, "wire options")) {
        const std::string_view key = field.key;
        if (key == "page_cap" || key == "size_skew") {
            std::int64_t n;
            std::int64_t least = key == "page_cap" ? 0 : -1'000'000;
            if (field.value.get_int64().get(n) != simdjson::SUCCESS || n < least || n > 1'000'000) {
                throw std::invalid_argument(fmt::format(
                    "wire option '{}' must be a whole number from {} to 1000000", key, least));
            }
            (key == "page_cap" ? wire.page_cap : wire.size_skew) = static_cast<int>(n);
            continue;
        }
        if (key == "children_404") {
            if (field.value.get_int64().get(wire.children_404) != simdjson::SUCCESS ||
                wire.children_404 < 0)
                throw std::invalid_argument("wire option 'children_404' must be a ticket id");
            continue;
        }
        if (key == "root_parent") {
            std::string_view shape;
            if (field.value.get_string().get(shape) != simdjson::SUCCESS ||
                (shape != "null" && shape != "0" && shape != "absent"))
                throw std::invalid_argument("wire option 'root_parent' must be null, 0 or absent");
            wire.root_parent = std::string(shape);
            continue;
        }
        bool flag;
        if (field.value.get_bool().get(flag) != simdjson::SUCCESS) {
            throw std::invalid_argument(fmt::format("wire option '{}' must be true or false", key));
        }
        if (key == "string_ids") {
            wire.string_ids = flag;
        } else if (key == "int_bools") {
            wire.int_bools = flag;
        } else if (key == "keyed_lists") {
            wire.keyed_lists = flag;
        } else if (auto* integrity = sync_integrity_flag(wire, key)) {
            *integrity = flag;
        } else if (auto* restore_shape = restore_shape_flag(wire, key)) {
            *restore_shape = flag;
        } else {
            throw std::invalid_argument(fmt::format("unknown wire option '{}'", key));
        }
    }
    return wire;
}

std::string compare(ServerState& state, const AdminRequest& request) {
    auto with = query_value(request, "with");
    if (with) {
        if (*with != "current") {
            throw std::invalid_argument("parameter 'with' can only be 'current'");
        }
        return compare_dumps(request.body, state.account->dump());
    }
    simdjson::dom::parser parser;
    auto object = parse_object(parser, request.body, "the compare body");
    simdjson::dom::element a, b;
    if (object["a"].get(a) != simdjson::SUCCESS || object["b"].get(b) != simdjson::SUCCESS) {
        throw std::invalid_argument("the compare body needs the dumps \"a\" and \"b\"");
    }
    return compare_dumps(simdjson::minify(a), simdjson::minify(b));
}

std::string ok() {
    return R"({"status":"ok"})";
}

std::string faults(ServerState& state, const AdminRequest& request) {
    if (request.method == "POST") {
        state.faults.update(faults_from_json(request.body, state.faults.settings()));
    }
    return faults_to_json(state.faults.settings());
}

std::string wire_options(ServerState& state, const AdminRequest& request) {
    if (request.method == "POST") {
        state.account->set_wire(wire_from_json(request.body, state.account->wire()));
    }
    return wire_to_json(state.account->wire());
}

std::string reset(ServerState& state, const AdminRequest& request) {
    const bool data = query_number(request, "data", 0, 0, 1) == 1;
    state.stats.reset();
    state.faults.reset_counts();
    if (data) {
        state.reseed();
    }
    return ok();
}

std::string mutate(ServerState& state, const AdminRequest& request) {
    auto seed = query_number(request, "seed", 1, 0, INT64_MAX);
    auto count = query_number(request, "count", 1, 0, 100'000);
    auto silent = query_number(request, "silent", 0, 0, 1) == 1;
    return state.account->mutate(static_cast<std::uint64_t>(seed), static_cast<int>(count), silent);
}

std::string clock(ServerState& state, const AdminRequest& request) {
    std::optional<wire::Seconds> at;
    if (query_value(request, "at"))
        at = wire::Seconds(std::chrono::seconds(query_number(request, "at", 0, 0, INT64_MAX)));
    state.account->stop_clock(at);
    return ok();
}

struct Route {
    std::string_view name;
    bool get, post;
    std::string (*answer)(ServerState&, const AdminRequest&);
};

const Route routes[] = {
    {"health", true, false, [](ServerState&, const AdminRequest&) { return ok(); }},
    {"stats", true, false,
     [](ServerState& state, const AdminRequest&) {
         return state.stats.to_json(state.faults.injected());
     }},
    {"dump", true, false,
     [](ServerState& state, const AdminRequest&) { return state.account->dump(); }},
    {"reset", false, true, reset},
    {"mutate", false, true, mutate},
    {"clock", false, true, clock},
    {"compare", false, true, compare},
    {"faults", true, true, faults},
    {"wire", true, true, wire_options},
};

}  // namespace

AdminResponse handle_admin(ServerState& state, const AdminRequest& request) {
    const std::string_view name =
        request.path.size() == 1 ? std::string_view(request.path[0]) : std::string_view{};
    for (const auto& route : routes) {
        if (route.name != name) {
            continue;
        }
        const bool allowed =
            (route.get && request.method == "GET") || (route.post && request.method == "POST");
        if (!allowed) {
            return json_error(
                405, fmt::format("method {} is not allowed for /__admin/{}", request.method, name));
        }
        try {
            return {200, route.answer(state, request)};
        } catch (const std::invalid_argument& error) {
            return json_error(400, error.what());
        } catch (const std::exception& error) {
            return json_error(500, std::string("the sandbox failed: ") + error.what());
        }
    }
    return json_error(404, "no such admin route; see smartq-sandbox --help");
}

}  // namespace smartq::sandbox
