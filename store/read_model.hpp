// What the pages of `export` and `serve` show, read from a replica: projects,
// boards, tickets with their threads, a ticket's versions, search hits, and
// the rows of each table. Everything can be read as the account was at a
// time: content then comes from `data` as of that time (history), and only
// the parent keys (project_id, ticket_id, note_id) and downloaded bodies
// from the table itself, as they never change for an object.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "store/table_spec.hpp"

namespace smartq::store {

struct ProjectSummary {
    std::int64_t id = 0;
    std::string name;
    std::int64_t tickets = 0;
    std::int64_t archived = 0;
};

struct StepColumn {
    std::int64_t id = 0;
    std::string name;
};

struct TicketCard {
    std::int64_t id = 0;
    std::string name;
    std::optional<std::int64_t> step_id;
    bool archived = false;
    std::string assignees;  // names, comma-separated
    std::string deadline;
};

struct Board {
    ProjectSummary project;
    std::vector<StepColumn> steps;  // in board order
    std::vector<TicketCard> tickets;
};

struct FieldValue {
    std::string label;
    std::string value;  // choices as their titles
};

struct TaskItem {
    std::int64_t id = 0;
    std::string text;
    bool done = false;
};

struct Attachment {
    std::int64_t id = 0;
    std::int64_t ticket_id = 0;
    std::int64_t note_id = 0;
    std::string name;          // as the account has it: not safe as a file name
    std::string content_type;  // as the server said; may be empty
    std::optional<std::string> sha256;  // the body in the blob store; none: not downloaded
    std::int64_t size = 0;
};

struct NoteItem {
    std::int64_t id = 0;
    int depth = 0;  // 0 for a note, 1 for a reply, ...
    bool is_private = false;
    std::string author;
    std::string time;
    std::string html;  // the note's text as smartQ holds it: HTML, untrusted
    std::vector<Attachment> files;
};

struct TicketDetail {
    std::int64_t id = 0;
    std::int64_t project_id = 0;
    std::string project;
    std::string name;
    std::string description_html;  // untrusted
    std::string step;
    std::string owner;
    std::string tags;
    std::string created, updated, deadline;
    bool archived = false;
    std::vector<std::string> assignees;
    std::vector<FieldValue> fields;
    std::vector<TaskItem> tasks;
    std::vector<NoteItem> notes;  // thread order: each note followed by its replies
    std::vector<Attachment> attachments;  // every file of the ticket's notes
};

struct FieldChange {
    std::string field;
    std::string before;  // JSON text of the value; empty when absent
    std::string after;
};

struct TicketVersion {
    std::string valid_from;
    std::string valid_to;  // empty: the current version
    bool deleted = false;  // the version ended because the ticket was deleted
    std::vector<FieldChange> changes;  // against the version before (all fields for the first)
};

struct SearchHit {
    std::string kind;  // "ticket" or "note"
    std::int64_t project_id = 0;
    std::string project;
    std::int64_t ticket_id = 0;
    std::string ticket;
    std::string snippet;  // plain text, each match in [brackets]
};

// One table's rows for a dump: its column names, then each row.
struct TableRows {
    std::vector<std::string> columns;
    std::function<bool(std::vector<Value>&)> next;  // false at the end
};

class ReadModel {
  public:
    // Opens the replica at `db` read-only. `at` ('YYYY-MM-DD HH:MM:SS', empty: now) is the
    // time the account is shown as; `projects` (empty: all) limits what is shown.
    ReadModel(const std::filesystem::path& db, std::span<const TableSpec> specs,
              std::string at = {}, std::vector<std::int64_t> projects = {});
    ReadModel(ReadModel&&) noexcept;
    ~ReadModel();

    const std::string& at() const;

    std::vector<ProjectSummary> projects();
    std::optional<Board> board(std::int64_t project_id);
    std::optional<TicketDetail> ticket(std::int64_t ticket_id);
    std::vector<std::int64_t> ticket_ids(std::int64_t project_id);
    std::vector<Attachment> attachments(std::int64_t ticket_id);
    std::optional<Attachment> attachment(std::int64_t file_id);
    // Every version up to at(), oldest first; empty if the ticket never existed then.
    std::vector<TicketVersion> history(std::int64_t ticket_id);
    // Tickets and notes matching `words` (FTS5 syntax, see store/search.hpp), best first;
    // SearchQueryError when `words` is not a query.
    std::vector<SearchHit> search(std::string_view words, std::size_t limit);

    // The names of the tables a dump holds, and one table's rows as shown: live rows with all
    // their columns, or with at() each object's key, parent keys and data as of then.
    std::vector<std::string> dump_tables() const;
    TableRows rows(std::string_view table);

  private:
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace smartq::store
