#include "sync/restore/replayer.hpp"

#include <fmt/format.h>
#include <simdjson.h>
#include <spdlog/spdlog.h>

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <deque>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "store/sha256.hpp"
#include "sync/pager.hpp"
#include "sync/task_group.hpp"
#include "sync/verify/annotation.hpp"
#include "sync/wire/custom_fields.hpp"
#include "sync/wire/form.hpp"
#include "sync/wire/normalise.hpp"
#include "sync/wire/values.hpp"

namespace smartq::sync::restore {
namespace asio = boost::asio;
namespace dom = simdjson::dom;

namespace {

// A parsed JSON text that owns its parser: each coroutine parses its own.
struct Json {
    explicit Json(const std::string& text) : root(parser.parse(text).value()) {}
    dom::parser parser;
    dom::element root;
};

std::string text_field(dom::element object, std::string_view name) {
    auto member = wire::field(object, name);
    return member ? wire::as_text(*member).value_or("") : std::string{};
}

bool flag_field(dom::element object, std::string_view name) {
    auto member = wire::field(object, name);
    return member && wire::as_bool(*member).value_or(false);
}

// What identifies an object within its parent when ids differ: a user by
// email, a ticket by name and description, a file by name and size...
std::string natural_key(Kind kind, dom::element object) {
    switch (kind) {
        case Kind::Users:
            return text_field(object, "email");
        case Kind::Projects:
        case Kind::Roles:
        case Kind::Steps:
            return text_field(object, "name");
        case Kind::CustomFields:
            return text_field(object, "label") + '\x1f' + text_field(object, "type");
        case Kind::CustomFieldValues:
            return text_field(object, "title");
        case Kind::Tickets:
            return text_field(object, "name") + '\x1f' + text_field(object, "description");
        case Kind::Notes:
            return text_field(object, "text") + '\x1f' +
                   (flag_field(object, "private") ? "1" : "0");
        case Kind::Tasks:
            return text_field(object, "text");
        case Kind::Files:
            return text_field(object, "name") + '\x1f' + text_field(object, "size");
    }
    return {};
}

// The key a target object is known by: its id, or a custom field's name.
std::optional<std::string> target_key(Kind kind, dom::element object) {
    if (kind == Kind::CustomFields) {
        auto name = text_field(object, "name");
        if (name.empty())
            return std::nullopt;
        return name;
    }
    auto id = object_id(object);
    if (!id)
        return std::nullopt;
    return std::to_string(*id);
}

// A scalar as PHP form text: booleans 1/0, numbers in their shortest exact form.
std::optional<std::string> form_text(dom::element value) {
    if (value.is_null())
        return std::nullopt;
    if (value.is_bool())
        return value.get_bool().value() ? "1" : "0";
    if (value.is_int64())
        return std::to_string(value.get_int64().value());
    if (value.is_uint64())
        return std::to_string(value.get_uint64().value());
    if (value.is_double())
        return fmt::format("{}", value.get_double().value());
    if (value.is_string())
        return std::string(value.get_string().value());
    return std::nullopt;
}

// Any JSON value in bracket notation: field[options][min]=0, ticket[tags]=x.
void add_json(wire::FormBuilder& form, std::vector<std::string> path, dom::element value) {
    if (value.is_array()) {
        std::size_t i = 0;
        for (auto item : value.get_array()) {
            auto item_path = path;
            item_path.push_back(std::to_string(i++));
            add_json(form, std::move(item_path), item);
        }
    } else if (value.is_object()) {
        for (auto member : value.get_object()) {
            auto member_path = path;
            member_path.emplace_back(member.key);
            add_json(form, std::move(member_path), member.value);
        }
    } else if (auto text = form_text(value)) {
        form.add(path, *text);
    }
}

// A value not to send: nothing (null, [], {}, a zero date). An empty text
// is sent as such: a note's text may be empty, but must be there.
bool unset(dom::element value) {
    if (value.is_string() && value.get_string().value().empty())
        return false;
    return wire::is_empty_value(value);
}

// Passes over a target listing that keeps changing while it is read.
constexpr int kIndexPasses = 3;

// The PUTs that finish a faithful copy, in PHP bracket notation.
constexpr std::string_view kArchive = "ticket%5Barchived%5D=1";
constexpr std::string_view kDone = "task%5Bdone%5D=1";

// A failure after which the object may exist or the write may have gone
// through: look (or, for an idempotent write, send again) after a pause.
bool answer_lost(const http::HttpError& error) {
    switch (error.cls()) {
        case http::ErrorClass::Retryable:
        case http::ErrorClass::RateLimited:
        case http::ErrorClass::Unreachable:
        case http::ErrorClass::Malformed:
        case http::ErrorClass::OutcomeUnknown:
            return true;
        default:
            return false;
    }
}

bool is_permanent(const http::HttpError& error) {
    return error.cls() == http::ErrorClass::Permanent;
}

// Whether a target object already has the state its finishing PUT sets
// (an archived ticket, a done task), so that a second run sends no PUT.
bool finished(Kind kind, dom::element object) {
    if (kind == Kind::Tickets)
        return flag_field(object, "archived");
    if (kind == Kind::Tasks)
        return flag_field(object, "done");
    if (kind == Kind::CustomFields)
        return flag_field(object, "required");
    return false;
}

// Target objects of one parent, by natural key, for objects that may already
// exist there. An entry is consumed when adopted so that two source objects
// never become one target object.
class TargetIndex {
  public:
    void add(std::string natural, std::string key, bool finished) {
        if (finished)
            finished_.insert(key);
        if (!present_.insert(key).second)
            return;  // listed again by another pass
        by_natural_[std::move(natural)].push_back(std::move(key));
    }
    bool has(const std::string& key) const { return present_.count(key) > 0; }
    // An object the listing missed (ties in its order) but its own GET found.
    void confirm(const std::string& key, bool finished) {
        present_.insert(key);
        if (finished)
            finished_.insert(key);
    }
    // (natural key, key) of the objects never adopted, sorted: with the id
    // map, what the server made on its own.
    std::vector<std::pair<std::string, std::string>> unadopted() const {
        std::vector<std::pair<std::string, std::string>> left;
        for (const auto& [natural, keys] : by_natural_)
            for (const auto& key : keys)
                left.emplace_back(natural, key);
        std::sort(left.begin(), left.end());
        return left;
    }
    bool finished(const std::string& key) const { return finished_.count(key) > 0; }
    bool has_natural(const std::string& natural) const {
        auto it = by_natural_.find(natural);
        return it != by_natural_.end() && !it->second.empty();
    }
    template <class Taken>
    std::optional<std::string> adopt(const std::string& natural, Taken&& taken) {
        auto it = by_natural_.find(natural);
        if (it == by_natural_.end())
            return std::nullopt;
        auto& keys = it->second;
        while (!keys.empty()) {
            auto key = std::move(keys.front());
            keys.pop_front();
            if (!taken(key))
                return key;
        }
        return std::nullopt;
    }

  private:
    std::unordered_set<std::string> present_;
    std::unordered_set<std::string> finished_;
    std::unordered_map<std::string, std::deque<std::string>> by_natural_;
};

// Where a source object ended up in the target.
struct Placed {
    std::string key;     // target id (or field name); in a dry run a made-up one
    bool fresh = false;  // created now: nothing below it can exist in the target yet
};

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

// A POST that creates one object: a form, or a file upload.
struct Write {
    std::string path;
    std::string form;
    std::optional<std::string> file_body;
    std::string file_name;
    std::string content_type;
};

// One project being restored: its target ids and how its fields map.
struct ProjectRun {
    std::int64_t source_id = 0;
    std::string name;  // the source project's name, for the report
    Context target;    // the target project's context
    bool fresh = false;
    // This restore POSTed the project: the steps and roles the server gave it
    // on its own are the restore's to adopt by name or remove.
    bool created_here = false;
    std::map<std::string, bool> choice_fields;  // source field name -> is a choice field
    // Target fields required in the source: created optional (a ticket made
    // before a field became required may lack it), required after the tickets.
    std::vector<std::string> fields_to_require;
};

}  // namespace

struct Replayer::State {
    http::ApiClient& client;
    http::ApiClient& writer;
    PlanReader& plan;
    IdMap& ids;
    store::BlobStore& blobs;
    UserPasswords& passwords;
    ReplayOptions options;
    Report& report;
    PageCaps page_caps;
    std::uint64_t dry_ids = 0;
    std::shared_ptr<http::AsyncSemaphore> ticket_slots;
    http::RetryPolicy retry;
    std::mt19937_64 random;  // back-off jitter
    // Tickets name their assignees, so they wait for the users; projects and
    // their steps, fields and roles are placed alongside the users.
    std::optional<asio::steady_timer> users_placed;
    bool users_done = false;
    std::exception_ptr users_failure;  // what stopped the users: the tickets stop too

    // The id map key of a source object: custom fields are per project.
    static std::string map_key(Kind kind, std::int64_t project_id, const std::string& key) {
        return kind == Kind::CustomFields ? fmt::format("{}/{}", project_id, key) : key;
    }

    std::optional<std::string> remap(Kind kind, const std::string& old_key) {
        auto mapping = ids.lookup(kind, old_key);
        if (mapping.state != Mapping::State::Mapped)
            return std::nullopt;
        return mapping.target_key;
    }

    // Lists the target's children of one parent.
    asio::awaitable<TargetIndex> index(Kind kind, Context context) {
        TargetIndex out;
        const auto& r = resource(kind);
        // Named, so that the coroutine lambda outlives every frame it starts.
        PageHandler take = [&](const std::vector<dom::element>& items) -> asio::awaitable<bool> {
            for (auto item : items)
                if (auto key = target_key(kind, item))
                    out.add(natural_key(kind, item), *key, finished(kind, item));
            co_return true;
        };
        // Named too: g++ 12 mis-destroys a braced aggregate across a co_await.
        ListRequest request;
        request.kind = kind;
        request.path = list_path(r, context);
        request.params = std::string(r.list_params);
        request.page_size = static_cast<std::size_t>(r.page_size);
        // A listing read in doubt (ties reordered between its pages) may have
        // missed rows: it is read again and the union kept. Mapped objects do
        // not depend on it (their own GET decides); an object the id map does
        // not know could still be created twice, which the warning says.
        for (int pass = 1;; ++pass) {
            auto outcome = co_await list_pages(client, page_caps, request, take);
            if (outcome.doubt.empty())
                break;
            if (pass == kIndexPasses) {
                spdlog::warn("{}: {}; an object the id map does not know may be created twice",
                             request.path, outcome.doubt);
                break;
            }
        }
        co_return out;
    }

    bool taken(Kind kind, const std::string& target_key) {
        return !options.into_source && ids.is_taken(kind, target_key);
    }

    // Whether a mapped object is still in the target. The id map is the
    // authority: a listing may miss an object (ties in the server's order), so
    // one the listing lacks is asked for by its own GET; only a 404 means it is
    // gone. `existing` learns the answer.
    asio::awaitable<bool> still_there(Kind kind, const Context& where, const std::string& key,
                                      TargetIndex& existing) {
        if (existing.has(key))
            co_return true;
        try {
            auto answer = co_await client.get(list_path(resource(kind), where) + "/" + key);
            existing.confirm(key, finished(kind, answer.data()));
            co_return true;
        } catch (const http::HttpError& error) {
            if (error.status() != 404)
                throw;
        }
        co_return false;
    }

    // What the id map or the target already has for a source object. `existing`
    // is null when the parent was created just now (nothing can be there yet).
    // `update` (a project's own steps and roles): an object adopted by natural
    // key is PUT these fields before it is mapped, as the server's default
    // may differ in the rest; a rerun after a kill PUTs it again.
    asio::awaitable<std::optional<Placed>> existing_object(
        Kind kind, const std::string& old_key, const std::string& natural, TargetIndex* existing,
        const Context& where, const std::string& project, const std::string* update = nullptr) {
        if (!existing)
            co_return std::nullopt;
        auto mapping = ids.lookup(kind, old_key);
        if (mapping.state == Mapping::State::Mapped) {
            if (co_await still_there(kind, where, mapping.target_key, *existing)) {
                report.count(kind, Outcome::Matched, project);
                co_return found(mapping.target_key);
            }
            if (!options.dry_run)
                ids.forget(kind, old_key);
        }
        auto adopted =
            existing->adopt(natural, [&](const std::string& key) { return taken(kind, key); });
        if (!adopted)
            co_return std::nullopt;
        if (update)
            co_await put(list_path(resource(kind), where) + "/" + *adopted, *update);
        if (!options.dry_run)
            ids.map(kind, old_key, *adopted);
        report.count(kind, Outcome::Matched, project);
        co_return found(*adopted);
    }

    // The heart of idempotence: reuse what the id map or the target already
    // has, else create it.
    asio::awaitable<std::optional<Placed>> place(Kind kind, std::string old_key,
                                                 std::string natural, TargetIndex* existing,
                                                 Context where, std::string form,
                                                 std::string project, bool update = false) {
        if (auto placed = co_await existing_object(kind, old_key, natural, existing, where, project,
                                                   update ? &form : nullptr))
            co_return placed;
        Write write;
        write.path = list_path(resource(kind), where);
        write.form = std::move(form);
        auto placed = co_await create(kind, std::move(old_key), std::move(where),
                                      std::move(natural), std::move(write), std::move(project));
        co_return placed;
    }

    // Marks the object pending, POSTs it, and records its new id. A POST whose
    // answer was lost (5xx, dropped, cut short) may still have created the
    // object, so before it is sent again the parent `where` is listed and an
    // unclaimed object of the same natural key is taken as the one created.
    asio::awaitable<std::optional<Placed>> create(Kind kind, std::string old_key, Context where,
                                                  std::string natural, Write write,
                                                  std::string project) {
        if (options.dry_run) {
            report.count(kind, Outcome::Created, project);
            co_return created(fmt::format("dry-{}", ++dry_ids));
        }
        ids.mark_pending(kind, old_key);
        if (kind == Kind::Projects)
            ids.mark_project_created(old_key);
        for (int attempt = 1;; ++attempt) {
            std::optional<std::string> key;
            std::optional<http::HttpError> lost;
            try {
                key = co_await send(kind, write);
            } catch (const http::HttpError& error) {
                lost = error;
            }
            if (key) {
                ids.map(kind, old_key, *key);
                report.count(kind, Outcome::Created, project);
                co_return created(*key);
            }
            if (is_permanent(*lost)) {
                fail(kind, old_key, project, lost->what());
                co_return std::nullopt;
            }
            if (attempt >= retry.max_attempts || !answer_lost(*lost))
                throw *lost;
            spdlog::debug("{}: {}; looking for the object before sending it again", write.path,
                          lost->what());
            auto listed = co_await index(kind, where);
            auto adopted =
                listed.adopt(natural, [&](const std::string& k) { return taken(kind, k); });
            if (adopted) {
                ids.map(kind, old_key, *adopted);
                report.count(kind, Outcome::Created, project);
                co_return created(*adopted);
            }
            co_await pause(attempt, *lost);
        }
    }

    // One POST through the writer (no retries of its own); the new object's key.
    asio::awaitable<std::string> send(Kind kind, const Write& write) {
        std::optional<std::string> key;
        if (write.file_body) {
            auto answer = co_await writer.post_file(write.path, write.file_name, write.content_type,
                                                    *write.file_body);
            key = target_key(kind, answer.data());
        } else {
            auto answer = co_await writer.post_form(write.path, write.form);
            key = target_key(kind, answer.data());
        }
        if (!key)
            throw wire::WireError(fmt::format("POST {} answered without an id", write.path));
        co_return *key;
    }

    asio::awaitable<void> pause(int attempt, const http::HttpError& lost) {
        auto delay = lost.retry_after().value_or(http::backoff_delay(retry, attempt, random));
        asio::steady_timer timer(co_await asio::this_coro::executor, delay);
        co_await timer.async_wait(asio::use_awaitable);
    }

    void fail(Kind kind, const std::string& old_key, const std::string& project,
              const std::string& why) {
        report.count(kind, Outcome::Failed, project);
        report.problem(fmt::format("{} {}{}: {}", resource(kind).envelope, old_key,
                                   project.empty() ? "" : " in project '" + project + "'", why));
    }

    void skip(Kind kind, const std::string& old_key, const std::string& project,
              const std::string& why) {
        report.count(kind, Outcome::Skipped, project);
        report.problem(fmt::format("{} {}{} skipped: {}", resource(kind).envelope, old_key,
                                   project.empty() ? "" : " in project '" + project + "'", why));
    }

    // The writable fields of a source object as a form, references remapped.
    // A reference the map cannot resolve is dropped and reported.
    std::string writable_form(Kind kind, dom::element object, const std::string& project) {
        const auto& r = resource(kind);
        wire::FormBuilder form;
        for (auto name : r.writable) {
            auto value = wire::field(object, name);
            if (!value || unset(*value))
                continue;
            const Reference* reference = nullptr;
            for (const auto& ref : r.references)
                if (ref.field == name)
                    reference = &ref;
            std::vector<std::string> path{std::string(r.envelope), std::string(name)};
            if (!reference) {
                add_json(form, path, *value);
                continue;
            }
            std::vector<std::string> mapped;
            for (auto old_id : wire::ids_in(*value)) {
                if (auto target = remap(reference->target, std::to_string(old_id)))
                    mapped.push_back(*target);
                else if (!options.dry_run)
                    report.problem(
                        fmt::format("{} {} in project '{}': its {} {} was not restored; the "
                                    "reference is dropped",
                                    r.envelope, text_field(object, "id"), project, name, old_id));
            }
            add_ids(form, path, mapped, reference->list);
        }
        return form.str();
    }

    // Target ids at `path`: as path[0], path[1], ... for a list, else the first alone.
    static void add_ids(wire::FormBuilder& form, const std::vector<std::string>& path,
                        const std::vector<std::string>& ids, bool list) {
        if (!list) {
            if (!ids.empty())
                form.add(path, ids.front());
            return;
        }
        for (std::size_t i = 0; i < ids.size(); ++i) {
            auto item_path = path;
            item_path.push_back(std::to_string(i));
            form.add(item_path, ids[i]);
        }
    }

    // A ticket's custom field values under the target's field names and value ids.
    void add_ticket_fields(wire::FormBuilder& form, dom::element ticket, const ProjectRun& run) {
        for (const auto& [name, value] : wire::custom_field_values(ticket)) {
            if (wire::is_empty_value(value))
                continue;
            auto target =
                remap(Kind::CustomFields, map_key(Kind::CustomFields, run.source_id, name));
            if (!target)
                continue;
            std::vector<std::string> path{"ticket", *target};
            auto choice = run.choice_fields.find(name);
            if (choice == run.choice_fields.end() || !choice->second) {
                add_json(form, path, value);
                continue;
            }
            std::vector<std::string> values;
            for (auto old_id : wire::ids_in(value))
                if (auto mapped = remap(Kind::CustomFieldValues, std::to_string(old_id)))
                    values.push_back(*mapped);
            add_ids(form, path, values, value.is_array() || value.is_object());
        }
    }

    // PUT and DELETE are idempotent, and the transport sends a write once: one
    // whose answer was lost is sent again here. `send(attempt)` makes one try.
    template <class Send>
    asio::awaitable<void> resend_lost(Send send) {
        for (int attempt = 1;; ++attempt) {
            std::optional<http::HttpError> lost;
            try {
                co_await send(attempt);
                co_return;
            } catch (const http::HttpError& error) {
                if (!answer_lost(error) || attempt >= retry.max_attempts)
                    throw;
                lost = error;
            }
            co_await pause(attempt, *lost);
        }
    }

    asio::awaitable<void> put(std::string path, std::string form) {
        if (options.dry_run)
            co_return;
        co_await resend_lost(
            [&](int) -> asio::awaitable<void> { co_await client.put_form(path, form); });
    }

    // A DELETE sent again after a lost answer finds nothing: that 404 is success.
    asio::awaitable<void> remove(std::string path) {
        co_await resend_lost([&](int attempt) -> asio::awaitable<void> {
            try {
                co_await client.del(path);
            } catch (const http::HttpError& error) {
                if (attempt == 1 || error.status() != 404)
                    throw;
            }
        });
    }

    // Opens the users gate however users() ends, so that no ticket waits forever.
    class OpenGate {
      public:
        explicit OpenGate(State& state) : state_(state) {}
        ~OpenGate() {
            state_.users_done = true;
            state_.users_placed->cancel();
        }

      private:
        State& state_;
    };

    asio::awaitable<void> wait_for_users() {
        while (!users_done) {
            boost::system::error_code cancelled;
            co_await users_placed->async_wait(asio::redirect_error(asio::use_awaitable, cancelled));
        }
        if (users_failure)
            std::rethrow_exception(users_failure);
    }

    asio::awaitable<void> users() {
        OpenGate gate(*this);
        try {
            co_await place_users();
        } catch (...) {
            users_failure = std::current_exception();
            throw;
        }
    }

    asio::awaitable<void> place_users() {
        co_await place_all(Kind::Users, plan.users(), &State::user_task);
    }

    // Places the account-level objects of one kind in parallel, against one index of the target.
    using PlaceTask = asio::awaitable<void> (State::*)(const SourceObject&, TargetIndex&);
    asio::awaitable<void> place_all(Kind kind, std::vector<SourceObject> sources, PlaceTask task) {
        Context account;  // g++ 12: no braced aggregate into a coroutine
        auto existing = co_await index(kind, account);
        auto group = std::make_unique<TaskGroup>(co_await asio::this_coro::executor);
        for (const auto& source : sources)
            group->spawn((this->*task)(source, existing));
        co_await group->wait();
    }

    asio::awaitable<void> user_task(const SourceObject& user, TargetIndex& existing) {
        Json json(user.data);
        auto email = text_field(json.root, "email");
        auto password = co_await passwords_needed(user.key, email, existing);
        wire::FormBuilder form;
        form.add({"user", "password"}, password);
        std::string body = writable_form(Kind::Users, json.root, {});
        if (!body.empty())
            body += "&";
        body += form.str();
        Context account;
        std::string no_project;
        co_await place(Kind::Users, user.key, email, &existing, std::move(account), std::move(body),
                       std::move(no_project));
    }

    // A password is only made (and written down) for a user that will be created.
    asio::awaitable<std::string> passwords_needed(const std::string& old_key,
                                                  const std::string& email, TargetIndex& existing) {
        auto mapping = ids.lookup(Kind::Users, old_key);
        Context account;
        bool known = mapping.state == Mapping::State::Mapped &&
                     co_await still_there(Kind::Users, account, mapping.target_key, existing);
        if (known || options.dry_run || existing.has_natural(email))
            co_return std::string{};
        co_return passwords.password_for(email);
    }

    asio::awaitable<void> projects() {
        co_await place_all(Kind::Projects, plan.projects(), &State::project_task);
    }

    asio::awaitable<void> project_task(const SourceObject& project, TargetIndex& existing) {
        Json json(project.data);
        ProjectRun run;
        run.source_id = std::stoll(project.key);
        run.name = text_field(json.root, "name");
        Context account;
        auto form = writable_form(Kind::Projects, json.root, {});
        auto placed =
            co_await place(Kind::Projects, project.key, natural_key(Kind::Projects, json.root),
                           &existing, std::move(account), std::move(form), run.name);
        if (!placed)
            co_return;
        run.fresh = placed->fresh;
        run.created_here =
            !options.dry_run && !options.into_source && ids.project_created(project.key);
        if (!options.dry_run || !placed->fresh)
            run.target.project_id = std::stoll(placed->key);
        co_await project_children(run);
    }

    Parent source_parent(const ProjectRun& run) const {
        Parent parent;
        parent.project_id = run.source_id;
        return parent;
    }

    // Objects of one kind under one parent, each placed by `one`, in parallel.
    // `one` is a named lambda of the caller: it lives across the wait.
    template <class One>
    asio::awaitable<void> each(std::vector<SourceObject> sources, One& one) {
        auto group = std::make_unique<TaskGroup>(co_await asio::this_coro::executor);
        for (auto& source : sources)
            group->spawn(one(std::move(source)));
        co_await group->wait();
    }

    asio::awaitable<std::optional<TargetIndex>> index_unless_fresh(Kind kind, bool fresh,
                                                                   Context context) {
        if (fresh)
            co_return std::nullopt;
        auto listed = co_await index(kind, std::move(context));
        co_return listed;
    }

    asio::awaitable<void> project_children(ProjectRun& run) {
        // A project is read back right after its creation: a server may give
        // a new project steps and roles of its own.
        bool bare = run.fresh && !run.created_here;
        auto steps = co_await index_unless_fresh(Kind::Steps, bare, run.target);
        auto fields = co_await index_unless_fresh(Kind::CustomFields, run.fresh, run.target);
        auto roles = co_await index_unless_fresh(Kind::Roles, bare, run.target);
        auto step_task = [&](SourceObject step) {
            return project_object(run, Kind::Steps, std::move(step), steps ? &*steps : nullptr);
        };
        auto one_field = [&](SourceObject field) {
            return field_task(run, std::move(field), fields ? &*fields : nullptr);
        };
        auto default_role = plan.default_role(run.source_id);
        auto one_role = [&](SourceObject role) {
            return role_task(run, std::move(role), roles ? &*roles : nullptr, default_role);
        };
        // Fields need nothing else of the project; a role names a step (max_step).
        auto group = std::make_unique<TaskGroup>(co_await asio::this_coro::executor);
        group->spawn(each(plan.children(Kind::CustomFields, source_parent(run)), one_field));
        group->spawn(in_order(each(plan.children(Kind::Steps, source_parent(run)), step_task),
                              each(plan.children(Kind::Roles, source_parent(run)), one_role)));
        co_await group->wait();
        co_await remove_server_defaults(run, Kind::Steps, steps ? &*steps : nullptr);
        co_await remove_server_defaults(run, Kind::Roles, roles ? &*roles : nullptr);
        co_await wait_for_users();
        co_await tickets(run);
        co_await require_fields(run);
    }

    // A step or non-default role: in a project this restore created, one the
    // server made on its own is adopted by name and given the source's fields.
    asio::awaitable<void> project_object(ProjectRun& run, Kind kind, SourceObject source,
                                         TargetIndex* existing) {
        Json json(source.data);
        co_await place(kind, source.key, natural_key(kind, json.root), existing, run.target,
                       writable_form(kind, json.root, run.name), run.name, run.created_here);
    }

    // What the server made on its own in a project this restore created and
    // no source object adopted: removed, and named in the report.
    asio::awaitable<void> remove_server_defaults(ProjectRun& run, Kind kind,
                                                 TargetIndex* existing) {
        if (!existing || !run.created_here)
            co_return;
        for (const auto& [natural, key] : existing->unadopted()) {
            if (ids.is_taken(kind, key))
                continue;
            co_await remove(list_path(resource(kind), run.target) + "/" + key);
            report.removed.push_back(fmt::format("the server's own {} '{}' in project '{}'",
                                                 resource(kind).envelope, natural, run.name));
        }
    }

    // The finishing pass: fields required in the source become required now
    // that every ticket exists.
    asio::awaitable<void> require_fields(ProjectRun& run) {
        for (const auto& name : run.fields_to_require) {
            co_await put(list_path(resource(Kind::CustomFields), run.target) + "/" + name,
                         "field%5Brequired%5D=1");
        }
    }

    static asio::awaitable<void> in_order(asio::awaitable<void> first,
                                          asio::awaitable<void> second) {
        co_await std::move(first);
        co_await std::move(second);
    }

    // Steps and values: the writable fields as they are.
    asio::awaitable<void> simple(Kind kind, SourceObject source, TargetIndex* existing,
                                 Context where, std::string project) {
        Json json(source.data);
        co_await place(kind, source.key, natural_key(kind, json.root), existing, std::move(where),
                       writable_form(kind, json.root, project), project);
    }

    asio::awaitable<void> field_task(ProjectRun& run, SourceObject field, TargetIndex* existing) {
        Json json(field.data);
        bool choice = text_field(json.root, "type") == "choice";
        run.choice_fields[field.key] = choice;
        auto key = map_key(Kind::CustomFields, run.source_id, field.key);
        auto form =
            without(writable_form(Kind::CustomFields, json.root, run.name), "field[required]");
        auto placed = co_await place(Kind::CustomFields, std::move(key),
                                     natural_key(Kind::CustomFields, json.root), existing,
                                     run.target, std::move(form), run.name);
        if (!placed)
            co_return;
        bool already_required = existing && existing->finished(placed->key);
        bool modify = !options.into_source || placed->fresh;
        if (modify && flag_field(json.root, "required") && !already_required)
            run.fields_to_require.push_back(placed->key);
        if (!choice)
            co_return;
        Context target = run.target;
        target.field_name = placed->key;
        auto values = co_await index_unless_fresh(Kind::CustomFieldValues, placed->fresh, target);
        Parent parent = source_parent(run);
        parent.field_name = field.key;
        auto one_value = [&](SourceObject value) {
            return simple(Kind::CustomFieldValues, std::move(value), values ? &*values : nullptr,
                          target, run.name);
        };
        co_await each(plan.children(Kind::CustomFieldValues, parent), one_value);
    }

    // The source's default role becomes the target project's default role
    // (every project has one) through PUT roles/default.
    asio::awaitable<void> role_task(ProjectRun& run, SourceObject role, TargetIndex* existing,
                                    std::optional<std::string> default_role) {
        if (default_role != role.key || options.into_source) {
            co_await project_object(run, Kind::Roles, std::move(role), existing);
            co_return;
        }
        // The id map holds the default role once its PUT went through.
        auto mapping = ids.lookup(Kind::Roles, role.key);
        if (existing && mapping.state == Mapping::State::Mapped &&
            co_await still_there(Kind::Roles, run.target, mapping.target_key, *existing)) {
            report.count(Kind::Roles, Outcome::Matched, run.name);
            co_return;
        }
        auto path = list_path(resource(Kind::Roles), run.target);
        Json json(role.data);
        auto form = writable_form(Kind::Roles, json.root, run.name);
        if (options.dry_run) {
            report.count(Kind::Roles, Outcome::Matched, run.name);
            co_return;
        }
        try {
            co_await resend_lost([&](int) -> asio::awaitable<void> {
                auto answer = co_await client.put_form(path + "/default", form);
                if (auto key = target_key(Kind::Roles, answer.data()))
                    ids.map(Kind::Roles, role.key, *key);
            });
            report.count(Kind::Roles, Outcome::Matched, run.name);
        } catch (const http::HttpError& error) {
            if (!is_permanent(error))
                throw;
            fail(Kind::Roles, role.key, run.name, error.what());
        }
    }

    asio::awaitable<void> tickets(ProjectRun& run) {
        auto existing = co_await index_unless_fresh(Kind::Tickets, run.fresh, run.target);
        auto group = std::make_unique<TaskGroup>(co_await asio::this_coro::executor);
        auto sources = plan.children(Kind::Tickets, source_parent(run));
        for (auto& ticket : sources) {
            auto permit = co_await ticket_slots->acquire();
            group->spawn(ticket_task(run, std::move(ticket), existing ? &*existing : nullptr,
                                     std::move(permit)));
        }
        co_await group->wait();
    }

    asio::awaitable<void> ticket_task(ProjectRun& run, SourceObject ticket, TargetIndex* existing,
                                      http::AsyncSemaphore::Permit) {
        Json json(ticket.data);
        if (ids.ticket_done(ticket.key) && existing) {
            auto mapping = ids.lookup(Kind::Tickets, ticket.key);
            if (mapping.state == Mapping::State::Mapped &&
                co_await still_there(Kind::Tickets, run.target, mapping.target_key, *existing)) {
                report.count(Kind::Tickets, Outcome::Matched, run.name);
                co_return;
            }
        }
        wire::FormBuilder fields;
        add_ticket_fields(fields, json.root, run);
        auto form = writable_form(Kind::Tickets, json.root, run.name);
        if (!fields.empty())
            form += (form.empty() ? "" : "&") + fields.str();
        auto placed =
            co_await place(Kind::Tickets, ticket.key, natural_key(Kind::Tickets, json.root),
                           existing, run.target, form, run.name);
        if (!placed)
            co_return;
        Context target = run.target;
        if (!options.dry_run || !placed->fresh)
            target.ticket_id = std::stoll(placed->key);
        auto failures = report.problems.size();
        co_await ticket_children(run, std::stoll(ticket.key), target, placed->fresh);
        bool modify = !options.into_source || placed->fresh;
        bool already_archived = existing && existing->finished(placed->key);
        if (modify && !already_archived && flag_field(json.root, "archived")) {
            auto ticket_path = list_path(resource(Kind::Tickets), run.target) + "/" + placed->key;
            std::string archive(kArchive);
            co_await put(std::move(ticket_path), std::move(archive));
        }
        if (!options.dry_run && report.problems.size() == failures)
            ids.mark_ticket_done(ticket.key);
    }

    asio::awaitable<void> ticket_children(ProjectRun& run, std::int64_t source_ticket,
                                          Context target, bool fresh) {
        auto notes = co_await index_unless_fresh(Kind::Notes, fresh, target);
        auto tasks = co_await index_unless_fresh(Kind::Tasks, fresh, target);
        Parent parent = source_parent(run);
        parent.ticket_id = source_ticket;
        auto group = std::make_unique<TaskGroup>(co_await asio::this_coro::executor);
        auto source_tasks = plan.children(Kind::Tasks, parent);
        for (auto& task : source_tasks)
            group->spawn(task_task(run, std::move(task), tasks ? &*tasks : nullptr, target, fresh));
        auto source_notes = plan.children(Kind::Notes, parent);
        group->spawn(note_levels(run, std::move(source_notes), notes ? &*notes : nullptr, target));
        co_await group->wait();
    }

    asio::awaitable<void> task_task(ProjectRun& run, SourceObject task, TargetIndex* existing,
                                    Context target, bool ticket_fresh) {
        Json json(task.data);
        wire::FormBuilder form;
        form.add({"task"}, text_field(json.root, "text"));
        auto placed = co_await place(Kind::Tasks, task.key, natural_key(Kind::Tasks, json.root),
                                     existing, target, form.str(), run.name);
        if (!placed)
            co_return;
        bool modify = !options.into_source || placed->fresh || ticket_fresh;
        bool already_done = existing && existing->finished(placed->key);
        if (modify && !already_done && flag_field(json.root, "done")) {
            auto task_path = list_path(resource(Kind::Tasks), target) + "/" + placed->key;
            std::string done(kDone);
            co_await put(std::move(task_path), std::move(done));
        }
    }

    // Notes go by thread depth: a reply needs its parent's new id.
    asio::awaitable<void> note_levels(ProjectRun& run, std::vector<SourceObject> notes,
                                      TargetIndex* existing, Context target) {
        std::map<std::string, std::string> parent_of;
        // A deque: its elements never move, and each root points into its own parser.
        std::deque<Json> parsed;
        for (const auto& note : notes) {
            parsed.emplace_back(note.data);
            auto parent = wire::field(parsed.back().root, "parent_id");
            auto id = parent ? wire::as_id(*parent) : std::nullopt;
            if (id && *id != 0)
                parent_of[note.key] = std::to_string(*id);
        }
        std::unordered_set<std::string> done;
        while (done.size() < notes.size()) {
            auto group = std::make_unique<TaskGroup>(co_await asio::this_coro::executor);
            std::vector<std::string> level;
            for (std::size_t i = 0; i < notes.size(); ++i) {
                const auto& key = notes[i].key;
                if (done.count(key))
                    continue;
                auto parent = parent_of.find(key);
                bool ready = parent == parent_of.end() || done.count(parent->second) ||
                             std::none_of(notes.begin(), notes.end(), [&](const SourceObject& n) {
                                 return n.key == parent->second;
                             });
                if (!ready)
                    continue;
                level.push_back(key);
                group->spawn(note_task(run, notes[i], parsed[i].root, existing, target));
            }
            co_await group->wait();
            if (level.empty())
                break;  // a cycle of parents: cannot happen in a real thread
            done.insert(level.begin(), level.end());
        }
    }

    asio::awaitable<void> note_task(ProjectRun& run, const SourceObject& note, dom::element object,
                                    TargetIndex* existing, Context target) {
        auto text = text_field(object, "text");
        if (options.annotate_authors) {
            auto owner = wire::field(object, "owner_id");
            auto owner_id = owner ? wire::as_id(*owner) : std::nullopt;
            text = verify::annotate_author(owner_id ? plan.author(*owner_id) : "unknown",
                                           text_field(object, "insert_time"), text);
        }
        auto form = writable_form(Kind::Notes, object, run.name);
        wire::FormBuilder fixed;
        fixed.add({"note", "text"}, text);
        // writable_form sent the original text; the annotated one replaces it.
        auto body = form;
        if (options.annotate_authors) {
            auto rest = without(form, "note[text]");
            body = rest.empty() ? fixed.str() : rest + "&" + fixed.str();
        }
        auto natural = text + '\x1f' + (flag_field(object, "private") ? "1" : "0");
        auto placed =
            co_await place(Kind::Notes, note.key, natural, existing, target, body, run.name);
        if (!placed)
            co_return;
        Context note_target = target;
        if (!options.dry_run || !placed->fresh)
            note_target.note_id = std::stoll(placed->key);
        auto files = co_await index_unless_fresh(Kind::Files, placed->fresh, note_target);
        Parent parent = source_parent(run);
        parent.note_id = std::stoll(note.key);
        auto source_files = plan.children(Kind::Files, parent);
        auto group = std::make_unique<TaskGroup>(co_await asio::this_coro::executor);
        for (auto& file : source_files)
            group->spawn(file_task(run, std::move(file), files ? &*files : nullptr, note_target));
        co_await group->wait();
    }

    // A form without one of its fields.
    static std::string without(const std::string& form, std::string_view field) {
        wire::FormBuilder out;
        for (const auto& [key, value] : wire::parse_form(form))
            if (key != field)
                out.add(wire::bracket_path(key), value);
        return out.str();
    }

    // One upload: the stored body, checked against its sha256 before it is sent.
    asio::awaitable<void> file_task(ProjectRun& run, SourceObject file, TargetIndex* existing,
                                    Context target) {
        Json json(file.data);
        auto name = text_field(json.root, "name");
        auto natural = name + '\x1f' + std::to_string(file.size.value_or(-1));
        if (co_await existing_object(Kind::Files, file.key, natural, existing, target, run.name))
            co_return;
        if (!file.sha256) {
            skip(Kind::Files, file.key, run.name, "its body '" + name + "' was never downloaded");
            co_return;
        }
        Write write;
        write.file_body = read_blob(*file.sha256);
        if (!write.file_body) {
            skip(Kind::Files, file.key, run.name,
                 "the stored body of '" + name + "' is missing or damaged");
            co_return;
        }
        write.path = list_path(resource(Kind::Notes), target) + "/" +
                     std::to_string(target.note_id) + "/filesv2";
        write.file_name = name;
        write.content_type = text_field(json.root, "content_type");
        if (write.content_type.empty())
            write.content_type = "application/octet-stream";
        co_await create(Kind::Files, file.key, target, std::move(natural), std::move(write),
                        run.name);
    }

    std::optional<std::string> read_blob(const std::string& sha256) {
        if (!blobs.has(sha256))
            return std::nullopt;
        std::ifstream in(blobs.path_of(sha256), std::ios::binary);
        std::ostringstream body;
        body << in.rdbuf();
        auto text = std::move(body).str();
        if (store::sha256_hex(text) != sha256)
            return std::nullopt;
        return text;
    }
};

Replayer::Replayer(http::ApiClient& reader, http::ApiClient& writer, PlanReader& plan, IdMap& ids,
                   store::BlobStore& blobs, UserPasswords& passwords, ReplayOptions options,
                   Report& report)
    : state_(new State{reader,
                       writer,
                       plan,
                       ids,
                       blobs,
                       passwords,
                       options,
                       report,
                       {},
                       0,
                       {},
                       {},
                       std::mt19937_64(std::random_device{}()),
                       std::nullopt,
                       false,
                       {}}) {}

Replayer::~Replayer() = default;

asio::awaitable<void> Replayer::run() {
    auto& s = *state_;
    s.report.dry_run = s.options.dry_run;
    s.ticket_slots = http::AsyncSemaphore::create(co_await asio::this_coro::executor,
                                                  s.options.tickets_in_flight);
    s.users_placed.emplace(co_await asio::this_coro::executor,
                           asio::steady_timer::time_point::max());
    auto group = std::make_unique<TaskGroup>(co_await asio::this_coro::executor);
    group->spawn(s.users());
    group->spawn(s.projects());
    co_await group->wait();
    for (const auto* client : {&s.client, &s.writer}) {
        auto stats = client->stats();
        for (const auto& [method, n] : stats.requests_by_method)
            s.report.requests += n;
        s.report.writes += stats.writes;
    }
    s.report.passwords = s.passwords.generated();
}

}  // namespace smartq::sync::restore
