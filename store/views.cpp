#include "store/views.hpp"

#include <algorithm>
#include <array>
#include <string_view>

namespace smartq::store::views {

namespace {

constexpr std::array<std::string_view, 9> kTables{
    "users", "projects", "steps", "custom_fields", "custom_field_values",
    "tickets", "notes", "tasks", "files"};

constexpr std::string_view kTicketDetails = R"sql(
CREATE VIEW ticket_details AS
SELECT t.id, t.project_id, p.name AS project, t.name, t.description,
  t.step_id, s.name AS step, t.owner_id, o.name AS owner, o.email AS owner_email,
  (SELECT json_group_array(name) FROM (
     SELECT coalesce(u.name, a.user_id) AS name FROM ticket_assignees a
     LEFT JOIN users u ON u.id = a.user_id WHERE a.ticket_id = t.id
     ORDER BY u.name, a.user_id)) AS assignees,
  t.tags,
  (SELECT json_group_object(label, value) FROM (
     SELECT coalesce(f.label, v.field_name) AS label,
       group_concat(coalesce(c.title, v.value), ', ') AS value
     FROM ticket_custom_field_values v
     LEFT JOIN custom_fields f ON f.project_id = t.project_id AND f.name = v.field_name
     LEFT JOIN custom_field_values c ON c.id = v.value_id
     WHERE v.ticket_id = t.id GROUP BY v.field_name ORDER BY v.field_name)) AS custom_fields,
  (SELECT count(*) FROM notes n WHERE n.ticket_id = t.id AND n.deleted_at IS NULL) AS notes,
  (SELECT count(*) FROM tasks k WHERE k.ticket_id = t.id AND k.deleted_at IS NULL) AS tasks,
  (SELECT count(*) FROM files x WHERE x.ticket_id = t.id AND x.deleted_at IS NULL) AS files,
  t.archived, t.insert_time, t.update_time, t.deadline_date,
  t.first_seen_at, t.changed_at, t.deleted_at
FROM tickets t
LEFT JOIN projects p ON p.id = t.project_id
LEFT JOIN steps s ON s.id = t.step_id
LEFT JOIN users o ON o.id = t.owner_id
)sql";

constexpr std::string_view kNoteDetails = R"sql(
CREATE VIEW note_details AS
SELECT n.id, n.ticket_id, t.name AS ticket, t.project_id, p.name AS project,
  n.owner_id AS author_id, u.name AS author, n.parent_id, n.private, n.text,
  (SELECT json_group_array(name) FROM (
     SELECT f.name FROM files f WHERE f.note_id = n.id AND f.deleted_at IS NULL
     ORDER BY f.id)) AS attachments,
  n.insert_time, n.update_time, n.first_seen_at, n.changed_at, n.deleted_at
FROM notes n
LEFT JOIN tickets t ON t.id = n.ticket_id
LEFT JOIN projects p ON p.id = t.project_id
LEFT JOIN users u ON u.id = n.owner_id
)sql";

bool has_smartq_tables(std::span<const TableSpec> specs) {
    return std::all_of(kTables.begin(), kTables.end(), [&](std::string_view table) {
        return std::any_of(specs.begin(), specs.end(),
                           [&](const TableSpec& spec) { return spec.table == table; });
    });
}

}  // namespace

void ensure(sqlite::Connection& db, std::span<const TableSpec> specs) {
    if (!has_smartq_tables(specs)) {
        return;
    }
    db.exec("DROP VIEW IF EXISTS ticket_details");
    db.exec(kTicketDetails);
    db.exec("DROP VIEW IF EXISTS note_details");
    db.exec(kNoteDetails);
}

}  // namespace smartq::store::views
