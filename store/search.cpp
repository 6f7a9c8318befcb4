#include "store/search.hpp"

#include <sqlite3.h>

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "store/fts.hpp"
#include "store/plain_text.hpp"
#include "store/replica_core.hpp"

namespace smartq::store {

namespace {

// ?1 the query, ?2 the project or NULL, ?3 the limit. bm25 is lower for better; a ticket's name
// weighs ten times its description and its tags five. Scores of the two indexes are not on one
// scale, but both follow the same formula over similar texts: good enough to interleave them.
// A match's row is read from the covering indexes of fts.hpp (<table>_search), not the table, and
// names are looked up only for the hits kept.
constexpr std::string_view kRankSql = R"sql(
SELECT b.kind, t.project_id, p.name AS project, b.ticket_id, t.name AS ticket, b.note_id FROM (
  SELECT 'ticket' AS kind, t.id AS ticket_id, NULL AS note_id,
    bm25(tickets_fts, 10.0, 1.0, 5.0) AS score
  FROM tickets_fts JOIN tickets t INDEXED BY tickets_search ON t.id = tickets_fts.rowid
  WHERE tickets_fts MATCH ?1 AND t.deleted_at IS NULL AND (?2 IS NULL OR t.project_id = ?2)
  UNION ALL
  SELECT 'note', n.ticket_id, n.id, bm25(notes_fts)
  FROM notes_fts JOIN notes n INDEXED BY notes_search ON n.id = notes_fts.rowid
  WHERE notes_fts MATCH ?1 AND n.deleted_at IS NULL
    AND (?2 IS NULL OR n.ticket_id IN (SELECT id FROM tickets WHERE project_id = ?2))
  ORDER BY score, kind DESC, ticket_id, note_id
  LIMIT ?3) b
LEFT JOIN tickets t ON t.id = b.ticket_id
LEFT JOIN projects p ON p.id = t.project_id
ORDER BY b.score, b.kind DESC, b.ticket_id, b.note_id
)sql";

// The passage of one hit, ?2 the ticket's or the note's id: only the hits shown get one, as a
// snippet costs more than a score and a common word matches thousands of rows.
constexpr std::string_view kTicketSnippetSql =
    "SELECT snippet(tickets_fts, -1, '[', ']', '…', 12) FROM tickets_fts "
    "WHERE tickets_fts MATCH ?1 AND rowid = ?2";
constexpr std::string_view kNoteSnippetSql =
    "SELECT snippet(notes_fts, 0, '[', ']', '…', 12) FROM notes_fts "
    "WHERE notes_fts MATCH ?1 AND rowid = ?2";

// What SQLite says of a MATCH expression it cannot parse; everything else is the replica's.
constexpr std::array<std::string_view, 4> kQueryMistakes{"fts5: ", "unterminated string",
                                                         "no such column", "unknown special query"};

// The account at `at`, copied into TEMP tables that shadow the replica's: the search statement
// then reads them under the same names. The copy and its indexes live as long as `db`.
void copy_as_of(sqlite::Connection& db, Replica& replica, std::string_view at) {
    auto spec = [&](std::string_view table) -> const TableSpec& {
        auto specs = replica.specs();
        auto it = std::find_if(specs.begin(), specs.end(),
                               [&](const TableSpec& s) { return s.table == table; });
        if (it == specs.end()) {
            throw StoreError(fmt::format("the replica has no table {} to search", table));
        }
        return *it;
    };
    auto description = fts::text_columns("tickets")[0];
    auto tags = fts::text_columns("tickets")[1];
    auto text = fts::text_columns("notes")[0];
    db.exec(fmt::format(
        "CREATE TEMP TABLE projects(id INTEGER PRIMARY KEY, name TEXT);"
        "INSERT INTO temp.projects SELECT a.id, json_extract(a.data, '$.name') FROM ({}) a;",
        replica.as_of_sql(spec("projects"), at)));
    // A ticket's project is in its data; the current row's is the fallback.
    db.exec(fmt::format(
        "CREATE TEMP TABLE tickets(id INTEGER PRIMARY KEY, project_id INTEGER, name TEXT, "
        "description TEXT, tags TEXT, deleted_at TEXT);"
        "INSERT INTO temp.tickets SELECT a.id, "
        "coalesce(CAST(json_extract(a.data, '$.project_id') AS INTEGER), t.project_id), "
        "json_extract(a.data, '$.name'), {}, {}, NULL FROM ({}) a JOIN main.tickets t ON t.id = "
        "a.id",
        fts::text_value_sql(description, "a.data"), fts::text_value_sql(tags, "a.data"),
        replica.as_of_sql(spec("tickets"), at)));
    db.exec(
        fmt::format("CREATE TEMP TABLE notes(id INTEGER PRIMARY KEY, ticket_id INTEGER, text TEXT, "
                    "deleted_at TEXT);"
                    "INSERT INTO temp.notes SELECT a.id, n.ticket_id, {}, NULL FROM ({}) a "
                    "JOIN main.notes n ON n.id = a.id",
                    fts::text_value_sql(text, "a.data"), replica.as_of_sql(spec("notes"), at)));
    fts::build_index(db, "temp", "tickets");
    fts::build_index(db, "temp", "notes");
}

// Runs the search statement through `query` (sql, params), naming a query SQLite cannot parse.
template <class Query>
QueryResult run(const SearchRequest& request, Query&& query) {
    std::array<Value, 3> params{request.query, request.project ? Value{*request.project} : Value{},
                                request.limit};
    try {
        auto hits = query(kRankSql, std::span<const Value>(params));
        hits.columns.emplace_back("snippet");
        for (auto& row : hits.rows) {
            bool ticket = std::get<std::string>(row[0]) == "ticket";
            std::array<Value, 2> hit{request.query, ticket ? row[3] : row[5]};
            auto passage =
                query(ticket ? kTicketSnippetSql : kNoteSnippetSql, std::span<const Value>(hit));
            row.push_back(passage.rows.empty() ? Value{} : passage.rows[0][0]);
        }
        return hits;
    } catch (const ReplicaDamaged&) {
        throw;
    } catch (const StoreError& error) {
        std::string_view message = error.what();
        for (auto mistake : kQueryMistakes) {
            if (auto at = message.find(mistake); at != std::string_view::npos) {
                throw SearchQueryError(fmt::format("'{}' is not a valid search: {}", request.query,
                                                   message.substr(at)));
            }
        }
        throw;
    }
}

}  // namespace

QueryResult search(Replica& replica, const SearchRequest& request) {
    auto missing = replica.query(
        "SELECT count(*) FROM sqlite_schema WHERE name IN ('tickets_fts', 'notes_fts', "
        "'tickets_search', 'notes_search')");
    if (std::get<std::int64_t>(missing.rows.at(0).at(0)) != 4) {
        throw StoreError(fmt::format(
            "the replica at {} has no search index yet; a sync with this version builds it",
            replica.path().string()));
    }
    if (request.at.empty()) {
        return run(request, [&](std::string_view sql, std::span<const Value> params) {
            return replica.repeated_query(std::string(sql), params);
        });
    }
    // A connection of its own: the replica's may not write even TEMP tables (query_only).
    sqlite::Connection db(replica.path(), SQLITE_OPEN_READONLY);
    register_plain_text(db);
    copy_as_of(db, replica, detail::checked_time(request.at));
    return run(request, [&](std::string_view sql, std::span<const Value> params) {
        return detail::read_rows(db, sql, params);
    });
}

}  // namespace smartq::store
