// Account::mutate: deterministic random changes, each sent through handle()
// so that it keeps exactly the invariants an API write keeps.
#include <random>

#include "account.hpp"
#include "model.hpp"
#include "sync/wire/json_writer.hpp"

namespace smartq::sandbox {

namespace {

struct Change {
    const char* kind;
    const char* resource;
    Id id = 0;
    std::optional<Id> project_id, ticket_id;
};

class Mutator {
  public:
    Mutator(Account& account, Model& model, std::uint64_t seed, bool silent)
        : account_(account), m_(model), rng_(seed), silent_(silent) {}

    // One change of a random kind; nullopt when the account has nothing to change of that kind.
    std::optional<Change> one() {
        switch (pick(13)) {
            case 0:
                return update_ticket();
            case 1:
                return create_ticket();
            case 2:
                return archive_ticket();
            case 3:
                return delete_ticket();
            case 4:
                return create_note();
            case 5:
                return edit_note();
            case 6:
                return delete_note();
            case 7:
                return toggle_task();
            case 8:
                return create_file();
            case 9:
                return create_project();
            case 10:
                return delete_project();
            case 11:
                return edit_user();
            default:
                return edit_step();
        }
    }

  private:
    std::uint64_t pick(std::uint64_t n) { return n ? rng_() % n : 0; }

    // A random live row: probes random ids, so it costs nothing on a large account.
    template <class Row>
    Row* any(Table<Row>& table) {
        if (table.size() == 0)
            return nullptr;
        const auto span = static_cast<std::uint64_t>(table.next_id() - table.first_id());
        for (int attempt = 0; attempt < 256; ++attempt)
            if (Row* row = table.find(table.first_id() + static_cast<Id>(pick(span))))
                return row;
        return nullptr;
    }

    std::string word() { return "mutated-" + std::to_string(pick(1000000)); }

    ApiResponse send(const char* method, std::vector<std::string> path,
                     std::vector<std::pair<std::string, std::string>> form = {},
                     std::optional<Upload> upload = std::nullopt) {
        ApiRequest request;
        request.method = method;
        request.path = std::move(path);
        request.form = std::move(form);
        request.upload = std::move(upload);
        request.user_id = 1;
        ApiResponse response = account_.handle(request);
        if (response.status != 200)
            throw std::logic_error("mutate: the model refused its own change: " + response.body);
        return response;
    }

    static std::string s(Id id) { return std::to_string(id); }
    std::vector<std::string> ticket_path(const Ticket& t) {
        return {"projects", s(t.project_id), "tickets", s(t.id)};
    }

    std::optional<Change> update_ticket() {
        Ticket* t = any(m_.tickets);
        if (!t)
            return std::nullopt;
        send("PUT", ticket_path(*t),
             {{"ticket[name]", "Renamed " + word()}, {"ticket[tags]", "mutated"}});
        return Change{"updated", "ticket", t->id, t->project_id, t->id};
    }

    std::optional<Change> create_ticket() {
        Project* p = any(m_.projects);
        if (!p || p->steps.empty())
            return std::nullopt;
        const Id step = p->steps[pick(p->steps.size())];
        send("POST", {"projects", s(p->id), "tickets"},
             {{"ticket[name]", "New " + word()}, {"ticket[step_id]", s(step)}});
        const Id id = p->tickets.back();
        return Change{"created", "ticket", id, p->id, id};
    }

    std::optional<Change> archive_ticket() {
        Ticket* t = any(m_.tickets);
        if (!t)
            return std::nullopt;
        send("PUT", ticket_path(*t), {{"ticket[archived]", t->archived ? "0" : "1"}});
        return Change{t->archived ? "archived" : "unarchived", "ticket", t->id, t->project_id,
                      t->id};
    }

    std::optional<Change> delete_ticket() {
        Ticket* t = any(m_.tickets);
        if (!t)
            return std::nullopt;
        Change change{"deleted", "ticket", t->id, t->project_id, t->id};
        send("DELETE", ticket_path(*t));
        return change;
    }

    std::optional<Change> create_note() {
        Ticket* t = any(m_.tickets);
        if (!t)
            return std::nullopt;
        auto path = ticket_path(*t);
        path.push_back("notes");
        std::vector<std::pair<std::string, std::string>> form{
            {"note[text]", "<p>" + word() + "</p>"}};
        if (!t->notes.empty() && pick(2))
            form.emplace_back("note[parent_id]", s(t->notes.front()));
        send("POST", path, form);
        return Change{"created", "note", t->notes.back(), t->project_id, t->id};
    }

    std::optional<Change> edit_note() {
        Note* n = any(m_.notes);
        if (!n)
            return std::nullopt;
        Ticket& t = *m_.tickets.find(n->ticket_id);
        const Time before = t.update_time;
        auto path = ticket_path(t);
        path.insert(path.end(), {"notes", s(n->id)});
        send("PUT", path, {{"note[text]", "Edited " + word()}});
        // A silent edit is what deep sweeps exist for: the ticket does not show it.
        const bool hidden = silent_ && pick(2);
        if (hidden)
            t.update_time = before;
        return Change{hidden ? "edited_silently" : "edited", "note", n->id, t.project_id, t.id};
    }

    std::optional<Change> delete_note() {
        Note* n = any(m_.notes);
        if (!n)
            return std::nullopt;
        const Ticket& t = *m_.tickets.find(n->ticket_id);
        Change change{"deleted", "note", n->id, t.project_id, t.id};
        auto path = ticket_path(t);
        path.insert(path.end(), {"notes", s(n->id)});
        send("DELETE", path);
        return change;
    }

    std::optional<Change> toggle_task() {
        Task* task = any(m_.tasks);
        if (!task)
            return std::nullopt;
        const Ticket& t = *m_.tickets.find(task->ticket_id);
        auto path = ticket_path(t);
        path.insert(path.end(), {"tasks", s(task->id)});
        send("PUT", path, {{"task[done]", task->done ? "0" : "1"}});
        return Change{"toggled", "task", task->id, t.project_id, t.id};
    }

    std::optional<Change> create_file() {
        Note* n = any(m_.notes);
        if (!n)
            return std::nullopt;
        const Ticket& t = *m_.tickets.find(n->ticket_id);
        auto path = ticket_path(t);
        path.insert(path.end(), {"notes", s(n->id), "filesv2"});
        Upload upload{word() + ".txt", "text/plain", std::string(pick(4096), 'm') + word()};
        send("POST", path, {}, upload);
        return Change{"created", "file", n->files.back(), t.project_id, t.id};
    }

    std::optional<Change> create_project() {
        send("POST", {"projects"}, {{"project[name]", "Project " + word()}});
        const Id id = m_.projects.next_id() - 1;
        send("POST", {"projects", s(id), "steps"}, {{"step[name]", "Backlog"}});
        return Change{"created", "project", id, id, std::nullopt};
    }

    std::optional<Change> delete_project() {
        // Keep a project or two: the other kinds need somewhere to happen.
        if (m_.projects.size() < 3)
            return std::nullopt;
        Project* p = any(m_.projects);
        if (!p)
            return std::nullopt;
        Change change{"deleted", "project", p->id, p->id, std::nullopt};
        send("DELETE", {"projects", s(p->id)});
        return change;
    }

    std::optional<Change> edit_user() {
        User* u = any(m_.users);
        if (!u)
            return std::nullopt;
        send("PUT", {"users", s(u->id)}, {{"user[title]", "Title " + word()}});
        return Change{"edited", "user", u->id, std::nullopt, std::nullopt};
    }

    std::optional<Change> edit_step() {
        Step* step = any(m_.steps);
        if (!step)
            return std::nullopt;
        send("PUT", {"projects", s(step->project_id), "steps", s(step->id)},
             {{"step[description]", "Described " + word()}});
        return Change{"edited", "step", step->id, step->project_id, std::nullopt};
    }

    Account& account_;
    Model& m_;
    std::mt19937_64 rng_;
    bool silent_;
};

void write_change(wire::JsonWriter& w, const Change& c) {
    w.begin_object();
    w.key("kind").value(c.kind).key("resource").value(c.resource).key("id").value(c.id);
    w.key("project_id");
    c.project_id ? w.value(*c.project_id) : w.null();
    w.key("ticket_id");
    c.ticket_id ? w.value(*c.ticket_id) : w.null();
    w.end_object();
}

}  // namespace

std::string Account::mutate(std::uint64_t seed, int count, bool silent) {
    Mutator mutator(*this, *model_, seed, silent);
    std::string out;
    wire::JsonWriter w(out);
    w.begin_object().key("changes").begin_array();
    // Kinds with nothing to act on are re-drawn; a bounded number of draws
    // keeps an empty account from looping forever.
    for (int done = 0, draws = 0; done < count && draws < count * 20; ++draws) {
        if (auto change = mutator.one()) {
            write_change(w, *change);
            ++done;
        }
    }
    w.end_array().end_object();
    return out;
}

}  // namespace smartq::sandbox
