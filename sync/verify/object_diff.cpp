#include "sync/verify/object_diff.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>

namespace smartq::sync::verify {

void Report::add(std::string sentence) {
    ++total_;
    if (sentences_.size() < limit_)
        sentences_.push_back(std::move(sentence));
}

std::string Object::key() const {
    std::string key = group;
    key += '\x1d';
    key += identity_text(fields);
    return key;
}

std::string shown(std::string_view value) {
    constexpr std::size_t kMax = 60;
    if (value.empty())
        return "(none)";
    std::string text;
    for (char c : value.substr(0, kMax)) {
        // identity_text separators, when a value is another object's identity
        text += c == '\x1f' ? '=' : c == '\x1e' ? ';' : c;
    }
    if (value.size() > kMax) {
        // Cut on a UTF-8 character boundary.
        while (!text.empty() && (static_cast<unsigned char>(text.back()) & 0xC0) == 0x80)
            text.pop_back();
        if (!text.empty())
            text.pop_back();
        text += "...";
    }
    return "\"" + text + "\"";
}

namespace {

std::string subject(std::string_view where, const Object& object) {
    std::string out(where);
    if (!object.context.empty())
        out += (out.empty() ? "" : ": ") + object.context;
    return out.empty() ? object.label : out + ": " + object.label;
}

void describe_change(std::string_view where, const Object& a, const Object& b, Report& report) {
    std::set<std::string> names;
    for (const auto& [name, value] : a.fields)
        names.insert(name);
    for (const auto& [name, value] : b.fields)
        names.insert(name);
    for (const auto& name : names) {
        auto in_a = a.fields.find(name);
        auto in_b = b.fields.find(name);
        std::string_view va = in_a == a.fields.end() ? "" : std::string_view(in_a->second);
        std::string_view vb = in_b == b.fields.end() ? "" : std::string_view(in_b->second);
        if (va == vb)
            continue;
        report.add(fmt::format("{}: {} is {} in the source but {} in the target", subject(where, a),
                               name, shown(va), shown(vb)));
    }
}

}  // namespace

namespace {

// How many fields two objects disagree on.
std::size_t distance(const Object& a, const Object& b) {
    std::set<std::string> names;
    for (const auto& [name, value] : a.fields)
        names.insert(name);
    for (const auto& [name, value] : b.fields)
        names.insert(name);
    return static_cast<std::size_t>(std::count_if(names.begin(), names.end(), [&](const auto& n) {
        auto in_a = a.fields.find(n);
        auto in_b = b.fields.find(n);
        auto va = in_a == a.fields.end() ? std::string() : in_a->second;
        auto vb = in_b == b.fields.end() ? std::string() : in_b->second;
        return va != vb;
    }));
}

// PHP keeps only the basename of an uploaded file's name: the target holds
// the same object under the source name's last path segment.
bool renamed_by_server(const Object& a, const Object& b) {
    auto name_a = a.fields.find("name");
    auto name_b = b.fields.find("name");
    if (name_a == a.fields.end() || name_b == b.fields.end())
        return false;
    auto slash = name_a->second.find_last_of("/\\");
    if (slash == std::string::npos || name_a->second.substr(slash + 1) != name_b->second)
        return false;
    Fields rest_a = a.fields, rest_b = b.fields;
    rest_a.erase("name");
    rest_b.erase("name");
    return rest_a == rest_b;
}

}  // namespace

std::vector<Pair> diff(std::string_view where, const std::vector<Object>& source,
                       const std::vector<Object>& target, Direction direction, Report& report) {
    std::map<std::string, std::vector<std::size_t>> unmatched_source;
    for (std::size_t i = 0; i < source.size(); ++i)
        unmatched_source[source[i].key()].push_back(i);
    std::vector<std::size_t> unmatched_target;
    for (std::size_t i = 0; i < target.size(); ++i) {
        auto found = unmatched_source.find(target[i].key());
        if (found == unmatched_source.end()) {
            unmatched_target.push_back(i);
            continue;
        }
        found->second.pop_back();
        if (found->second.empty())
            unmatched_source.erase(found);
    }
    std::vector<std::size_t> missing;
    for (const auto& [key, indexes] : unmatched_source)
        missing.insert(missing.end(), indexes.begin(), indexes.end());
    std::sort(missing.begin(), missing.end());
    // The target's order is the order a restore happened to create things
    // in: candidates are ranked by content so that pairs never depend on it.
    std::sort(unmatched_target.begin(), unmatched_target.end(),
              [&](auto x, auto y) { return target[x].key() < target[y].key(); });

    std::vector<Pair> pairs;
    std::vector<bool> paired(target.size(), false);
    // The unpaired target object of the same group that `accept`s `a` and
    // differs from it in the fewest fields; the first by content on a tie.
    auto best = [&](const Object& a, auto accept) -> std::optional<std::size_t> {
        std::optional<std::size_t> chosen;
        std::size_t fewest = 0;
        for (auto t : unmatched_target) {
            const Object& b = target[t];
            if (paired[t] || b.group != a.group || !accept(b))
                continue;
            auto d = distance(a, b);
            if (!chosen || d < fewest) {
                chosen = t;
                fewest = d;
            }
        }
        return chosen;
    };
    std::vector<std::size_t> unpaired;
    for (auto s : missing) {
        const Object& a = source[s];
        auto t = best(a, [&](const Object& b) { return b.label == a.label; });
        if (!t) {
            unpaired.push_back(s);
            continue;
        }
        paired[*t] = true;
        pairs.push_back({s, *t});
        describe_change(where, a, target[*t], report);
    }
    for (auto s : unpaired) {
        const Object& a = source[s];
        auto t = best(a, [&](const Object& b) { return renamed_by_server(a, b); });
        if (!t) {
            report.add(subject(where, a) + " is missing in the target");
            continue;
        }
        paired[*t] = true;
        pairs.push_back({s, *t});
        report.add(fmt::format("{}: renamed by the server to {} (cut to its basename)",
                               subject(where, a), shown(target[*t].fields.at("name"))));
    }
    if (direction == Direction::Both) {
        for (auto t : unmatched_target) {
            if (!paired[t])
                report.add(subject(where, target[t]) + " exists only in the target");
        }
    }
    return pairs;
}

}  // namespace smartq::sync::verify
