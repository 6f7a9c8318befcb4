// Account::dump: the whole account as canonical JSON, for restore drills.
#include "account.hpp"
#include "model_render.hpp"

namespace smartq::sandbox {

std::string Account::dump() const {
    static const WireOptions canonical;  // numbers for ids, true/false
    std::string out;
    wire::JsonWriter w(out);
    Renderer r(*model_, canonical, w);
    auto section = [&](const char* name, const auto& table, auto&& render) {
        w.key(name).begin_array();
        table.for_each([&](const auto& row) { render(row); });
        w.end_array();
    };
    w.begin_object();
    section("users", model_->users, [&](const User& u) { r.user(u); });
    section("projects", model_->projects, [&](const Project& p) { r.project(p); });
    section("roles", model_->roles, [&](const Role& x) { r.role(x); });
    section("steps", model_->steps, [&](const Step& s) { r.step(s); });
    section("custom_fields", model_->fields, [&](const CustomField& f) { r.field(f); });
    section("custom_field_values", model_->values, [&](const FieldValue& v) { r.value(v); });
    section("tickets", model_->tickets, [&](const Ticket& t) { r.ticket(t, TicketView{}); });
    section("notes", model_->notes, [&](const Note& n) { r.note(n); });
    section("tasks", model_->tasks, [&](const Task& t) { r.task(t); });
    section("files", model_->files, [&](const File& f) { r.file(f, true); });
    w.end_object();
    return out;
}

}  // namespace smartq::sandbox
