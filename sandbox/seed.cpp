#include "seed.hpp"

#include <array>
#include <random>
#include <string>

namespace smartq::sandbox {

namespace {

using namespace std::chrono_literals;

struct Shape {
    int projects, users, tickets, files;
};

Shape shape_of(Size size) {
    switch (size) {
        case Size::Empty:
            return {0, 0, 0, 0};
        case Size::Tiny:
            return {3, 5, 30, 12};
        case Size::Small:
            return {5, 12, 500, 60};
        case Size::Medium:
            return {10, 30, 20000, 1500};
        case Size::Large:
            return {20, 50, 100000, 5000};
    }
    return {0, 0, 0, 0};
}

// Texts a client must store byte for byte: CJK, emoji, RTL, combining marks, HTML.
constexpr std::array kTitles{
    "Fix login",
    "Übersicht für Q3",
    "修复登录错误",
    "🚀 Launch checklist",
    "שלום עולם: right-to-left",
    "Cafe\u0301 menu (combining accent)",
    "<b>Bold</b> & \"quoted\" title",
    "Invoice #42 — overdue",
    "Ünïcödé ☃ snowman",
    "Line\nbreak in a title",
};

constexpr std::array kNoteTexts{
    "Looks good to me.",
    "<p>See <a href=\"https://example.com/spec?a=1&b=2\">the spec</a>.</p>",
    "<ul><li>first</li><li>second</li></ul>",
    "日本語のメモ：確認しました。",
    "👍🏽 done — thanks!",
    "مرحبا، تم الإصلاح",
    "<script>alert('not executed')</script>",
    "",
    "Tab\tseparated\tvalues and trailing spaces   ",
    "Z\u0351\u0362a\u0335l\u0327g\u0358o combining marks",
};

constexpr std::array kTags{"", "bug", "bug,ui", "feature", "urgent,customer", "тег,标签"};

constexpr std::array kStepNames{"Backlog", "In progress", "Review", "Done", "Blocked"};

constexpr std::array kProjectNames{"Alpha", "Beta", "Gamma", "Delta", "Epsilon",
                                   "Zeta",  "Eta",  "Theta", "Iota",  "Kappa"};

// Names users really upload: never usable as paths.
std::string file_name(std::size_t k, Id id) {
    static const std::array hostile{
        std::string("../../etc/passwd"),
        std::string("dir/sub/report.pdf"),
        std::string("C:\\Windows\\evil.exe"),
        std::string("CON"),
        std::string(300, 'x') + ".txt",
        std::string("bell\x07"
                    "and\x1b"
                    "escape.txt"),
        std::string("résumé 履歴書 📎.docx"),
        std::string(" leading and trailing spaces "),
        std::string("photo.png"),
        std::string("noextension"),
    };
    // The first files get every hostile name, so even tiny has them all.
    if (k < hostile.size() || k % 3 == 0)
        return hostile[k % hostile.size()];
    return "attachment-" + std::to_string(id) + (k % 3 == 1 ? ".jpg" : ".txt");
}

std::string content_type_of(const std::string& name) {
    auto ends = [&](std::string_view ext) { return name.ends_with(ext); };
    if (ends(".png"))
        return "image/png";
    if (ends(".jpg"))
        return "image/jpeg";
    if (ends(".txt"))
        return "text/plain";
    if (ends(".pdf"))
        return "application/pdf";
    return "application/octet-stream";
}

class Seeder {
  public:
    Seeder(Model& model, Size size, const AdminUser& admin)
        : m_(model), shape_(shape_of(size)), admin_(admin), rng_(model.seed) {}

    void run() {
        add_users();
        for (int p = 0; p < shape_.projects; ++p)
            add_project(p);
        for (int t = 0; t < shape_.tickets; ++t)
            add_ticket(t);
        add_files();
    }

  private:
    std::uint64_t pick(std::uint64_t n) { return n ? rng_() % n : 0; }
    bool chance(int percent) { return pick(100) < static_cast<std::uint64_t>(percent); }
    Time clock_at(std::int64_t seconds) const { return base_ + std::chrono::seconds(seconds); }

    void add_users() {
        User root;
        root.name = "Administrator";
        root.email = admin_.login;
        root.password = admin_.password;
        root.is_account_administrator = root.can_manage_projects = root.can_view_profiles =
            root.can_manage_profiles = true;
        m_.users.insert(std::move(root));
        for (int u = 1; u < shape_.users; ++u) {
            User user;
            user.name =
                u % 4 == 0 ? "Zoë Ångström " + std::to_string(u) : "User " + std::to_string(u);
            user.email = "user" + std::to_string(u) + "@example.com";
            user.password = "password" + std::to_string(u);
            user.can_manage_projects = chance(40);
            user.can_view_profiles = chance(70);
            user.can_manage_profiles = chance(20);
            user.company = u % 3 ? "Example Corp" : "";
            user.title = u % 2 ? "Engineer" : "";
            user.address = u % 5 == 0 ? "1 Rue de l'Église, Zürich" : "";
            user.work_phone = u % 2 ? "+1 555 010" + std::to_string(u % 10) : "";
            user.comments = u % 7 == 0 ? "<i>part-time</i>" : "";
            m_.users.insert(std::move(user));
        }
    }

    void add_project(int p) {
        Project project;
        project.name = std::string(kProjectNames[p % kProjectNames.size()]) +
                       (p >= static_cast<int>(kProjectNames.size()) ? " " + std::to_string(p) : "");
        project.description = p % 2 ? "Project <em>" + project.name + "</em> — описание" : "";
        project.owner_id = 1;
        project.active = p % 3 != 2;  // every third project is closed
        Project& created = m_.projects.insert(std::move(project));
        add_roles(created);
        const int steps = 3 + static_cast<int>(pick(3));
        for (int s = 0; s < steps; ++s) {
            Step step;
            step.project_id = created.id;
            step.name = kStepNames[s];
            step.description = s == 0 ? "Everything not started" : "";
            step.limit = s == 1 ? 10 : 0;
            step.pos = s;
            created.steps.push_back(m_.steps.insert(std::move(step)).id);
        }
        add_fields(created);
    }

    void add_roles(Project& project) {
        const std::array<const char*, 3> names{"Default", "Manager", "Guest"};
        for (int r = 0; r < 3; ++r) {
            Role role;
            role.project_id = project.id;
            role.name = names[r];
            role.access_level = r == 1 ? 5 : r == 2 ? 0 : 2;
            role.can_edit_project = r == 1;
            role.can_manage_people_notes = r == 1;
            role.can_see_private_notes = r != 2;
            project.roles.push_back(m_.roles.insert(std::move(role)).id);
        }
        project.default_role_id = project.roles.front();
    }

    void add_fields(Project& project) {
        auto add = [&](FieldType type, ChoiceType choice, const char* label) -> CustomField& {
            CustomField field;
            field.project_id = project.id;
            field.type = type;
            field.choice_type = choice;
            field.label = label;
            field.hint = type == FieldType::Text ? "Free text, <b>HTML</b> allowed" : "";
            field.required = type == FieldType::String;
            field.pos_type = type == FieldType::Text ? "double" : "single";
            if (type == FieldType::Float) {
                field.min = 0;
                field.max = 1000;
            }
            CustomField& created = m_.fields.insert(std::move(field));
            project.fields.push_back(created.id);
            return created;
        };
        add(FieldType::Float, ChoiceType::None, "Estimate (h)");
        add(FieldType::String, ChoiceType::None, "Customer");
        add(FieldType::Text, ChoiceType::None, "Notes");
        const std::array<std::pair<ChoiceType, const char*>, 3> choices{
            {{ChoiceType::Checkbox, "Platforms"},
             {ChoiceType::Radio, "Priority"},
             {ChoiceType::Select, "Component"}}};
        for (const auto& [choice, label] : choices) {
            CustomField& field = add(FieldType::Choice, choice, label);
            const std::array<const char*, 4> titles{"Low / Linux", "Medium / macOS",
                                                    "High / Windows", "Critique — ✓"};
            for (int v = 0; v < 4; ++v) {
                FieldValue value;
                value.field_id = field.id;
                value.title = titles[v];
                value.is_default = v == 0;
                value.pos = v;
                field.values.push_back(m_.values.insert(std::move(value)).id);
            }
        }
    }

    FieldData field_value(const CustomField& field, int t) {
        switch (field.type) {
            case FieldType::Float:
                return static_cast<double>(pick(4000)) / 4;
            case FieldType::String:
                return t % 11 == 0 ? std::string() : "Customer " + std::to_string(t % 97);
            case FieldType::Text:
                return std::string(kNoteTexts[t % kNoteTexts.size()]);
            case FieldType::Choice:
                break;
        }
        std::vector<Id> ids;
        for (Id v : field.values)
            if (chance(field.choice_type == ChoiceType::Checkbox ? 40 : 0))
                ids.push_back(v);
        if (field.choice_type != ChoiceType::Checkbox)
            ids.push_back(field.values[pick(field.values.size())]);
        return ids;
    }

    void add_ticket(int t) {
        // Project sizes are skewed, as in real accounts: the first project is the busiest.
        Project& project =
            *m_.projects.find(1001 + static_cast<Id>(chance(40) ? 0 : pick(shape_.projects)));
        Ticket ticket;
        ticket.project_id = project.id;
        ticket.step_id = project.steps[pick(project.steps.size())];
        ticket.owner_id = 1 + static_cast<Id>(pick(shape_.users));
        ticket.name = std::string(kTitles[t % kTitles.size()]) + " " + std::to_string(t + 1);
        ticket.description = t % 4 == 0 ? "" : std::string(kNoteTexts[(t / 4) % kNoteTexts.size()]);
        ticket.tags = kTags[t % kTags.size()];
        ticket.archived = chance(20);
        ticket.pos = static_cast<int>(project.tickets.size());
        ticket.insert_time = clock_at(t * 300LL);
        ticket.move_time = ticket.insert_time + std::chrono::seconds(pick(86400));
        ticket.update_time = ticket.move_time + std::chrono::seconds(pick(30 * 86400));
        if (chance(50))
            ticket.deadline = ticket.insert_time + std::chrono::days(1 + pick(60));
        for (int a = static_cast<int>(pick(4)); a > 0; --a) {
            const Id user = 1 + static_cast<Id>(pick(shape_.users));
            if (std::find(ticket.assigned_to.begin(), ticket.assigned_to.end(), user) ==
                ticket.assigned_to.end())
                ticket.assigned_to.push_back(user);
        }
        for (Id f : project.fields) {
            const CustomField& field = *m_.fields.find(f);
            if (chance(60))
                ticket.fields.push_back({f, field_value(field, t)});
        }
        Ticket& created = m_.tickets.insert(std::move(ticket));
        project.tickets.push_back(created.id);
        add_notes(created, t);
        for (int k = static_cast<int>(pick(5)); k > 0; --k) {
            Task task;
            task.ticket_id = created.id;
            task.text =
                k % 3 ? "Check item " + std::to_string(k) : "Vérifier ✓ " + std::to_string(k);
            task.done = chance(50);
            created.tasks.push_back(m_.tasks.insert(std::move(task)).id);
        }
    }

    void add_notes(Ticket& ticket, int t) {
        Time at = ticket.insert_time;
        for (int k = static_cast<int>(pick(7)); k > 0; --k) {
            Note note;
            note.ticket_id = ticket.id;
            if (!ticket.notes.empty() && chance(30))
                note.parent_id = ticket.notes[pick(ticket.notes.size())];
            note.text = kNoteTexts[(t + k) % kNoteTexts.size()];
            note.is_private = chance(15);
            note.owner_id = 1 + static_cast<Id>(pick(shape_.users));
            at += std::chrono::seconds(1 + pick(3600));
            note.insert_time = at;
            note.update_time = chance(10) ? at + std::chrono::seconds(pick(7200)) : at;
            ticket.update_time = std::max(ticket.update_time, note.update_time);
            ticket.notes.push_back(m_.notes.insert(std::move(note)).id);
        }
    }

    // Attachments go on random notes; bodies are generated on demand, never stored.
    void add_files() {
        if (m_.notes.size() == 0)
            return;
        const Id first_note = 1000001, end_note = m_.notes.next_id();
        for (int k = 0; k < shape_.files; ++k) {
            Note* note = m_.notes.find(first_note + static_cast<Id>(pick(end_note - first_note)));
            File file;
            file.id = m_.files.next_id();
            file.note_id = note->id;
            file.ticket_id = note->ticket_id;
            file.owner_id = note->owner_id;
            file.name = file_name(static_cast<std::size_t>(k), file.id);
            file.content_type = content_type_of(file.name);
            // The first file is empty, the second several MB; then mostly small ones.
            file.size = k == 0      ? 0
                        : k == 1    ? 3 * 1024 * 1024 + 17
                        : chance(1) ? 1024 * 1024 + pick(4 * 1024 * 1024)
                                    : pick(64 * 1024);
            file.insert_time = note->insert_time;
            note->files.push_back(m_.files.insert(std::move(file)).id);
        }
    }

    Model& m_;
    Shape shape_;
    const AdminUser& admin_;
    std::mt19937_64 rng_;
    const Time base_ = wire::parse_time("2024-01-01 00:00:00").value();
};

}  // namespace

void seed_account(Model& model, Size size, const AdminUser& admin) {
    Seeder(model, size, admin).run();
}

}  // namespace smartq::sandbox
