#include "sync/restore/report.hpp"

#include <fmt/format.h>

namespace smartq::sync::restore {
namespace {

std::string counts_line(std::string_view name, const Counts& c, bool dry_run) {
    return fmt::format("  {:<20} {:>6} {} {:>6} matched {:>6} skipped {:>6} failed\n", name,
                       c.created, dry_run ? "to create" : "created  ", c.matched, c.skipped,
                       c.failed);
}

}  // namespace

void Counts::add(Outcome outcome) {
    switch (outcome) {
        case Outcome::Created:
            ++created;
            break;
        case Outcome::Matched:
            ++matched;
            break;
        case Outcome::Skipped:
            ++skipped;
            break;
        case Outcome::Failed:
            ++failed;
            break;
    }
}

void Report::count(Kind kind, Outcome outcome, const std::string& project) {
    auto name = std::string(resource(kind).name);
    by_resource[name].add(outcome);
    if (!project.empty())
        by_project[project][name].add(outcome);
}

void Report::problem(std::string sentence) {
    problems.push_back(std::move(sentence));
}

bool Report::complete() const {
    for (const auto& [name, c] : by_resource)
        if (c.failed || c.skipped)
            return false;
    return true;
}

std::string Report::text() const {
    std::string out =
        dry_run ? "restore plan (dry run, nothing was sent but GETs):\n" : "restore report:\n";
    for (const auto& [name, c] : by_resource)
        out += counts_line(name, c, dry_run);
    if (dry_run) {
        for (const auto& [project, resources] : by_project) {
            out += fmt::format("project '{}':\n", project);
            for (const auto& [name, c] : resources)
                out += counts_line(name, c, dry_run);
        }
    }
    out += fmt::format("requests: {} ({} writes) in {:.2f} s\n", requests, writes, replay_seconds);
    if (verify_seconds)
        out += fmt::format("verified by reading the target back in {:.2f} s\n", *verify_seconds);
    out +=
        "not restorable: ids (new ones were assigned and are kept in the id map), authors "
        "(owner_id: every object belongs to the restoring user), server-set times "
        "(insert_time, update_time, move_time), passwords (never readable: new users get "
        "generated ones), avatar_url\n";
    for (const auto& r : removed)
        out += "removed: " + r + "\n";
    for (const auto& p : problems)
        out += "problem: " + p + "\n";
    for (const auto& d : differences)
        out += "difference: " + d + "\n";
    return out;
}

}  // namespace smartq::sync::restore
