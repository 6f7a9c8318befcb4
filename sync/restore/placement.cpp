#include "sync/restore/placement.hpp"

#include <fmt/format.h>

namespace smartq::sync::restore {
namespace asio = boost::asio;

namespace {

std::string object_path(Kind kind, const Context& where, const std::string& key) {
    return list_path(resource(kind), where) + "/" + key;
}

// g++ 12 mis-destroys a braced aggregate in co_return: coroutines return these.
Placed found(std::string key) {
    Placed placed;
    placed.key = std::move(key);
    return placed;
}

Placed created(std::string key) {
    Placed placed = found(std::move(key));
    placed.fresh = true;
    return placed;
}

}  // namespace

Placer::Placer(http::ApiClient& reader, Writer& writer, IdMap& ids, Report& report,
               bool into_source)
    : reader_(reader), writer_(writer), ids_(ids), report_(report), into_source_(into_source) {}

asio::awaitable<TargetIndex> Placer::read(Kind kind, Context where) {
    auto listed = co_await read_target(reader_, page_caps_, kind, std::move(where));
    co_return listed;
}

asio::awaitable<std::optional<TargetIndex>> Placer::read_unless_fresh(Kind kind, bool fresh,
                                                                      Context where) {
    if (fresh)
        co_return std::nullopt;
    auto listed = co_await read(kind, std::move(where));
    co_return listed;
}

bool Placer::taken(Kind kind, const std::string& target_key) {
    return !into_source_ && ids_.is_taken(kind, target_key);
}

asio::awaitable<bool> Placer::still_there(Kind kind, const Context& where, const std::string& key,
                                          TargetIndex& existing) {
    if (existing.has(key))
        co_return true;
    try {
        auto answer = co_await reader_.get(object_path(kind, where, key));
        existing.confirm(key, finished(resource(kind), answer.data()));
        co_return true;
    } catch (const http::HttpError& error) {
        if (error.status() != 404)
            throw;
    }
    co_return false;
}

asio::awaitable<std::optional<Placed>> Placer::existing_object(const Placement& what,
                                                               const std::string* update) {
    if (!what.existing)
        co_return std::nullopt;
    auto mapping = ids_.lookup(what.kind, what.old_key);
    if (mapping.state == Mapping::State::Mapped) {
        if (co_await still_there(what.kind, what.where, mapping.target_key, *what.existing)) {
            report_.count(what.kind, Outcome::Matched, what.project);
            co_return found(mapping.target_key);
        }
        ids_.forget(what.kind, what.old_key);
    }
    auto adopted = what.existing->adopt(
        what.natural, [&](const std::string& key) { return taken(what.kind, key); });
    if (!adopted)
        co_return std::nullopt;
    if (update)
        co_await writer_.update(what.kind, object_path(what.kind, what.where, *adopted), *update);
    ids_.map(what.kind, what.old_key, *adopted);
    report_.count(what.kind, Outcome::Matched, what.project);
    co_return found(*adopted);
}

asio::awaitable<std::optional<Placed>> Placer::place(Placement what, std::string form,
                                                     bool update) {
    if (auto placed = co_await existing_object(what, update ? &form : nullptr))
        co_return placed;
    Write write;
    write.kind = what.kind;
    write.path = list_path(resource(what.kind), what.where);
    write.form = std::move(form);
    auto placed = co_await create(what, std::move(write));
    co_return placed;
}

// Marks the object pending, POSTs it, and records its new id. A POST whose
// answer was lost may still have created the object, so before it is sent
// again the parent is listed and an unclaimed object of the same natural key
// is taken as the one created. An object the target cannot vouch for (its
// listing stayed incomplete) is left for the next run rather than risk a
// duplicate.
asio::awaitable<std::optional<Placed>> Placer::create(const Placement& what, Write write) {
    if (what.existing && !what.existing->doubt().empty()) {
        skip(what.kind, what.old_key, what.project,
             "not created, as it may be in the target already: " + what.existing->doubt() +
                 "; a later run creates it once the listing is read whole");
        co_return std::nullopt;
    }
    ids_.mark_pending(what.kind, what.old_key);
    if (what.kind == Kind::Projects)
        ids_.mark_project_created(what.old_key);
    LookAgain look = [&]() -> asio::awaitable<std::optional<std::string>> {
        auto listed = co_await read(what.kind, what.where);
        auto adopted =
            listed.adopt(what.natural, [&](const std::string& k) { return taken(what.kind, k); });
        if (!adopted && !listed.doubt().empty())
            throw TargetUnsure(listed.doubt());
        co_return adopted;
    };
    try {
        auto key = co_await writer_.create(write, look);
        ids_.map(what.kind, what.old_key, key);
        report_.count(what.kind, Outcome::Created, what.project);
        co_return created(key);
    } catch (const TargetUnsure& unsure) {
        skip(what.kind, what.old_key, what.project,
             std::string("its POST's answer was lost and the target cannot tell whether it was "
                         "made: ") +
                 unsure.what() + "; a later run looks for it again");
    } catch (const http::HttpError& error) {
        if (error.cls() != http::ErrorClass::Permanent)
            throw;
        fail(what.kind, what.old_key, what.project, error.what());
    }
    co_return std::nullopt;
}

asio::awaitable<void> Placer::finish(Kind kind, const Context& where, const std::string& key) {
    const auto& r = resource(kind);
    auto form = fmt::format("{}%5B{}%5D=1", r.envelope, r.restore.finishing_flag);
    co_await writer_.update(kind, object_path(kind, where, key), std::move(form));
}

asio::awaitable<std::optional<std::string>> Placer::set_default_role(const Context& where,
                                                                     std::string form) {
    auto path = list_path(resource(Kind::Roles), where) + "/default";
    auto key = co_await writer_.update(Kind::Roles, std::move(path), std::move(form));
    co_return key;
}

asio::awaitable<void> Placer::remove_unadopted(Kind kind, const Context& where,
                                               const TargetIndex& existing,
                                               const std::string& project) {
    for (const auto& [natural, key] : existing.unadopted()) {
        if (ids_.is_taken(kind, key))
            continue;
        co_await writer_.remove(object_path(kind, where, key));
        report_.removed.push_back(fmt::format("the server's own {} '{}' in project '{}'",
                                              resource(kind).envelope, natural, project));
    }
}

void Placer::fail(Kind kind, const std::string& old_key, const std::string& project,
                  const std::string& why) {
    report_.count(kind, Outcome::Failed, project);
    report_.problem(fmt::format("{} {}{}: {}", resource(kind).envelope, old_key,
                                project.empty() ? "" : " in project '" + project + "'", why));
}

void Placer::skip(Kind kind, const std::string& old_key, const std::string& project,
                  const std::string& why) {
    report_.count(kind, Outcome::Skipped, project);
    report_.problem(fmt::format("{} {}{} skipped: {}", resource(kind).envelope, old_key,
                                project.empty() ? "" : " in project '" + project + "'", why));
}

}  // namespace smartq::sync::restore
