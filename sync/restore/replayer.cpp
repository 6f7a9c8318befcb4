#include "sync/restore/replayer.hpp"

#include <simdjson.h>

#include <deque>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

#include "store/sha256.hpp"
#include "sync/http/semaphore.hpp"
#include "sync/restore/form_encoding.hpp"
#include "sync/restore/gate.hpp"
#include "sync/restore/object_form.hpp"
#include "sync/restore/placement.hpp"
#include "sync/restore/task_group.hpp"
#include "sync/verify/annotation.hpp"
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

// The notes of one ticket as a forest: a reply starts once its parent exists.
struct Thread {
    std::vector<SourceObject> notes;
    std::deque<Json> parsed;  // a deque: each root points into its own parser, never moved
    std::map<std::string, std::vector<std::size_t>> replies;  // parent key -> note indexes
    std::vector<std::size_t> roots;
};

Thread thread_of(std::vector<SourceObject> notes) {
    Thread thread;
    thread.notes = std::move(notes);
    std::map<std::string, std::size_t> index;
    for (std::size_t i = 0; i < thread.notes.size(); ++i)
        index[thread.notes[i].key] = i;
    for (std::size_t i = 0; i < thread.notes.size(); ++i) {
        thread.parsed.emplace_back(thread.notes[i].data);
        auto parent = wire::field(thread.parsed.back().root, "parent_id");
        auto ids = parent ? wire::ids_in(*parent) : std::vector<std::int64_t>{};
        auto key = ids.empty() ? std::string{} : std::to_string(ids.front());
        if (index.count(key))
            thread.replies[key].push_back(i);
        else
            thread.roots.push_back(i);
    }
    return thread;
}

// The stored body of a file, read back and checked against its sha256.
std::optional<std::string> read_blob(const store::BlobStore& blobs, const std::string& sha256) {
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

Placement placement(Kind kind, std::string old_key, std::string natural, TargetIndex* existing,
                    Context where, std::string project) {
    Placement what;
    what.kind = kind;
    what.old_key = std::move(old_key);
    what.natural = std::move(natural);
    what.existing = existing;
    what.where = std::move(where);
    what.project = std::move(project);
    return what;
}

TargetIndex* index_or_null(std::optional<TargetIndex>& index) {
    return index ? &*index : nullptr;
}

}  // namespace

struct Replayer::State {
    Placer placer;
    PlanReader& plan;
    IdMap& ids;
    store::BlobStore& blobs;
    UserPasswords& passwords;
    ReplayOptions options;
    Report& report;
    std::shared_ptr<http::AsyncSemaphore> ticket_slots;
    // Tickets name their assignees, so they wait for the users; projects and
    // their steps, fields and roles are placed alongside the users.
    std::optional<Gate> users_placed;

    asio::awaitable<void> users() {
        Gate::Opener opener(*users_placed);
        try {
            co_await place_all(Kind::Users, plan.users(), &State::user_task);
        } catch (...) {
            opener.fail(std::current_exception());
            throw;
        }
    }

    // Places the account-level objects of one kind in parallel, against one listing of the target.
    using PlaceTask = asio::awaitable<void> (State::*)(const SourceObject&, TargetIndex&);
    asio::awaitable<void> place_all(Kind kind, std::vector<SourceObject> sources, PlaceTask task) {
        Context account;  // g++ 12: no braced aggregate into a coroutine
        auto existing = co_await placer.read(kind, account);
        TaskGroup group(co_await asio::this_coro::executor);
        for (const auto& source : sources)
            group.spawn((this->*task)(source, existing));
        co_await group.wait();
    }

    asio::awaitable<void> user_task(const SourceObject& user, TargetIndex& existing) {
        Json json(user.data);
        auto email = natural_key(resource(Kind::Users), json.root);
        auto password = co_await password_needed(user.key, email, existing);
        wire::FormBuilder form;
        form.add({"user", "password"}, password);
        auto body = join_forms(writable_form(Kind::Users, json.root, ids, report, {}), form.str());
        auto what = placement(Kind::Users, user.key, email, &existing, {}, {});
        co_await placer.place(std::move(what), std::move(body));
    }

    // A password is only made (and written down) for a user that will be created.
    asio::awaitable<std::string> password_needed(const std::string& old_key,
                                                 const std::string& email, TargetIndex& existing) {
        auto mapping = ids.lookup(Kind::Users, old_key);
        Context account;
        bool known =
            mapping.state == Mapping::State::Mapped &&
            co_await placer.still_there(Kind::Users, account, mapping.target_key, existing);
        if (known || existing.has_natural(email))
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
        auto form = writable_form(Kind::Projects, json.root, ids, report, {});
        auto what =
            placement(Kind::Projects, project.key, natural_key(resource(Kind::Projects), json.root),
                      &existing, {}, run.name);
        auto placed = co_await placer.place(std::move(what), std::move(form));
        if (!placed)
            co_return;
        run.fresh = placed->fresh;
        run.created_here = !options.into_source && ids.project_created(project.key);
        run.target.project_id = std::stoll(placed->key);
        co_await project_children(run);
    }

    Context source_parent(const ProjectRun& run) const {
        Context parent;
        parent.project_id = run.source_id;
        return parent;
    }

    asio::awaitable<void> read_into(std::optional<TargetIndex>& out, Kind kind, bool fresh,
                                    Context where) {
        out = co_await placer.read_unless_fresh(kind, fresh, std::move(where));
    }

    // Fields and steps go side by side; roles follow the steps (a role names
    // its max_step) alongside the tickets, which wait for the users, the
    // steps and the fields with their values.
    asio::awaitable<void> project_children(ProjectRun& run) {
        // A project is read back right after its creation: a server may give
        // a new project steps and roles of its own.
        bool bare = run.fresh && !run.created_here;
        std::optional<TargetIndex> steps, fields, roles;
        {
            TaskGroup listings(co_await asio::this_coro::executor);
            listings.spawn(read_into(steps, Kind::Steps, bare, run.target));
            listings.spawn(read_into(fields, Kind::CustomFields, run.fresh, run.target));
            listings.spawn(read_into(roles, Kind::Roles, bare, run.target));
            co_await listings.wait();
        }
        Gate steps_placed(co_await asio::this_coro::executor);
        TaskGroup group(co_await asio::this_coro::executor);
        group.spawn(
            steps_then_roles(run, index_or_null(steps), index_or_null(roles), steps_placed));
        group.spawn(fields_then_tickets(run, index_or_null(fields), steps_placed));
        co_await group.wait();
    }

    asio::awaitable<void> steps_then_roles(ProjectRun& run, TargetIndex* steps, TargetIndex* roles,
                                           Gate& steps_placed) {
        {
            Gate::Opener opener(steps_placed);
            try {
                co_await each(plan.children(Kind::Steps, source_parent(run)),
                              [&](SourceObject step) {
                                  return project_object(run, Kind::Steps, std::move(step), steps);
                              });
                co_await remove_server_defaults(run, Kind::Steps, steps);
            } catch (...) {
                opener.fail(std::current_exception());
                throw;
            }
        }
        auto default_role = plan.default_role(run.source_id);
        co_await each(plan.children(Kind::Roles, source_parent(run)), [&](SourceObject role) {
            return role_task(run, std::move(role), roles, default_role);
        });
        co_await remove_server_defaults(run, Kind::Roles, roles);
    }

    asio::awaitable<void> fields_then_tickets(ProjectRun& run, TargetIndex* fields,
                                              Gate& steps_placed) {
        co_await each(
            plan.children(Kind::CustomFields, source_parent(run)),
            [&](SourceObject field) { return field_task(run, std::move(field), fields); });
        co_await steps_placed.wait();
        co_await users_placed->wait();
        co_await tickets(run);
        for (const auto& name : run.fields_to_require)
            co_await placer.finish(Kind::CustomFields, run.target, name);
    }

    // Objects of one kind under one parent, each placed by `one`, in parallel.
    template <class One>
    asio::awaitable<void> each(std::vector<SourceObject> sources, One one) {
        TaskGroup group(co_await asio::this_coro::executor);
        for (auto& source : sources)
            group.spawn(one(std::move(source)));
        co_await group.wait();
    }

    // A step or non-default role: in a project this restore created, one the
    // server made on its own is adopted by name and given the source's fields.
    asio::awaitable<void> project_object(ProjectRun& run, Kind kind, SourceObject source,
                                         TargetIndex* existing) {
        Json json(source.data);
        auto what = placement(kind, source.key, natural_key(resource(kind), json.root), existing,
                              run.target, run.name);
        co_await placer.place(std::move(what),
                              writable_form(kind, json.root, ids, report, run.name),
                              run.created_here);
    }

    asio::awaitable<void> remove_server_defaults(ProjectRun& run, Kind kind,
                                                 TargetIndex* existing) {
        if (existing && run.created_here)
            co_await placer.remove_unadopted(kind, run.target, *existing, run.name);
    }

    // Fields are created optional: a ticket made before a field became
    // required may lack it. The finishing pass requires them after the tickets.
    asio::awaitable<void> field_task(ProjectRun& run, SourceObject field, TargetIndex* existing) {
        const auto& r = resource(Kind::CustomFields);
        Json json(field.data);
        bool choice = text_field(json.root, "type") == "choice";
        run.choice_fields[field.key] = choice;
        auto form = form_to_create(r, json.root, run.name);
        auto what = placement(Kind::CustomFields, field_map_key(run.source_id, field.key),
                              natural_key(r, json.root), existing, run.target, run.name);
        auto placed = co_await placer.place(std::move(what), std::move(form));
        if (!placed)
            co_return;
        bool already_required = existing && existing->finished(placed->key);
        bool modify = !options.into_source || placed->fresh;
        if (modify && finished(r, json.root) && !already_required)
            run.fields_to_require.push_back(placed->key);
        if (!choice)
            co_return;
        Context target = run.target;
        target.field_name = placed->key;
        auto values =
            co_await placer.read_unless_fresh(Kind::CustomFieldValues, placed->fresh, target);
        auto parent = within(r, source_parent(run), field.key);
        co_await each(plan.children(Kind::CustomFieldValues, parent), [&](SourceObject value) {
            return simple(Kind::CustomFieldValues, std::move(value), index_or_null(values), target,
                          run.name);
        });
    }

    // Field values: the writable fields as they are.
    asio::awaitable<void> simple(Kind kind, SourceObject source, TargetIndex* existing,
                                 Context where, std::string project) {
        Json json(source.data);
        auto form = writable_form(kind, json.root, ids, report, project);
        auto what = placement(kind, source.key, natural_key(resource(kind), json.root), existing,
                              std::move(where), project);
        co_await placer.place(std::move(what), std::move(form));
    }

    // RestoreHook::DefaultRole: the source's default role becomes the target
    // project's default role (every project has one) through PUT roles/default.
    asio::awaitable<void> role_task(ProjectRun& run, SourceObject role, TargetIndex* existing,
                                    std::optional<std::string> default_role) {
        if (default_role != role.key || options.into_source) {
            co_await project_object(run, Kind::Roles, std::move(role), existing);
            co_return;
        }
        // The id map holds the default role once its PUT went through.
        auto mapping = ids.lookup(Kind::Roles, role.key);
        if (existing && mapping.state == Mapping::State::Mapped &&
            co_await placer.still_there(Kind::Roles, run.target, mapping.target_key, *existing)) {
            report.count(Kind::Roles, Outcome::Matched, run.name);
            co_return;
        }
        Json json(role.data);
        auto form = writable_form(Kind::Roles, json.root, ids, report, run.name);
        try {
            if (auto key = co_await placer.set_default_role(run.target, std::move(form)))
                ids.map(Kind::Roles, role.key, *key);
            report.count(Kind::Roles, Outcome::Matched, run.name);
        } catch (const http::HttpError& error) {
            if (error.cls() != http::ErrorClass::Permanent)
                throw;
            placer.fail(Kind::Roles, role.key, run.name, error.what());
        }
    }

    asio::awaitable<void> tickets(ProjectRun& run) {
        auto existing = co_await placer.read_unless_fresh(Kind::Tickets, run.fresh, run.target);
        TaskGroup group(co_await asio::this_coro::executor);
        for (auto& ticket : plan.children(Kind::Tickets, source_parent(run))) {
            auto permit = co_await ticket_slots->acquire();
            group.spawn(
                ticket_task(run, std::move(ticket), index_or_null(existing), std::move(permit)));
        }
        co_await group.wait();
    }

    // A ticket is archived (its finishing PUT) only once its children exist:
    // an archived ticket may refuse new notes.
    asio::awaitable<void> ticket_task(ProjectRun& run, SourceObject ticket, TargetIndex* existing,
                                      http::AsyncSemaphore::Permit) {
        const auto& r = resource(Kind::Tickets);
        Json json(ticket.data);
        if (ids.ticket_done(ticket.key) && existing) {
            auto mapping = ids.lookup(Kind::Tickets, ticket.key);
            if (mapping.state == Mapping::State::Mapped &&
                co_await placer.still_there(Kind::Tickets, run.target, mapping.target_key,
                                            *existing)) {
                report.count(Kind::Tickets, Outcome::Matched, run.name);
                co_return;
            }
        }
        auto form =
            join_forms(writable_form(Kind::Tickets, json.root, ids, report, run.name),
                       ticket_field_values(json.root, run.source_id, run.choice_fields, ids));
        auto what = placement(Kind::Tickets, ticket.key, natural_key(r, json.root), existing,
                              run.target, run.name);
        auto placed = co_await placer.place(std::move(what), std::move(form));
        if (!placed)
            co_return;
        auto failures = report.problems.size();
        co_await children_of(run, Kind::Tickets, within(r, source_parent(run), ticket.key),
                             within(r, run.target, placed->key), placed->fresh);
        bool modify = !options.into_source || placed->fresh;
        bool already_archived = existing && existing->finished(placed->key);
        if (modify && !already_archived && finished(r, json.root))
            co_await placer.finish(Kind::Tickets, run.target, placed->key);
        if (report.problems.size() == failures)
            ids.mark_ticket_done(ticket.key);
    }

    // The objects the table puts under one placed object (`source` and `target`: its
    // contexts), each resource side by side against one listing of the target parent.
    asio::awaitable<void> children_of(ProjectRun& run, Kind parent, Context source, Context target,
                                      bool fresh) {
        auto kinds = children(parent);
        std::vector<std::optional<TargetIndex>> listed(kinds.size());
        {
            TaskGroup listings(co_await asio::this_coro::executor);
            for (std::size_t i = 0; i < kinds.size(); ++i)
                listings.spawn(read_into(listed[i], kinds[i]->kind, fresh, target));
            co_await listings.wait();
        }
        TaskGroup group(co_await asio::this_coro::executor);
        for (std::size_t i = 0; i < kinds.size(); ++i)
            group.spawn(place_children(run, *kinds[i], source, target, index_or_null(listed[i])));
        co_await group.wait();
    }

    asio::awaitable<void> place_children(ProjectRun& run, const Resource& r, Context source,
                                         Context target, TargetIndex* existing) {
        auto objects = plan.children(r.kind, source);
        if (r.restore.hook == RestoreHook::NoteThreads) {
            auto thread = thread_of(std::move(objects));
            TaskGroup group(co_await asio::this_coro::executor);
            for (auto root : thread.roots)
                group.spawn(note_task(run, thread, root, existing, source, target));
            co_await group.wait();
            co_return;
        }
        co_await each(std::move(objects), [&](SourceObject object) {
            if (r.restore.hook == RestoreHook::FileBodies)
                return file_task(run, std::move(object), existing, target);
            return object_task(run, r, std::move(object), existing, source, target);
        });
    }

    // The writable fields but the finishing flag, which is set once the children exist.
    std::string form_to_create(const Resource& r, dom::element object, const std::string& project) {
        auto form = writable_form(r.kind, object, ids, report, project);
        if (r.restore.finishing_flag.empty())
            return form;
        return form_without(
            form, std::string(r.envelope) + "[" + std::string(r.restore.finishing_flag) + "]");
    }

    // An object no hook names: created from its writable fields, then its children, then its
    // finishing PUT (a done task).
    asio::awaitable<void> object_task(ProjectRun& run, const Resource& r, SourceObject object,
                                      TargetIndex* existing, Context source, Context target) {
        Json json(object.data);
        auto what =
            placement(r.kind, object.key, natural_key(r, json.root), existing, target, run.name);
        auto placed =
            co_await placer.place(std::move(what), form_to_create(r, json.root, run.name));
        if (!placed)
            co_return;
        if (!children(r.kind).empty())
            co_await children_of(run, r.kind, within(r, source, object.key),
                                 within(r, target, placed->key), placed->fresh);
        bool modify = !options.into_source || placed->fresh;
        bool already_finished = existing && existing->finished(placed->key);
        if (modify && !already_finished && finished(r, json.root))
            co_await placer.finish(r.kind, target, placed->key);
    }

    // RestoreHook::NoteThreads: a note, then its children and its replies side
    // by side, each reply under its parent's new id.
    asio::awaitable<void> note_task(ProjectRun& run, Thread& thread, std::size_t i,
                                    TargetIndex* existing, Context source, Context target) {
        const auto& r = resource(Kind::Notes);
        const auto& note = thread.notes[i];
        auto object = thread.parsed[i].root;
        auto form = writable_form(Kind::Notes, object, ids, report, run.name);
        KeyOverrides sent;
        if (options.annotate_authors) {
            auto owner = wire::field(object, "owner_id");
            auto owner_id = owner ? wire::as_id(*owner) : std::nullopt;
            auto text = verify::annotate_author(owner_id ? plan.author(*owner_id) : "unknown",
                                                text_field(object, "insert_time"),
                                                text_field(object, "text"));
            wire::FormBuilder annotated;
            annotated.add({"note", "text"}, text);
            form = join_forms(form_without(form, "note[text]"), annotated.str());
            sent.emplace_back("text", std::move(text));
        }
        auto what = placement(Kind::Notes, note.key, natural_key(r, object, sent), existing, target,
                              run.name);
        auto placed = co_await placer.place(std::move(what), std::move(form));
        TaskGroup group(co_await asio::this_coro::executor);
        if (placed)
            group.spawn(children_of(run, Kind::Notes, within(r, source, note.key),
                                    within(r, target, placed->key), placed->fresh));
        // A reply whose parent was not placed is still restored, its
        // parent_id dropped and reported.
        for (auto reply : thread.replies[note.key])
            group.spawn(note_task(run, thread, reply, existing, source, target));
        co_await group.wait();
    }

    // RestoreHook::FileBodies: the stored body, checked against its sha256
    // before it is sent; known by its name and stored size.
    asio::awaitable<void> file_task(ProjectRun& run, SourceObject file, TargetIndex* existing,
                                    Context target) {
        Json json(file.data);
        auto name = text_field(json.root, "name");
        KeyOverrides stored{{"size", std::to_string(file.size.value_or(-1))}};
        auto what =
            placement(Kind::Files, file.key, natural_key(resource(Kind::Files), json.root, stored),
                      existing, target, run.name);
        if (co_await placer.existing_object(what))
            co_return;
        if (!file.sha256) {
            placer.skip(Kind::Files, file.key, run.name,
                        "its body '" + name + "' was never downloaded");
            co_return;
        }
        Write write;
        write.kind = Kind::Files;
        write.file_body = read_blob(blobs, *file.sha256);
        if (!write.file_body) {
            placer.skip(Kind::Files, file.key, run.name,
                        "the stored body of '" + name + "' is missing or damaged");
            co_return;
        }
        write.path = list_path(resource(Kind::Notes), target) + "/" +
                     std::to_string(target.note_id) + "/filesv2";
        write.file_name = name;
        write.content_type = text_field(json.root, "content_type");
        if (write.content_type.empty())
            write.content_type = "application/octet-stream";
        co_await placer.create(what, std::move(write));
    }
};

Replayer::Replayer(http::ApiClient& reader, Writer& writer, PlanReader& plan, IdMap& ids,
                   store::BlobStore& blobs, UserPasswords& passwords, ReplayOptions options,
                   Report& report)
    : state_(new State{Placer(reader, writer, ids, report, options.into_source),
                       plan,
                       ids,
                       blobs,
                       passwords,
                       options,
                       report,
                       {},
                       std::nullopt}) {}

Replayer::~Replayer() = default;

asio::awaitable<void> Replayer::run() {
    auto& s = *state_;
    auto executor = co_await asio::this_coro::executor;
    s.ticket_slots = http::AsyncSemaphore::create(executor, s.options.tickets_in_flight);
    s.users_placed.emplace(executor);
    TaskGroup group(executor);
    group.spawn(s.users());
    group.spawn(s.projects());
    co_await group.wait();
    s.report.passwords = s.passwords.generated();
}

}  // namespace smartq::sync::restore
