// A restore drill for tests: sandbox A seeded and synced into account "a",
// an empty sandbox B configured as account "b", and the oracles that judge a
// restore: the sandbox's own dump comparison and its request statistics.
#pragma once

#include <cstdint>
#include <set>
#include <string>

#include "sync/backup_env.hpp"

namespace smartq::test {

sandbox::ServerOptions sandbox_of(sandbox::Size size);

struct Drill {
    explicit Drill(sandbox::Size size = sandbox::Size::Tiny);
    // A and B as given (B is usually empty): servers of other shapes.
    Drill(sandbox::ServerOptions source_options, sandbox::ServerOptions target_options);

    SandboxFixture source;
    SandboxFixture target;
    BackupEnv env;

    RunResult sync_source() const;
    // /__admin/compare of B as it is now with `dump` (default: A's dump now).
    std::string compare_with(const std::string& dump) const;
    std::string compare() const;
};

bool equal(const std::string& comparison);
// Requests B got other than GET.
long writes(const SandboxStats& s);

// What a restore of some projects or tickets of `dump` into an empty sandbox
// whose administrator is `admin_email` must produce: the projects with all
// their roles, steps and fields, the tickets (all of a project's when
// `tickets` is empty) with their notes, tasks and files, and the users those
// tickets are assigned to plus the administrator.
std::string dump_subset(const std::string& dump, const std::set<std::int64_t>& projects,
                        const std::set<std::int64_t>& tickets, const std::string& admin_email);

}  // namespace smartq::test
