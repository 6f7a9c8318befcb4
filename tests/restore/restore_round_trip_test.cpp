// Round trips through the programs: sandbox A seeded -> sync -> restore into
// sandbox B -> A's and B's dumps compare equal modulo ids, times and authors.
#include <doctest/doctest.h>

#include "sync/backup_env.hpp"

namespace smartq::test {
namespace {

sandbox::ServerOptions sandbox_of(sandbox::Size size) {
    sandbox::ServerOptions options;
    options.size = size;
    return options;
}

struct Drill {
    SandboxFixture source{sandbox_of(sandbox::Size::Tiny)};
    SandboxFixture target{sandbox_of(sandbox::Size::Empty)};
    BackupEnv env;

    Drill() {
        AccountSpec a;
        a.name = "a";
        a.port = source.port();
        AccountSpec b;
        b.name = "b";
        b.port = target.port();
        env.configure({a, b});
        auto synced = env.run({"sync", "--account", "a"});
        REQUIRE_MESSAGE(synced.code == 0, synced.err);
    }

    std::string compare() const {
        auto dump = source.admin("GET", "dump");
        return target.admin("POST", "compare?with=current", dump.body).body;
    }
};

long writes(const SandboxStats& s) {
    long n = 0;
    for (const auto& [method, count] : s.by_method)
        if (method != "GET")
            n += count;
    return n;
}

}  // namespace

TEST_CASE("restore of a tiny account into an empty one is equal, and a second run adds nothing") {
    Drill drill;
    auto restored = drill.env.run({"restore", "--from", "a", "--to", "b"});
    INFO(restored.out, restored.err);
    CHECK(restored.code == 0);
    CHECK(drill.compare().find("\"equal\":true") != std::string::npos);
    drill.target.admin("POST", "reset");
    auto again = drill.env.run({"restore", "--from", "a", "--to", "b"});
    INFO(again.out, again.err);
    CHECK(again.code == 0);
    CHECK(writes(stats(drill.target)) == 0);
    CHECK(drill.compare().find("\"equal\":true") != std::string::npos);
}

TEST_CASE("a dry run sends only GETs and prints the plan") {
    Drill drill;
    auto planned = drill.env.run({"restore", "--from", "a", "--to", "b", "--dry-run"});
    INFO(planned.out, planned.err);
    CHECK(planned.code == 0);
    CHECK(planned.out.find("dry run") != std::string::npos);
    CHECK(planned.out.find("to create") != std::string::npos);
    CHECK(writes(stats(drill.target)) == 0);
}

TEST_CASE("restoring into the backed-up account needs --into-source") {
    Drill drill;
    drill.source.admin("POST", "reset");
    auto refused = drill.env.run({"restore", "--from", "a", "--to", "a"});
    CHECK(refused.code == 64);
    CHECK(refused.err.find("--into-source") != std::string::npos);
    auto into = drill.env.run({"restore", "--from", "a", "--to", "a", "--into-source"});
    INFO(into.out, into.err);
    CHECK(into.code == 0);
    CHECK(writes(stats(drill.source)) == 0);
}

TEST_CASE("an unknown --project is a usage error and sends nothing") {
    Drill drill;
    auto refused = drill.env.run({"restore", "--from", "a", "--to", "b", "--project", "999999"});
    CHECK(refused.code == 64);
    CHECK(refused.err.find("999999") != std::string::npos);
    CHECK(stats(drill.target).total == 0);
}

}  // namespace smartq::test
