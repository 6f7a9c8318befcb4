#include "restore_drill.hpp"

#include <doctest/doctest.h>
#include <simdjson.h>

#include <functional>

namespace smartq::test {
namespace dom = simdjson::dom;

sandbox::ServerOptions sandbox_of(sandbox::Size size) {
    sandbox::ServerOptions options;
    options.size = size;
    return options;
}

Drill::Drill(sandbox::Size size) : Drill(sandbox_of(size), sandbox_of(sandbox::Size::Empty)) {}

Drill::Drill(sandbox::ServerOptions source_options, sandbox::ServerOptions target_options)
    : source(std::move(source_options)), target(std::move(target_options)) {
    AccountSpec a;
    a.name = "a";
    a.port = source.port();
    AccountSpec b;
    b.name = "b";
    b.port = target.port();
    env.configure({a, b});
    auto synced = sync_source();
    REQUIRE_MESSAGE(synced.code == 0, synced.err);
}

RunResult Drill::sync_source() const {
    return env.run({"sync", "--account", "a"});
}

std::string Drill::compare_with(const std::string& dump) const {
    return target.admin("POST", "compare?with=current", dump).body;
}

std::string Drill::compare() const {
    return compare_with(source.admin("GET", "dump").body);
}

bool equal(const std::string& comparison) {
    return comparison.find("\"equal\":true") != std::string::npos;
}

long writes(const SandboxStats& s) {
    // Everything but GETs and the OAuth2 token request, which changes no data.
    long n = 0;
    for (const auto& [route, count] : s.by_route)
        if (route.rfind("GET ", 0) != 0 && route.rfind("POST /oauth2", 0) != 0)
            n += count;
    return n;
}

namespace {

std::int64_t number(dom::element object, const char* key) {
    std::int64_t value = 0;
    if (object[key].get(value) != simdjson::SUCCESS)
        return -1;
    return value;
}

using Keep = std::function<bool(dom::element)>;

void append_section(std::string& out, dom::element dump, const char* section, const Keep& keep) {
    out += out.size() > 1 ? ",\"" : "\"";
    out += section;
    out += "\":[";
    bool first = true;
    for (auto item : dump[section].get_array()) {
        if (!keep(item))
            continue;
        if (!first)
            out += ',';
        first = false;
        out += simdjson::to_string(item);
    }
    out += ']';
}

}  // namespace

std::string dump_subset(const std::string& text, const std::set<std::int64_t>& projects,
                        const std::set<std::int64_t>& tickets, const std::string& admin_email) {
    dom::parser parser;
    auto dump = parser.parse(text).value();
    auto kept_ticket = [&](dom::element ticket) {
        return projects.count(number(ticket, "project_id")) &&
               (tickets.empty() || tickets.count(number(ticket, "id")));
    };
    std::set<std::int64_t> ticket_ids, assigned;
    for (auto ticket : dump["tickets"].get_array()) {
        if (!kept_ticket(ticket))
            continue;
        ticket_ids.insert(number(ticket, "id"));
        for (auto user : ticket["assigned_to"].get_array())
            assigned.insert(user.get_int64().value());
    }
    auto in_project = [&](dom::element item) {
        return projects.count(number(item, "project_id")) > 0;
    };
    auto of_ticket = [&](dom::element item) {
        return ticket_ids.count(number(item, "ticket_id")) > 0;
    };
    std::string out = "{";
    append_section(out, dump, "users", [&](dom::element user) {
        return assigned.count(number(user, "id")) ||
               std::string_view(user["email"].get_string().value()) == admin_email;
    });
    append_section(out, dump, "projects",
                   [&](dom::element project) { return projects.count(number(project, "id")) > 0; });
    for (const char* section : {"roles", "steps", "custom_fields", "custom_field_values"})
        append_section(out, dump, section, in_project);
    append_section(out, dump, "tickets", kept_ticket);
    for (const char* section : {"notes", "tasks", "files"})
        append_section(out, dump, section, of_ticket);
    return out + "}";
}

}  // namespace smartq::test
