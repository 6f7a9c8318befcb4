// What a restore did (or, in a dry run, would do): counts per resource and per
// project, what failed, and what no restore can bring back.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sync/resources.hpp"

namespace smartq::sync::restore {

enum class Outcome {
    Created,  // POSTed (dry run: would be)
    Matched,  // already in the target: by the id map or by natural key
    Skipped,  // not restorable here (its parent failed, its blob is missing)
    Failed,   // the target refused it
};

struct Counts {
    std::uint64_t created = 0, matched = 0, skipped = 0, failed = 0;
    void add(Outcome outcome);
    std::uint64_t total() const { return created + matched + skipped + failed; }
};

struct GeneratedPassword {
    std::string email;
    std::string password;
};

struct Report {
    bool dry_run = false;
    std::map<std::string, Counts> by_resource;                        // "tickets" -> counts
    std::map<std::string, std::map<std::string, Counts>> by_project;  // project name -> ...
    std::vector<std::string> problems;         // one sentence per failed or skipped object
    std::vector<std::string> removed;          // what the server made in a new project, removed
    std::vector<std::string> differences;      // the verification's findings
    std::vector<GeneratedPassword> passwords;  // new users' generated passwords
    std::uint64_t requests = 0, writes = 0;
    double replay_seconds = 0;             // the replay alone, without the read-back
    std::optional<double> verify_seconds;  // the read-back and comparison, when run

    // `project` empty: an account-level object (users, projects themselves).
    void count(Kind kind, Outcome outcome, const std::string& project = {});
    void problem(std::string sentence);
    bool complete() const;  // nothing failed or skipped

    // The human report: per resource, per project in a dry run, and the list
    // of what cannot be restored (ids, authors, server-set times).
    std::string text() const;
};

}  // namespace smartq::sync::restore
