// The account's typed rows and the operations that keep its invariants:
// server-assigned ids, a ticket's update_time bumped by any change to it or
// its children, cascading deletes. API handlers and mutate() both write
// through these operations only.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#include "api.hpp"
#include "sync/wire/time.hpp"

namespace smartq::sandbox {

using Id = std::int64_t;
using Time = wire::Seconds;

// An answer in the guide's error envelope: status and a human sentence.
class ApiError : public std::runtime_error {
  public:
    ApiError(unsigned status, const std::string& message)
        : std::runtime_error(message), status_(status) {}
    unsigned status() const { return status_; }

  private:
    unsigned status_;
};

// Rows live in slots indexed by id - first_id: lookups are O(1), a deleted row
// leaves an empty slot so an id is never reused, and a deque keeps references
// stable while rows are added.
template <class Row>
class Table {
  public:
    explicit Table(Id first_id) : first_id_(first_id) {}

    Row& insert(Row row) {
        row.id = next_id();
        slots_.emplace_back(std::move(row));
        ++live_;
        return *slots_.back();
    }
    Row* find(Id id) {
        if (id < first_id_ || id >= next_id() || !slots_[id - first_id_])
            return nullptr;
        return &*slots_[id - first_id_];
    }
    const Row* find(Id id) const { return const_cast<Table*>(this)->find(id); }
    void erase(Id id) {
        if (find(id)) {
            slots_[id - first_id_].reset();
            --live_;
        }
    }
    template <class F>
    void for_each(F&& f) const {
        for (const auto& slot : slots_)
            if (slot)
                f(*slot);
    }
    template <class F>
    void for_each(F&& f) {
        for (auto& slot : slots_)
            if (slot)
                f(*slot);
    }
    std::size_t size() const { return live_; }
    Id first_id() const { return first_id_; }
    Id next_id() const { return first_id_ + static_cast<Id>(slots_.size()); }

  private:
    Id first_id_;
    std::deque<std::optional<Row>> slots_;
    std::size_t live_ = 0;
};

struct User {
    Id id = 0;
    std::string name, email, password;
    bool is_account_administrator = false, can_manage_projects = false, can_view_profiles = false,
         can_manage_profiles = false;
    std::string company, title, address, work_phone, home_phone, cell_phone, comments;
};

struct Project {
    Id id = 0;
    std::string name, description;
    Id owner_id = 0;
    bool active = true;
    Id default_role_id = 0;
    std::vector<Id> roles, steps, fields, tickets;  // in id order
};

struct Role {
    Id id = 0, project_id = 0;
    std::string name;
    int access_level = 0;
    std::optional<Id> max_step;
    bool can_edit_project = false, can_manage_people_notes = false, can_see_private_notes = false;
};

struct Step {
    Id id = 0, project_id = 0;
    std::string name, description;
    int limit = 0;
    int pos = 0;
};

enum class FieldType { Float, String, Text, Choice };
enum class ChoiceType { None, Checkbox, Radio, Select };

struct CustomField {
    Id id = 0, project_id = 0;  // the field's name is "f<id>"
    FieldType type = FieldType::String;
    std::string label, hint;
    bool required = false;
    std::string pos_type = "single";
    ChoiceType choice_type = ChoiceType::None;
    std::optional<double> min, max;
    std::vector<Id> values;  // choice fields only, in id order
};

struct FieldValue {
    Id id = 0, field_id = 0;
    std::string title;
    bool is_default = false;
    int pos = 0;
};

// float -> number, string/text -> text, choice -> value ids (one for radio
// and select, any number for checkbox).
using FieldData = std::variant<double, std::string, std::vector<Id>>;

struct TicketField {
    Id field_id = 0;
    FieldData data;
};

struct Ticket {
    Id id = 0, project_id = 0, step_id = 0, owner_id = 0;
    std::string name, description, tags;
    std::optional<Time> deadline;
    std::vector<Id> assigned_to;
    std::vector<TicketField> fields;  // in field id order
    bool archived = false;
    int pos = 0;
    Time insert_time{}, update_time{}, move_time{};
    std::vector<Id> notes, tasks;  // in id order
};

struct Note {
    Id id = 0, ticket_id = 0;
    std::optional<Id> parent_id;
    std::string text;
    bool is_private = false;
    Id owner_id = 0;
    Time insert_time{}, update_time{};
    std::vector<Id> files;
};

struct Task {
    Id id = 0, ticket_id = 0;
    std::string text;
    bool done = false;
};

struct File {
    Id id = 0, note_id = 0, ticket_id = 0, owner_id = 0;
    std::string name, content_type;
    std::uint64_t size = 0;
    Time insert_time{};
    // Uploaded bodies are kept; seeded ones are generated from (seed, id).
    std::shared_ptr<const std::string> uploaded;
};

struct Model {
    explicit Model(std::uint64_t seed_) : seed(seed_) {}

    std::uint64_t seed;
    WireOptions wire;
    // Distinct id ranges per resource, so a client that mixes them up is caught.
    Table<User> users{1};
    Table<Project> projects{1001};
    Table<Role> roles{20001};
    Table<Step> steps{40001};
    Table<CustomField> fields{1};
    Table<FieldValue> values{60001};
    Table<Ticket> tickets{100001};
    Table<Note> notes{1000001};
    Table<Task> tasks{5000001};
    Table<File> files{9000001};

    // Bumped by every write: derived caches (sorted ticket orders) check it.
    std::uint64_t generation = 0;
    // Orders drawn for WireOptions::tie_shuffle: each request gets the next.
    std::uint64_t tie_draws = 0;
    std::function<Time()> clock = wire::now_seconds;

    // Ticket ids of a project sorted ascending by `order_col`, cached per generation.
    const std::vector<Id>& sorted_tickets(const Project& project, const std::string& order_col);

    // Invariant-keeping writes.
    void touch(Ticket& ticket);  // update_time = now
    void delete_project(Id id);
    void delete_role(Id id);
    void delete_step(Id id);  // throws ApiError 400 while tickets use it
    void delete_field(Id id);
    void delete_value(Id id);
    void delete_ticket(Id id);
    void delete_note(Id id);  // a note's replies and files go with it
    void delete_task(Id id);
    void delete_file(Id id);
    void delete_user(Id id);  // unassigns the user from every ticket

    // File bodies: random access into a seeded or uploaded body.
    std::size_t read_body(const File& file, std::uint64_t offset, char* buf, std::size_t len) const;
    std::string body_sha256(const File& file) const;

  private:
    struct SortedCache {
        std::uint64_t generation = ~0ull;
        std::vector<Id> ids;
    };
    std::map<std::pair<Id, std::string>, SortedCache> sorted_;
    mutable std::unordered_map<Id, std::string> sha_cache_;
};

std::string field_name(Id field_id);

}  // namespace smartq::sandbox
