#include "sync/verify/object_diff.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
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

    std::vector<Pair> pairs;
    std::vector<bool> paired(target.size(), false);
    for (auto s : missing) {
        const Object& a = source[s];
        bool found = false;
        for (auto t : unmatched_target) {
            const Object& b = target[t];
            if (paired[t] || b.group != a.group || b.label != a.label)
                continue;
            paired[t] = found = true;
            pairs.push_back({s, t});
            describe_change(where, a, b, report);
            break;
        }
        if (!found)
            report.add(subject(where, a) + " is missing in the target");
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
