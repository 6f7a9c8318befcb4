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
#include "sync/restore/kind_gates.hpp"
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
    // Finishing PUTs of the project's own objects, sent once its level is placed (a field
    // required in the source is created optional: a ticket made before it became required
    // may lack it).
    std::vector<std::pair<Kind, std::string>> deferred_finishes;
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
    // The account's own kinds: what a project's objects wait for at this level (a ticket's
    // assignees) is placed alongside the projects.
    std::optional<KindGates> account;

    // The account's own resources, each placed against one listing of the target, in the
    // order their references give (KindGates).
    asio::awaitable<void> account_level() {
        TaskGroup group(co_await asio::this_coro::executor);
        for (const auto* r : account->kinds())
            group.spawn(account->in_order(r->kind, place_all(*r)));
        co_await group.wait();
    }

    asio::awaitable<void> place_all(const Resource& r) {
        Context account_context;  // g++ 12: no braced aggregate into a coroutine
        auto existing = co_await placer.read(r.kind, account_context);
        co_await each(plan.of_account(r.kind), [&](SourceObject source) {
            if (r.restore.hook == RestoreHook::NewUserPassword)
                return user_task(std::move(source), existing);
            return account_object(r, std::move(source), existing);
        });
    }

    // RestoreHook::NewUserPassword: a user the target lacks is created with a password.
    asio::awaitable<void> user_task(SourceObject user, TargetIndex& existing) {
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
        Context account_context;
        bool known =
            mapping.state == Mapping::State::Mapped &&
            co_await placer.still_there(Kind::Users, account_context, mapping.target_key, existing);
        if (known || existing.has_natural(email))
            co_return std::string{};
        co_return passwords.password_for(email);
    }

    // An account object the table puts others below (a project): placed, then its level.
    asio::awaitable<void> account_object(const Resource& r, SourceObject source,
                                         TargetIndex& existing) {
        Json json(source.data);
        ProjectRun run;
        run.source_id = std::stoll(source.key);
        run.name = text_field(json.root, "name");
        auto form = writable_form(r.kind, json.root, ids, report, {});
        auto what =
            placement(r.kind, source.key, natural_key(r, json.root), &existing, {}, run.name);
        auto placed = co_await placer.place(std::move(what), std::move(form));
        if (!placed)
            co_return;
        run.fresh = placed->fresh;
        run.created_here = !options.into_source && ids.project_created(source.key);
        run.target.project_id = std::stoll(placed->key);
        co_await project_level(r, run);
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

    // A project's own resources, each against one listing of the target, in the order their
    // references and RestoreFacts::after give; the finishing PUTs deferred by project_object
    // once all are placed.
    asio::awaitable<void> project_level(const Resource& project, ProjectRun& run) {
        auto executor = co_await asio::this_coro::executor;
        KindGates gates(executor, project.kind, &*account);
        const auto& kinds = gates.kinds();
        // A project is read back right after its creation: a server may give a new project
        // steps and roles of its own (RestoreFacts::server_made).
        bool bare = run.fresh && !run.created_here;
        std::vector<std::optional<TargetIndex>> listed(kinds.size());
        {
            TaskGroup listings(executor);
            for (std::size_t i = 0; i < kinds.size(); ++i)
                listings.spawn(read_into(listed[i], kinds[i]->kind,
                                         kinds[i]->restore.server_made ? bare : run.fresh,
                                         run.target));
            co_await listings.wait();
        }
        {
            TaskGroup group(executor);
            for (std::size_t i = 0; i < kinds.size(); ++i)
                group.spawn(gates.in_order(kinds[i]->kind,
                                           project_kind(run, *kinds[i], index_or_null(listed[i]))));
            co_await group.wait();
        }
        for (const auto& [kind, key] : run.deferred_finishes)
            co_await placer.finish(kind, run.target, key);
    }

    asio::awaitable<void> project_kind(ProjectRun& run, const Resource& r, TargetIndex* existing) {
        auto objects = plan.children(r.kind, source_parent(run));
        switch (r.restore.hook) {
            case RestoreHook::TicketCustomFields:
                co_await tickets(run, std::move(objects), existing);
                break;
            case RestoreHook::DefaultRole: {
                auto default_role = plan.default_role(run.source_id);
                co_await each(std::move(objects), [&](SourceObject role) {
                    return role_task(run, std::move(role), existing, default_role);
                });
                break;
            }
            default:
                co_await each(std::move(objects), [&](SourceObject object) {
                    return project_object(run, r, std::move(object), existing);
                });
        }
        if (r.restore.server_made && existing && run.created_here)
            co_await placer.remove_unadopted(r.kind, run.target, *existing, run.name);
    }

    // Objects of one kind under one parent, each placed by `one`, in parallel.
    template <class One>
    asio::awaitable<void> each(std::vector<SourceObject> sources, One one) {
        TaskGroup group(co_await asio::this_coro::executor);
        for (auto& source : sources)
            group.spawn(one(std::move(source)));
        co_await group.wait();
    }

    // An object of a project's own resource no hook names (a step, a field): placed from its
    // writable fields, then the objects below it. Its finishing PUT waits until the whole level
    // is placed: a required field refuses the tickets that lack it.
    asio::awaitable<void> project_object(ProjectRun& run, const Resource& r, SourceObject source,
                                         TargetIndex* existing) {
        Json json(source.data);
        auto what = placement(r.kind, map_key(r, run, source.key), natural_key(r, json.root),
                              existing, run.target, run.name);
        auto placed = co_await placer.place(std::move(what), form_to_create(r, json.root, run.name),
                                            r.restore.server_made && run.created_here);
        if (!placed)
            co_return;
        if (!children(r.kind).empty())
            co_await children_of(run, r, json.root, within(r, source_parent(run), source.key),
                                 within(r, run.target, placed->key), placed->fresh);
        if (to_finish(r, json.root, existing, *placed))
            run.deferred_finishes.emplace_back(r.kind, placed->key);
    }

    // The id map's key of a source object: its id, or for one known by a name (a custom
    // field), that name within its project, the only place the name is unique.
    static std::string map_key(const Resource& r, const ProjectRun& run, const std::string& key) {
        if (r.columns[r.key_columns - 1].convert == Convert::Id)
            return key;
        return field_map_key(run.source_id, key);
    }

    // Whether the placed object is to get its finishing PUT: the source's is set, the
    // target's not yet, and the target is one a restore may modify.
    bool to_finish(const Resource& r, dom::element source, const TargetIndex* existing,
                   const Placed& placed) const {
        bool modify = !options.into_source || placed.fresh;
        bool already_finished = existing && existing->finished(placed.key);
        return modify && !already_finished && finished(r, source);
    }

    // RestoreHook::DefaultRole: the source's default role becomes the target
    // project's default role (every project has one) through PUT roles/default.
    asio::awaitable<void> role_task(ProjectRun& run, SourceObject role, TargetIndex* existing,
                                    std::optional<std::string> default_role) {
        if (default_role != role.key || options.into_source) {
            co_await project_object(run, resource(Kind::Roles), std::move(role), existing);
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

    // RestoreHook::TicketCustomFields: a ticket's values go under the target's field names
    // and value ids, which need to know its project's choice fields. Tickets are placed in
    // parallel, as many at a time as the ticket slots allow.
    asio::awaitable<void> tickets(ProjectRun& run, std::vector<SourceObject> objects,
                                  TargetIndex* existing) {
        const auto& values = resource(Kind::CustomFieldValues);
        for (const auto& field : plan.children(*values.parent, source_parent(run))) {
            Json json(field.data);
            run.choice_fields[field.key] = listed_under(values, json.root);
        }
        TaskGroup group(co_await asio::this_coro::executor);
        for (auto& ticket : objects) {
            auto permit = co_await ticket_slots->acquire();
            group.spawn(ticket_task(run, std::move(ticket), existing, std::move(permit)));
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
        co_await children_of(run, r, json.root, within(r, source_parent(run), ticket.key),
                             within(r, run.target, placed->key), placed->fresh);
        if (to_finish(r, json.root, existing, *placed))
            co_await placer.finish(Kind::Tickets, run.target, placed->key);
        if (report.problems.size() == failures)
            ids.mark_ticket_done(ticket.key);
    }

    // The objects the table puts under one placed object (`source` and `target`: its
    // contexts), each resource it can hold (listed_under) side by side against one listing
    // of the target parent.
    asio::awaitable<void> children_of(ProjectRun& run, const Resource& parent,
                                      dom::element parent_object, Context source, Context target,
                                      bool fresh) {
        auto kinds = children(parent.kind);
        std::erase_if(kinds,
                      [&](const Resource* child) { return !listed_under(*child, parent_object); });
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
            co_await children_of(run, r, json.root, within(r, source, object.key),
                                 within(r, target, placed->key), placed->fresh);
        if (to_finish(r, json.root, existing, *placed))
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
            group.spawn(children_of(run, r, object, within(r, source, note.key),
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
    s.account.emplace(executor, std::nullopt);
    co_await s.account_level();
    s.report.passwords = s.passwords.generated();
}

}  // namespace smartq::sync::restore
