#include "sync/verify/compare.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <optional>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "store/tree_rows.hpp"
#include "sync/resources.hpp"
#include "sync/verify/annotation.hpp"
#include "sync/verify/canonical.hpp"
#include "sync/verify/object_diff.hpp"
#include "sync/verify/project_loader.hpp"
#include "sync/verify/stored_rows.hpp"

namespace smartq::sync::verify {
namespace {

using store::as_text;
using store::Replica;

struct ProjectRow {
    std::int64_t id;
    std::string name;  // as stored, for matching by name
    Object object;
};

// The live projects, by id: those listed, or all (`ids` unset); of those, only the ones named
// like one of `names` when it is set.
std::vector<ProjectRow> live_projects(Replica& replica,
                                      const std::optional<std::vector<std::int64_t>>& ids,
                                      const std::optional<std::set<std::string>>& names = {}) {
    const auto& projects = resource(Kind::Projects).table;
    simdjson::dom::parser parser;
    std::vector<ProjectRow> out;
    for (auto& row : store::select_rows(replica, projects, {.ids = ids})) {
        auto name = as_text(store::typed_value(projects, row.columns, "name"));
        if (names && !names->contains(name))
            continue;
        auto project = extract(resource(Kind::Projects), row.data, parser);
        out.push_back({integer(row.key[0]),
                       std::move(name),
                       {{}, {}, named("project", project.fields, "name"), project.fields}});
    }
    return out;
}

class Comparer {
  public:
    Comparer(Replica& source, Replica& target, const CompareScope& scope, std::size_t limit)
        : source_(source),
          target_(target),
          scope_(scope),
          report_(limit),
          source_index_(index_account(source)),
          target_index_(index_account(target)) {}

    Comparison run() {
        if (scope_.whole_account())
            compare_users();
        compare_listed_projects();
        compare_listed_tickets();
        return {report_.take(), report_.total(), std::move(counts_)};
    }

  private:
    void count(std::string_view resource, std::size_t source, std::size_t target) {
        auto& counts = counts_[std::string(resource)];
        counts.source += source;
        counts.target += target;
    }

    void compare_users() {
        std::set<std::string> ignored(scope_.ignored_target_users.begin(),
                                      scope_.ignored_target_users.end());
        auto users = [&](Replica& replica) {
            simdjson::dom::parser parser;
            std::vector<Object> out;
            const auto& spec = resource(Kind::Users).table;
            for (auto& row : store::select_rows(replica, spec, {})) {
                if (ignored.contains(as_text(store::typed_value(spec, row.columns, "email"))))
                    continue;
                auto user = extract(resource(Kind::Users), row.data, parser);
                out.push_back({{}, {}, named("user", user.fields, "email"), user.fields});
            }
            return out;
        };
        auto a = users(source_);
        auto b = users(target_);
        count("users", a.size(), b.size());
        diff("", a, b, Direction::Both, report_);
    }

    // Whole account, or the listed projects: matched by name, compared both ways.
    void compare_listed_projects() {
        if (!scope_.whole_account() && scope_.projects.empty())
            return;
        std::optional<std::vector<std::int64_t>> listed;
        if (!scope_.whole_account())
            listed = scope_.projects;
        auto a = live_projects(source_, listed);
        for (auto id : scope_.projects) {
            if (std::none_of(a.begin(), a.end(), [id](const auto& p) { return p.id == id; }))
                report_.add(
                    fmt::format("project {} is not a live project of the source replica", id));
        }
        auto b = scope_.whole_account() ? live_projects(target_, std::nullopt)
                                        : live_projects(target_, std::nullopt, names_of(a));
        count("projects", a.size(), b.size());
        diff("", objects(a), objects(b), Direction::Both, report_);
        for (auto [pa, pb] : pair_by_name(a, b)) {
            compare_project(a[pa].object.label, a[pa].id, pb, {}, Direction::Both);
        }
    }

    // Each listed ticket must be found in the target's project of the same name.
    void compare_listed_tickets() {
        if (scope_.tickets.empty())
            return;
        std::map<std::int64_t, std::set<std::int64_t>> by_project;
        const auto& tickets = resource(Kind::Tickets).table;
        for (auto& row : store::select_rows(source_, tickets, {.ids = scope_.tickets}))
            by_project[integer(store::typed_value(tickets, row.columns, "project_id"))].insert(
                integer(row.key[0]));
        for (auto id : scope_.tickets) {
            bool found = std::any_of(by_project.begin(), by_project.end(),
                                     [id](const auto& p) { return p.second.contains(id); });
            if (!found)
                report_.add(
                    fmt::format("ticket {} is not a live ticket of the source replica", id));
        }
        for (const auto& [project, tickets] : by_project) {
            auto a = live_projects(source_, std::vector<std::int64_t>{project});
            if (a.empty())
                continue;
            auto b = live_projects(target_, std::nullopt, names_of(a));
            if (b.empty()) {
                report_.add(a.front().object.label + " is missing in the target");
                continue;
            }
            // A name may be used by several projects of the target: look in all of them.
            std::vector<std::int64_t> candidates;
            for (const auto& p : b)
                candidates.push_back(p.id);
            compare_project(a.front().object.label, project, candidates, tickets,
                            Direction::SourceInTarget);
        }
    }

    static std::set<std::string> names_of(const std::vector<ProjectRow>& projects) {
        std::set<std::string> names;
        for (const auto& p : projects)
            names.insert(p.name);
        return names;
    }

    static std::vector<Object> objects(const std::vector<ProjectRow>& rows) {
        std::vector<Object> out;
        for (const auto& row : rows)
            out.push_back(row.object);
        return out;
    }

    // Projects with the same name, paired in the order of their content.
    static std::vector<std::pair<std::size_t, std::vector<std::int64_t>>> pair_by_name(
        const std::vector<ProjectRow>& a, const std::vector<ProjectRow>& b) {
        auto group = [](const std::vector<ProjectRow>& rows) {
            std::map<std::string, std::vector<std::size_t>> by_name;
            for (std::size_t i = 0; i < rows.size(); ++i)
                by_name[rows[i].name].push_back(i);
            for (auto& [name, indexes] : by_name) {
                std::stable_sort(indexes.begin(), indexes.end(), [&](auto x, auto y) {
                    return rows[x].object.key() < rows[y].object.key();
                });
            }
            return by_name;
        };
        auto in_a = group(a);
        auto in_b = group(b);
        std::vector<std::pair<std::size_t, std::vector<std::int64_t>>> pairs;
        for (const auto& [name, indexes] : in_a) {
            auto other = in_b.find(name);
            if (other == in_b.end())
                continue;
            for (std::size_t i = 0; i < indexes.size() && i < other->second.size(); ++i)
                pairs.push_back({indexes[i], {b[other->second[i]].id}});
        }
        return pairs;
    }

    void compare_project(const std::string& where, std::int64_t source_project,
                         const std::vector<std::int64_t>& target_projects,
                         const std::set<std::int64_t>& only_tickets, Direction direction) {
        bool with_setup = only_tickets.empty();
        auto a =
            ProjectLoader(source_, source_index_).load(source_project, only_tickets, with_setup);
        ProjectObjects b;
        for (auto id : target_projects)
            merge(b, ProjectLoader(target_, target_index_, scope_.annotated_target_notes)
                         .load(id, {}, with_setup));
        if (with_setup)
            for (const auto* r : setup_resources())
                compare_objects(where, r->name, a.setup[r->kind], b.setup[r->kind], direction);
        auto changed = compare_objects(where, "tickets", a.tickets, b.tickets, direction);
        compare_children(where, a, b, changed);
    }

    static void merge(ProjectObjects& into, ProjectObjects from) {
        auto base = into.tickets.size();
        auto append = [](auto& to, auto& items) {
            to.insert(to.end(), items.begin(), items.end());
        };
        for (auto& [kind, objects] : from.setup)
            append(into.setup[kind], objects);
        append(into.tickets, from.tickets);
        for (auto& [kind, children] : from.below) {
            for (auto& child : children)
                child.ticket += base;
            append(into.below[kind], children);
        }
    }

    std::vector<Pair> compare_objects(const std::string& where, std::string_view name,
                                      const std::vector<Object>& a, const std::vector<Object>& b,
                                      Direction direction) {
        count(name, a.size(), b.size());
        return diff(where, a, b, direction, report_);
    }

    // Children are compared within tickets matched by content, or paired as
    // changed: under the source ticket's identity. Children of a ticket
    // missing on one side are not listed again.
    void compare_children(const std::string& where, const ProjectObjects& a,
                          const ProjectObjects& b, const std::vector<Pair>& changed) {
        std::vector<std::string> a_groups, b_groups;
        for (const auto& t : a.tickets)
            a_groups.push_back(t.key());
        for (const auto& t : b.tickets)
            b_groups.push_back(t.key());
        for (auto [s, t] : changed)
            b_groups[t] = a_groups[s];
        std::unordered_set<std::string> in_a(a_groups.begin(), a_groups.end());
        std::unordered_set<std::string> in_b(b_groups.begin(), b_groups.end());
        auto place = [](const std::vector<ProjectObjects::Child>& children,
                        const std::vector<std::string>& groups, const std::vector<Object>& tickets,
                        const std::unordered_set<std::string>& other) {
            std::vector<Object> out;
            for (const auto& child : children) {
                if (!other.contains(groups[child.ticket]))
                    continue;
                Object object = child.object;
                object.group = groups[child.ticket];
                object.context = tickets[child.ticket].label;
                out.push_back(std::move(object));
            }
            return out;
        };
        for (const auto* r : descendants(Kind::Tickets)) {
            compare_objects(where, r->name, place(of(a, r->kind), a_groups, a.tickets, in_b),
                            place(of(b, r->kind), b_groups, b.tickets, in_a), Direction::Both);
        }
    }

    static const std::vector<ProjectObjects::Child>& of(const ProjectObjects& objects, Kind kind) {
        static const std::vector<ProjectObjects::Child> none;
        auto found = objects.below.find(kind);
        return found == objects.below.end() ? none : found->second;
    }

    Replica& source_;
    Replica& target_;
    const CompareScope& scope_;
    Report report_;
    AccountIndex source_index_;
    AccountIndex target_index_;
    std::map<std::string, ObjectCounts> counts_;
};

}  // namespace

Comparison compare(Replica& source, Replica& target, const CompareScope& scope, std::size_t limit) {
    return Comparer(source, target, scope, limit).run();
}

std::vector<std::string> compare_replicas(Replica& source, Replica& target,
                                          const CompareScope& scope) {
    constexpr std::size_t kLimit = 50;
    auto result = compare(source, target, scope, kLimit);
    if (result.total > result.differences.size())
        result.differences.push_back(fmt::format("{} differences in total", result.total));
    return std::move(result.differences);
}

}  // namespace smartq::sync::verify
