#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "store/errors.hpp"
#include "store/replica.hpp"

// Ranked full-text search over a replica's tickets and notes (the FTS5 indexes of fts.hpp).
namespace smartq::store {

// The query is not FTS5 syntax (an unmatched quote, a bare operator, an unknown column):
// the user's to fix, not the replica's.
class SearchQueryError : public StoreError {
  public:
    using StoreError::StoreError;
};

struct SearchRequest {
    std::string query;                   // FTS5 query syntax: words, "phrases", AND/OR/NOT, pre*
    std::optional<std::int64_t> project;  // only this project's tickets and their notes
    std::string at;                      // 'YYYY-MM-DD HH:MM:SS': the account as it was; empty: now
    std::int64_t limit = 50;
};

// Columns kind ('ticket' or 'note'), project_id, project, ticket_id, ticket, note_id (NULL for a
// ticket), snippet (the best matching passage, each match in [brackets]); best first by bm25,
// where a ticket's name weighs most. Tombstoned objects are left out. With `at`, the objects
// live then with their texts of then, indexed in memory for this one search.
QueryResult search(Replica& replica, const SearchRequest& request);

}  // namespace smartq::store
