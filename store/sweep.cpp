#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "store/replica.hpp"
#include "store/replica_core.hpp"
#include "store/schema.hpp"

namespace smartq::store {

using sqlite::quote_identifier;

// The keys a sweep has seen go to one TEMP table per resource table, tagged with the sweep's
// id: creating and dropping a table per sweep would change the schema, and every prepared
// statement would be compiled again after each of the thousands of sweeps of a deep run.
struct Sweep::State {
    detail::ReplicaCore* core;
    const TableSpec* spec;
    std::vector<Value> params;     // ?3 the scope value (NULL for a whole table), ?4 the sweep
    std::string scope;             // WHERE clause over alias t: the scope alone
    std::string scope_and_unseen;  // ... and not seen by this sweep
    std::string forget;            // deletes this sweep's seen keys
    sqlite::Statement* insert_seen = nullptr;

    std::int64_t count(std::string_view where) {
        auto& statement = core->cached(
            fmt::format("SELECT count(*) FROM {} t WHERE t.deleted_at IS NULL AND ({})",
                        quote_identifier(spec->table), where));
        detail::bind_from(statement, 3, params);
        statement.step();
        auto n = statement.integer(0);
        statement.reset();
        return n;
    }

    ~State() {
        try {
            auto& statement = core->cached(forget);
            detail::bind_from(statement, 3, params);
            statement.run();
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
    insert.bind_value(1, state_->params[1]);
    for (std::size_t i = 0; i < key.size(); ++i) {
        insert.bind_value(static_cast<int>(i) + 2, key[i]);
    }
    insert.run();
}

std::int64_t Sweep::live_count() {
    return state_->count(state_->scope);
}

std::int64_t Sweep::unseen_count() {
    return state_->count(state_->scope_and_unseen);
}

std::vector<std::vector<Value>> Sweep::unseen_keys() {
    std::string keys;
    for (const auto& column : state_->spec->key) {
        keys += fmt::format("{}t.{}", keys.empty() ? "" : ", ", quote_identifier(column.name));
    }
    auto& statement = state_->core->cached(
        fmt::format("SELECT {} FROM {} t WHERE t.deleted_at IS NULL AND ({})", keys,
                    quote_identifier(state_->spec->table), state_->scope_and_unseen));
    detail::bind_from(statement, 3, state_->params);
    std::vector<std::vector<Value>> unseen;
    while (statement.step()) {
        auto& key = unseen.emplace_back();
        for (int i = 0; i < std::ssize(state_->spec->key); ++i) {
            key.push_back(statement.value(i));
        }
    }
    statement.reset();
    return unseen;
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
    auto seen_table = fmt::format("temp.{}", quote_identifier(fmt::format("seen_{}", spec.table)));
    std::string definitions;
    std::string names;
    std::string match;
    for (std::size_t i = 0; i < spec.key.size(); ++i) {
        auto name = quote_identifier(spec.key[i].name);
        definitions += fmt::format(", {} {}", name,
                                   spec.key[i].type == ColumnType::Integer ? "INTEGER" : "TEXT");
        names += fmt::format(", {}", name);
        match += fmt::format(" AND s.{} = t.{}", name, name);
    }
    // Also after a rollback that took the table with it.
    core_->db.exec(
        fmt::format("CREATE TABLE IF NOT EXISTS {}(sweep INTEGER{}, PRIMARY KEY(sweep{}))",
                    seen_table, definitions, names));
    state->insert_seen = &core_->cached(
        fmt::format("INSERT OR IGNORE INTO {} VALUES(?1{})", seen_table,
                    fmt::join(std::vector<std::string>(spec.key.size(), ", ?"), "")));
    state->scope = "1";
    state->params.push_back(std::move(scope_value));
    if (!scope_column.empty()) {
        schema::column(spec, scope_column);
        state->scope = fmt::format("t.{} = ?3", quote_identifier(scope_column));
    }
    state->params.emplace_back(std::int64_t{++core_->next_sweep});
    state->scope_and_unseen =
        fmt::format("{} AND NOT EXISTS (SELECT 1 FROM {} s WHERE s.sweep = ?4{})", state->scope,
                    seen_table, match);
    state->forget = fmt::format("DELETE FROM {} WHERE sweep = ?4", seen_table);
    return Sweep(std::move(state));
}

}  // namespace smartq::store
