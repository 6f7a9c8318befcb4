#pragma once

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "store/replica.hpp"
#include "store_fixture.hpp"

// The tables of a smartQ replica, written out here rather than taken from the sync's resource
// table, for the tests of what the store derives from them: plain texts, FTS, views.
namespace smartq::store::testing {

constexpr auto Int = ColumnType::Integer;
constexpr auto Txt = ColumnType::Text;

inline const std::vector<TableSpec> kSmartqSpecs = {
    {"users", "users", {{"id", Int}}, {{"name", Txt}, {"email", Txt}}, {}},
    {"projects", "projects", {{"id", Int}}, {{"name", Txt}}, {}},
    {"steps", "steps", {{"id", Int}}, {{"project_id", Int, true, "projects"}, {"name", Txt}}, {}},
    {"custom_fields",
     "custom_fields",
     {{"project_id", Int, false, "projects"}, {"name", Txt}},
     {{"label", Txt}},
     {}},
    {"custom_field_values",
     "custom_field_values",
     {{"id", Int}},
     {{"project_id", Int, true, "custom_fields"},
      {"field_name", Txt, false, "custom_fields"},
      {"title", Txt}},
     {}},
    {"tickets",
     "tickets",
     {{"id", Int}},
     {{"project_id", Int, true, "projects"},
      {"name", Txt},
      {"step_id", Int, false, {}, "steps"},
      {"archived", Int},
      {"owner_id", Int, false, {}, "users"},
      {"insert_time", Txt},
      {"update_time", Txt},
      {"deadline_date", Txt}},
     {{"ticket_assignees", {{"user_id", Int, false, {}, "users"}}},
      {"ticket_custom_field_values",
       {{"field_name", Txt}, {"value", Txt}, {"value_id", Int, false, {}, "custom_field_values"}}}}},
    {"notes",
     "notes",
     {{"id", Int}},
     {{"ticket_id", Int, true, "tickets"},
      {"parent_id", Int, false, {}, "notes"},
      {"private", Int},
      {"owner_id", Int, false, {}, "users"},
      {"insert_time", Txt},
      {"update_time", Txt}},
     {}},
    {"tasks", "tasks", {{"id", Int}}, {{"ticket_id", Int, true, "tickets"}, {"text", Txt}}, {}},
    {"files",
     "files",
     {{"id", Int}},
     {{"ticket_id", Int, true, "tickets"}, {"note_id", Int, true, "notes"}, {"name", Txt}},
     {}},
};

inline const TableSpec& smartq_spec(std::string_view table) {
    for (const auto& spec : kSmartqSpecs) {
        if (spec.table == table) {
            return spec;
        }
    }
    FAIL("no spec for " << table);
    throw;
}

// JSON text of one string member, escaped as far as the tests' texts need.
inline std::string json_string(std::string_view text) {
    std::string out = "\"";
    for (char c : text) {
        if (c == '"' || c == '\\') {
            out += '\\';
        }
        out += c;
    }
    return out + "\"";
}

inline Record smartq_ticket(std::int64_t id, std::int64_t project, std::string name,
                            std::string description, std::string tags = "",
                            std::vector<std::vector<Value>> assignees = {},
                            std::vector<std::vector<Value>> fields = {}) {
    auto data = "{\"id\":" + std::to_string(id) + ",\"project_id\":" + std::to_string(project) +
                ",\"name\":" + json_string(name) + ",\"description\":" + json_string(description) +
                ",\"tags\":" + json_string(tags) + "}";
    return Record{{id},
                  {project, std::move(name), std::int64_t{11}, std::int64_t{0}, std::int64_t{1},
                   "2024-01-01 10:00:00", "2024-01-02 10:00:00", Value{}},
                  std::move(data),
                  {std::move(assignees), std::move(fields)}};
}

inline Record smartq_note(std::int64_t id, std::int64_t ticket, std::string text,
                          Value parent = {}) {
    auto data = "{\"id\":" + std::to_string(id) + ",\"ticket_id\":" + std::to_string(ticket) +
                ",\"text\":" + json_string(text) + "}";
    return Record{{id},
                  {ticket, std::move(parent), std::int64_t{0}, std::int64_t{2},
                   "2024-01-01 11:00:00", "2024-01-01 11:00:00"},
                  std::move(data),
                  {}};
}

// A replica of kSmartqSpecs in a scratch directory, with one run to write under.
struct SmartqReplica {
    ScratchDir dir;
    Replica replica = Replica::open(dir / "replica.db", kSmartqSpecs, Mode::ReadWrite);
    RunId run = replica.start_run("acme", RunKind::Full, "2024-01-01 09:00:00");

    void put(std::string_view table, const Record& record,
             std::string_view at = "2024-01-01 09:00:00") {
        replica.upsert(smartq_spec(table), record, run, at);
    }
};

inline Record named(std::int64_t id, std::vector<Value> columns) {
    return Record{{id}, std::move(columns), "{\"id\":" + std::to_string(id) + "}", {}};
}

}  // namespace smartq::store::testing
