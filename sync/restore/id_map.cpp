#include "sync/restore/id_map.hpp"

#include "store/id_map_queries.hpp"

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

IdMap::IdMap(store::Replica& replica, std::string target, Writes writes)
    : replica_(replica), target_(std::move(target)), writes_(writes) {}

std::optional<std::string> IdMap::stored(std::string_view resource, std::string_view source_key) {
    if (writes_ == Writes::Record) {
        auto it = recorded_.find(std::pair{std::string(resource), std::string(source_key)});
        if (it != recorded_.end())
            return it->second;
    }
    return replica_.mapped_key(target_, resource, source_key);
}

void IdMap::store(std::string_view resource, std::string_view source_key, std::string_view value) {
    if (writes_ == Writes::Persist) {
        replica_.map_key(target_, resource, source_key, value);
        return;
    }
    recorded_[std::pair{std::string(resource), std::string(source_key)}] = value;
    recorded_taken_.emplace(resource, value);
}

Mapping IdMap::lookup(Kind kind, std::string_view source_key) {
    auto value = stored(name_of(kind), source_key);
    if (!value)
        return {};
    if (*value == kPending)
        return {Mapping::State::Pending, {}};
    return {Mapping::State::Mapped, *value};
}

void IdMap::mark_pending(Kind kind, std::string_view source_key) {
    store(name_of(kind), source_key, kPending);
}

void IdMap::map(Kind kind, std::string_view source_key, std::string_view target_key) {
    store(name_of(kind), source_key, target_key);
}

void IdMap::forget(Kind kind, std::string_view source_key) {
    mark_pending(kind, source_key);
}

bool IdMap::is_taken(Kind kind, std::string_view target_key) {
    if (recorded_taken_.count(std::pair{std::string(name_of(kind)), std::string(target_key)}))
        return true;
    return store::target_key_taken(replica_, target_, name_of(kind), target_key);
}

bool IdMap::ticket_done(std::string_view source_key) {
    return stored(kTicketDone, source_key).has_value();
}

void IdMap::mark_ticket_done(std::string_view source_key) {
    store(kTicketDone, source_key, "1");
}

// A recorded project was never made: the server put nothing in it to remove.
void IdMap::mark_project_created(std::string_view source_key) {
    if (writes_ == Writes::Persist)
        store(kProjectCreated, source_key, "1");
}

bool IdMap::project_created(std::string_view source_key) {
    return stored(kProjectCreated, source_key).has_value();
}

}  // namespace smartq::sync::restore
