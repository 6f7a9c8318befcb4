#pragma once

#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "store/replica.hpp"

// Shared by the store tests: a scratch directory and a small schema shaped like smartQ's.
namespace smartq::store::testing {

class ScratchDir {
  public:
    ScratchDir() {
        std::string pattern = (std::filesystem::temp_directory_path() / "store-test-XXXXXX");
        if (::mkdtemp(pattern.data()) == nullptr) {
            FAIL("mkdtemp failed");
        }
        path_ = pattern;
    }
    ScratchDir(const ScratchDir&) = delete;
    ~ScratchDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    const std::filesystem::path& path() const { return path_; }
    std::filesystem::path operator/(std::string_view name) const { return path_ / name; }

  private:
    std::filesystem::path path_;
};

inline const TableSpec kProjects{
    .table = "projects",
    .resource = "projects",
    .key = {{"id", ColumnType::Integer}},
    .columns = {{"name", ColumnType::Text}},
    .joins = {},
};

inline const TableSpec kTickets{
    .table = "tickets",
    .resource = "tickets",
    .key = {{"id", ColumnType::Integer}},
    .columns = {{"project_id", ColumnType::Integer, true, "projects"}, {"title", ColumnType::Text}},
    .joins = {{"ticket_assignees", {{"user_id", ColumnType::Integer}}}},
};

inline const TableSpec kCustomFields{
    .table = "custom_fields",
    .resource = "custom_fields",
    .key = {{"project_id", ColumnType::Integer, false, "projects"}, {"name", ColumnType::Text}},
    .columns = {{"type", ColumnType::Text}},
    .joins = {},
};

inline const std::vector<TableSpec> kSpecs = {kProjects, kTickets, kCustomFields};

inline Replica open_replica(const std::filesystem::path& db, Mode mode = Mode::ReadWrite) {
    return Replica::open(db, kSpecs, mode);
}

inline Record project(std::int64_t id, std::string name) {
    auto data = "{\"id\":" + std::to_string(id) + ",\"name\":\"" + name + "\"}";
    return Record{{id}, {std::move(name)}, std::move(data), {}};
}

inline Record ticket(std::int64_t id, std::int64_t project_id, std::string title,
                     std::vector<std::int64_t> assignees = {}) {
    auto data = "{\"id\":" + std::to_string(id) + ",\"title\":\"" + title + "\"}";
    std::vector<std::vector<Value>> rows;
    for (auto user : assignees) {
        rows.push_back({user});
    }
    return Record{{id}, {project_id, std::move(title)}, std::move(data), {std::move(rows)}};
}

inline std::vector<Value> key(std::int64_t id) {
    return {id};
}

// The single value of a one-row, one-column query.
inline Value scalar(Replica& replica, std::string_view sql) {
    auto result = replica.query(sql);
    REQUIRE(result.rows.size() == 1);
    REQUIRE(result.rows[0].size() == 1);
    return result.rows[0][0];
}

inline std::int64_t count(Replica& replica, std::string_view sql) {
    return std::get<std::int64_t>(scalar(replica, sql));
}

}  // namespace smartq::store::testing
