#include "account_builder.hpp"

#include <fmt/format.h>

#include <map>
#include <string_view>

#include "store/sha256.hpp"
#include "sync/resources.hpp"

namespace smartq::test {
namespace {

using sync::Kind;

class Writer {
  public:
    explicit Writer(const std::filesystem::path& db)
        : replica_(store::Replica::open(db, sync::table_specs(), store::Mode::ReadWrite)),
          run_(replica_.start_run("built", store::RunKind::Full)) {}
    ~Writer() { replica_.finish_run(run_, {}); }

    void put(Kind kind, const std::string& json, const sync::Context& context = {}) {
        const auto& resource = sync::resource(kind);
        auto object = parser_.parse(json).value();
        replica_.upsert(resource.table, sync::make_record(resource, object, context), run_);
    }
    void body(std::int64_t file, const std::string& content) {
        std::vector<store::Value> key{file};
        const auto& table = sync::resource(Kind::Files).table;
        replica_.set_column(table, key, "sha256", store::sha256_hex(content));
        replica_.set_column(table, key, "size", static_cast<std::int64_t>(content.size()));
    }

  private:
    store::Replica replica_;
    store::RunId run_;
    simdjson::dom::parser parser_;
};

}  // namespace

BuiltIds build_account(const std::filesystem::path& db, std::int64_t base, int field_base,
                       const AccountContent& content) {
    Writer w(db);
    auto id = [base](int n) { return base + n; };
    const std::string users[] = {"ann@example.test", "bob@example.test"};
    for (int u = 0; u < 2; ++u)
        w.put(
            Kind::Users,
            fmt::format(
                R"({{"id":{},"name":"U{}","email":"{}","avatar_url":"x{}","is_account_administrator":{}{}}})",
                id(1 + u), u, users[u], base, u == 0 ? "true" : "0",
                u == 0 && !content.skype.empty() ? fmt::format(R"(,"skype":"{}")", content.skype)
                                                 : ""));
    BuiltIds built{id(100), id(200), id(1000)};
    w.put(Kind::Projects,
          fmt::format(
              R"({{"id":{},"name":"Alpha","description":"first","owner_id":{},"active":true}})",
              id(100), id(1)));
    w.put(Kind::Projects,
          fmt::format(R"({{"id":"{}","name":"Beta","owner_id":"{}","active":1}})", id(200), id(2)));
    sync::Context alpha{built.alpha};
    sync::Context beta{built.beta};
    w.put(Kind::Steps, fmt::format(R"({{"id":{},"name":"Todo","pos":1,"limit":0}})", id(300)),
          alpha);
    w.put(Kind::Steps, fmt::format(R"({{"id":{},"name":"Done","pos":"2","limit":"0"}})", id(301)),
          alpha);
    w.put(Kind::Steps, fmt::format(R"({{"id":{},"name":"Todo","pos":1}})", id(310)), beta);
    w.put(Kind::Roles,
          fmt::format(
              R"({{"id":{},"name":"Dev","access_level":3,"max_step":{},"can_edit_project":false}})",
              id(400), id(301)),
          alpha);
    auto severity = fmt::format("f{}", field_base + 1);
    auto browser = fmt::format("f{}", field_base + 2);
    w.put(
        Kind::CustomFields,
        fmt::format(
            R"({{"name":"{}","type":"choice","label":"Severity","options":{{"choiceType":"select"}}}})",
            severity),
        alpha);
    w.put(Kind::CustomFields,
          fmt::format(R"({{"name":"{}","type":"string","label":"Browser","options":{}}})", browser,
                      content.php_shapes ? "[]" : "{}"),
          alpha);
    sync::Context values = alpha;
    values.field_name = severity;
    w.put(Kind::CustomFieldValues, fmt::format(R"({{"id":{},"title":"low","pos":1}})", id(500)),
          values);
    w.put(Kind::CustomFieldValues, fmt::format(R"({{"id":{},"title":"high","pos":2}})", id(501)),
          values);
    auto values_of_login =
        fmt::format(R"("{}":"{}","{}":"Safari")", severity, id(500 + content.severity), browser);
    if (content.php_shapes)
        values_of_login = fmt::format(
            R"("deadline_date":"0000-00-00 00:00:00","custom_fields":{{{}}})", values_of_login);
    w.put(
        Kind::Tickets,
        fmt::format(
            R"({{"id":{},"name":"Login broken","description":"{}","step_id":{},"assigned_to":[{}],{},"owner_id":{},"insert_time":"2024-01-0{} 10:00:00","update_time":"2024-02-0{} 10:00:00"}})",
            id(1000), content.description, id(300), id(1 + content.assignee), values_of_login,
            id(1), base % 9 + 1, base % 9 + 1),
        alpha);
    int chores = content.extra_alpha_ticket ? 3 : 2;
    for (int c = 0; c < chores; ++c)
        w.put(Kind::Tickets,
              fmt::format(R"({{"id":{},"name":"Chore","step_id":{},"assigned_to":[]}})",
                          id(1001 + c), id(301)),
              alpha);
    w.put(Kind::Tickets,
          fmt::format(R"({{"id":{},"name":"{}","step_id":{}}})", id(2000), content.beta_ticket,
                      id(310)),
          beta);
    sync::Context ticket = alpha;
    ticket.ticket_id = id(1000);
    w.put(Kind::Notes,
          fmt::format(R"({{"id":{},"text":"Seen","private":false,"owner_id":{}{}}})", id(3000),
                      id(2), content.php_shapes ? R"(,"parent_id":"0")" : ""),
          ticket);
    if (content.reply_note)
        w.put(Kind::Notes,
              fmt::format(R"({{"id":{},"text":"Fixed","parent_id":{},"owner_id":{}}})", id(3001),
                          id(3000), id(1)),
              ticket);
    w.put(Kind::Tasks, fmt::format(R"({{"id":{},"text":"Write a test","done":1}})", id(4000)),
          ticket);
    sync::Context note = ticket;
    note.note_id = id(3000);
    w.put(Kind::Files,
          fmt::format(R"({{"id":{},"name":"{}","size":{}}})", id(5000), content.file_name,
                      content.body.size()),
          note);
    w.body(id(5000), content.body);
    return built;
}

}  // namespace smartq::test
