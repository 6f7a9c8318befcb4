#include "sync/restore/id_map.hpp"

#include <fmt/format.h>

#include "store/sqlite.hpp"

namespace smartq::sync::restore {
namespace {

// Target keys are ids or field names, so this marker cannot be one.
constexpr std::string_view kPending = "pending";
constexpr std::string_view kTicketDone = "tickets/done";
constexpr std::string_view kProjectCreated = "projects/created";

std::string_view name_of(Kind kind) {
    return resource(kind).name;
}

}  // namespace

IdMap::IdMap(store::Replica& replica, std::string target)
    : replica_(replica), target_(std::move(target)) {}

Mapping IdMap::lookup(Kind kind, std::string_view source_key) {
    auto stored = replica_.mapped_key(target_, name_of(kind), source_key);
    if (!stored)
        return {};
    if (*stored == kPending)
        return {Mapping::State::Pending, {}};
    return {Mapping::State::Mapped, *stored};
}

void IdMap::mark_pending(Kind kind, std::string_view source_key) {
    replica_.map_key(target_, name_of(kind), source_key, kPending);
}

void IdMap::map(Kind kind, std::string_view source_key, std::string_view target_key) {
    replica_.map_key(target_, name_of(kind), source_key, target_key);
}

void IdMap::forget(Kind kind, std::string_view source_key) {
    mark_pending(kind, source_key);
}

bool IdMap::is_taken(Kind kind, std::string_view target_key) {
    using store::sqlite::quote_literal;
    auto found = replica_.query(fmt::format(
        "SELECT 1 FROM id_map WHERE target = {} AND resource = {} AND new_key = {} LIMIT 1",
        quote_literal(target_), quote_literal(name_of(kind)), quote_literal(target_key)));
    return !found.rows.empty();
}

bool IdMap::ticket_done(std::string_view source_key) {
    return replica_.mapped_key(target_, kTicketDone, source_key).has_value();
}

void IdMap::mark_ticket_done(std::string_view source_key) {
    replica_.map_key(target_, kTicketDone, source_key, "1");
}

void IdMap::mark_project_created(std::string_view source_key) {
    replica_.map_key(target_, kProjectCreated, source_key, "1");
}

bool IdMap::project_created(std::string_view source_key) {
    return replica_.mapped_key(target_, kProjectCreated, source_key).has_value();
}

}  // namespace smartq::sync::restore
