// compare_replicas on hand-built replicas: the same account under two
// numberings is equal; each kind of change is named.
#include <doctest/doctest.h>

#include <algorithm>

#include "account_builder.hpp"
#include "support/temp_dir.hpp"
#include "sync/resources.hpp"
#include "sync/verify/compare.hpp"

namespace {
using namespace smartq;
using sync::verify::CompareScope;

struct Pair {
    test::TempDir dir;
    test::BuiltIds source_ids, target_ids;
    store::Replica source, target;

    Pair(const test::AccountContent& target_content,
         const test::AccountContent& source_content = {})
        : source_ids(test::build_account(dir / "a.db", 0, 0, source_content)),
          target_ids(test::build_account(dir / "b.db", 70000, 40, target_content)),
          source(open(dir / "a.db")),
          target(open(dir / "b.db")) {}

    static store::Replica open(const std::filesystem::path& db) {
        return store::Replica::open(db, sync::table_specs(), store::Mode::ReadOnly);
    }
    std::vector<std::string> differences(const CompareScope& scope = {}) {
        return sync::verify::compare_replicas(source, target, scope);
    }
};

bool mentions(const std::vector<std::string>& sentences,
              std::initializer_list<std::string_view> words) {
    return std::any_of(sentences.begin(), sentences.end(), [&](const std::string& s) {
        return std::all_of(words.begin(), words.end(),
                           [&](auto w) { return s.find(w) != std::string::npos; });
    });
}

std::string joined(const std::vector<std::string>& sentences) {
    std::string out;
    for (const auto& s : sentences)
        out += s + "\n";
    return out;
}

}  // namespace

TEST_CASE("the same account under other ids and field names compares equal") {
    Pair pair({});
    auto result = sync::verify::compare(pair.source, pair.target, {});
    INFO(joined(result.differences));
    CHECK(result.equal());
    CHECK(result.counts.at("tickets").source == 4);
    CHECK(result.counts.at("tickets").target == 4);
    CHECK(result.counts.at("notes").source == 2);
    CHECK(result.counts.at("files").target == 1);
    CHECK(result.counts.at("users").source == 2);
}

TEST_CASE("a replica compares equal to itself") {
    test::TempDir dir;
    test::build_account(dir / "a.db", 0, 0);
    auto replica = Pair::open(dir / "a.db");
    CHECK(sync::verify::compare_replicas(replica, replica, {}).empty());
}

TEST_CASE("a changed ticket field is named with both values") {
    test::AccountContent changed;
    changed.description = "Fails on Firefox";
    auto d = Pair(changed).differences();
    INFO(joined(d));
    REQUIRE(d.size() == 1);
    CHECK(mentions(d, {"project \"Alpha\"", "ticket \"Login broken\"", "description",
                       "\"Fails on Safari\"", "\"Fails on Firefox\""}));
}

TEST_CASE("a missing note is found, and its ticket's other children are not blamed") {
    test::AccountContent changed;
    changed.reply_note = false;
    auto d = Pair(changed).differences();
    INFO(joined(d));
    REQUIRE(d.size() == 1);
    CHECK(mentions(d, {"note \"Fixed\"", "missing in the target"}));
}

TEST_CASE("an extra note in the target is found") {
    test::AccountContent without;
    without.reply_note = false;
    auto d = Pair({}, without).differences();
    INFO(joined(d));
    REQUIRE(d.size() == 1);
    CHECK(mentions(d, {"note \"Fixed\"", "only in the target"}));
}

TEST_CASE("a changed assignee is named by email, not id") {
    test::AccountContent changed;
    changed.assignee = 1;
    auto d = Pair(changed).differences();
    INFO(joined(d));
    REQUIRE(d.size() == 1);
    CHECK(mentions(d, {"assigned_to", "ann@example.test", "bob@example.test"}));
}

TEST_CASE("a changed choice value is named by the field's label and the value's title") {
    test::AccountContent changed;
    changed.severity = 0;
    auto d = Pair(changed).differences();
    INFO(joined(d));
    REQUIRE(d.size() == 1);
    CHECK(mentions(d, {"custom field \"Severity\"", "\"high\"", "\"low\""}));
}

TEST_CASE("a different file body is found by its sha256") {
    test::AccountContent changed;
    changed.body = "other body";
    auto d = Pair(changed).differences();
    INFO(joined(d));
    CHECK(mentions(d, {"file \"log.txt\"", "sha256"}));
}

TEST_CASE("identical tickets are a multiset: one of two copies missing is found") {
    test::AccountContent more;
    more.extra_alpha_ticket = true;
    auto d = Pair(more).differences();
    INFO(joined(d));
    REQUIRE(d.size() == 1);
    CHECK(mentions(d, {"ticket \"Chore\"", "only in the target"}));
}

TEST_CASE("a project scope compares only that project") {
    test::AccountContent changed;
    changed.beta_ticket = "Beta chores";
    Pair pair(changed);
    CHECK(pair.differences({{pair.source_ids.alpha}, {}, {}}).empty());
    auto d = pair.differences({{pair.source_ids.beta}, {}, {}});
    INFO(joined(d));
    CHECK(mentions(d, {"project \"Beta\"", "ticket \"Beta work\"", "missing in the target"}));
    CHECK(mentions(d, {"ticket \"Beta chores\"", "only in the target"}));
}

TEST_CASE("a ticket scope needs the ticket in the target and allows others beside it") {
    test::AccountContent busier;
    busier.extra_alpha_ticket = true;
    busier.beta_ticket = "Beta chores";
    Pair pair(busier);
    CHECK(pair.differences({{}, {pair.source_ids.login_ticket}, {}}).empty());

    test::AccountContent changed;
    changed.description = "Fails everywhere";
    Pair other(changed);
    auto d = other.differences({{}, {other.source_ids.login_ticket}, {}});
    INFO(joined(d));
    CHECK(mentions(d, {"ticket \"Login broken\"", "description"}));
}

TEST_CASE("scopes naming what the source does not have are reported") {
    Pair pair({});
    CHECK(mentions(pair.differences({{424242}, {}, {}}), {"project 424242", "not a live project"}));
    CHECK(mentions(pair.differences({{}, {424242}, {}}), {"ticket 424242", "not a live ticket"}));
}

TEST_CASE("an ignored target user is left out of a whole-account comparison") {
    test::TempDir dir;
    test::build_account(dir / "a.db", 0, 0);
    test::build_account(dir / "b.db", 0, 0);
    {
        auto db = store::Replica::open(dir / "b.db", sync::table_specs(), store::Mode::ReadWrite);
        auto run = db.start_run("x", store::RunKind::Full);
        simdjson::dom::parser parser;
        const auto& users = sync::resource(sync::Kind::Users);
        db.upsert(users.table,
                  sync::make_record(
                      users,
                      parser.parse(std::string(R"({"id":99,"email":"drill@x.test"})")).value(), {}),
                  run);
    }
    auto a = Pair::open(dir / "a.db");
    auto b = Pair::open(dir / "b.db");
    CHECK(mentions(sync::verify::compare_replicas(a, b, {}),
                   {"user \"drill@x.test\"", "only in the target"}));
    CHECK(sync::verify::compare_replicas(a, b, {{}, {}, {"drill@x.test"}}).empty());
}

TEST_CASE("the differences are capped, with the total on the last line") {
    test::TempDir dir;
    test::build_account(dir / "a.db", 0, 0);
    { auto db = store::Replica::open(dir / "b.db", sync::table_specs(), store::Mode::ReadWrite); }
    auto a = Pair::open(dir / "a.db");
    auto empty = Pair::open(dir / "b.db");
    auto full = sync::verify::compare(a, empty, {}, 3);
    CHECK(full.differences.size() == 3);
    CHECK(full.total == 4);  // two users, two projects
    auto d = sync::verify::compare_replicas(a, empty, {});
    CHECK(d.size() == 4);
    CHECK(d.back().find("missing in the target") != std::string::npos);
}

TEST_CASE("a field no restore writes is compared all the same") {
    test::AccountContent source;
    source.skype = "ann.s";
    auto d = Pair({}, source).differences();
    INFO(joined(d));
    REQUIRE(d.size() == 1);
    CHECK(mentions(d, {"user \"ann@example.test\"", "skype", "\"ann.s\"", "(none)"}));
}

TEST_CASE("PHP's spellings of nothing and nested custom field values compare equal to plain ones") {
    test::AccountContent target;
    target.php_shapes = true;
    auto d = Pair(target).differences();
    INFO(joined(d));
    CHECK(d.empty());
    test::AccountContent changed = target;
    changed.description = "Fails on Firefox";
    CHECK(Pair(changed).differences().size() == 1);
}

TEST_CASE("a file name the server cut to its basename is one rename, not a loss and an extra") {
    test::AccountContent source, target;
    source.file_name = "logs/2024/log.txt";
    auto d = Pair(target, source).differences();
    INFO(joined(d));
    REQUIRE(d.size() == 1);
    CHECK(mentions(d, {"file \"logs/2024/log.txt\"", "renamed by the server to \"log.txt\""}));
}
