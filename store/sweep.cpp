#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "store/replica.hpp"
#include "store/replica_core.hpp"
#include "store/schema.hpp"

namespace smartq::store {

using sqlite::quote_identifier;

struct Sweep::State {
    detail::ReplicaCore* core;
    const TableSpec* spec;
    std::string seen_table;        // temp."sweep_N"
    std::string scope_and_unseen;  // WHERE clause over alias t, scope value as ?3
    std::vector<Value> params;     // the scope value, if any
    std::string scope;             // WHERE clause of the scope alone
    std::optional<sqlite::Statement> insert_seen;

    std::int64_t count(std::string_view where) {
        sqlite::Statement statement(
            core->db, fmt::format("SELECT count(*) FROM {} t WHERE t.deleted_at IS NULL AND ({})",
                                  quote_identifier(spec->table), where));
        for (std::size_t i = 0; i < params.size(); ++i) {
            statement.bind_value(static_cast<int>(i) + 3, params[i]);
        }
        statement.step();
        return statement.integer(0);
    }

    ~State() {
        insert_seen.reset();
        try {
            core->db.exec(fmt::format("DROP TABLE IF EXISTS {}", seen_table));
        } catch (const std::exception& error) {
            spdlog::warn("{}", error.what());
        }
    }
};

Sweep::Sweep(std::unique_ptr<State> state) : state_(std::move(state)) {}
Sweep::Sweep(Sweep&&) noexcept = default;
Sweep::~Sweep() = default;

void Sweep::saw(std::span<const Value> key) {
    if (key.size() != state_->spec->key.size()) {
        throw StoreError(fmt::format("a key of {} has {} part(s), not {}", state_->spec->resource,
                                     key.size(), state_->spec->key.size()));
    }
    auto& insert = *state_->insert_seen;
    for (std::size_t i = 0; i < key.size(); ++i) {
        insert.bind_value(static_cast<int>(i) + 1, key[i]);
    }
    insert.run();
}

std::int64_t Sweep::live_count() {
    return state_->count(state_->scope);
}

std::int64_t Sweep::unseen_count() {
    return state_->count(state_->scope_and_unseen);
}

std::int64_t Sweep::tombstone(RunId run, std::string_view at) {
    return state_->core->tombstone_where(*state_->spec, state_->scope_and_unseen, state_->params,
                                         run, at);
}

Sweep Replica::begin_sweep(const TableSpec& spec, std::string_view scope_column,
                           Value scope_value) {
    core_->require_writable("sweep for deletions");
    core_->table(spec);
    auto state = std::make_unique<Sweep::State>();
    state->core = core_.get();
    state->spec = &spec;
    state->seen_table =
        fmt::format("temp.{}", quote_identifier(fmt::format("sweep_{}", ++core_->next_sweep)));
    std::string definitions;
    std::string names;
    std::string match;
    for (std::size_t i = 0; i < spec.key.size(); ++i) {
        auto name = quote_identifier(spec.key[i].name);
        definitions += fmt::format("{} {}, ", name,
                                   spec.key[i].type == ColumnType::Integer ? "INTEGER" : "TEXT");
        names += fmt::format("{}{}", i == 0 ? "" : ", ", name);
        match += fmt::format("{}s.{} = t.{}", i == 0 ? "" : " AND ", name, name);
    }
    core_->db.exec(
        fmt::format("CREATE TABLE {}({}PRIMARY KEY({}))", state->seen_table, definitions, names));
    state->insert_seen.emplace(
        core_->db, fmt::format("INSERT OR IGNORE INTO {} VALUES({})", state->seen_table,
                               fmt::join(std::vector<std::string>(spec.key.size(), "?"), ", ")));
    state->scope = "1";
    if (!scope_column.empty()) {
        schema::column(spec, scope_column);
        state->scope = fmt::format("t.{} = ?3", quote_identifier(scope_column));
        state->params.push_back(std::move(scope_value));
    }
    state->scope_and_unseen = fmt::format("{} AND NOT EXISTS (SELECT 1 FROM {} s WHERE {})",
                                          state->scope, state->seen_table, match);
    return Sweep(std::move(state));
}

}  // namespace smartq::store
