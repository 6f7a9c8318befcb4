// compare_dumps: the oracle of restore drills. Two accounts are equal when
// they hold the same multiset of objects per resource once ids, server-set
// times and authors are removed and every reference is replaced by the
// natural identity of what it references.
#include <simdjson.h>

#include <algorithm>
#include <array>
#include <functional>
#include <map>
#include <stdexcept>
#include <unordered_map>

#include "account.hpp"
#include "sync/wire/json_writer.hpp"

namespace smartq::sandbox {

namespace {

using simdjson::dom::element;
using Fields = std::map<std::string, std::string>;  // key -> canonical JSON value

constexpr std::array kSections{
    "users",   "projects", "roles", "steps", "custom_fields", "custom_field_values",
    "tickets", "notes",    "tasks", "files"};

std::string json_string(std::string_view text) {
    std::string out;
    wire::append_json_string(out, text);
    return out;
}

// "{k:v,...}" or "[a,...]": appended piece by piece (g++ 12 -O2 warns falsely
// on chains of string operator+).
std::string join(const std::vector<std::string>& items, char open, char close) {
    std::string out(1, open);
    for (const auto& item : items) {
        if (out.size() > 1)
            out += ',';
        out += item;
    }
    out += close;
    return out;
}

std::string join(const Fields& fields) {
    std::vector<std::string> items;
    for (const auto& [key, value] : fields) {
        std::string item = json_string(key);
        item += ':';
        item += value;
        items.push_back(std::move(item));
    }
    return join(items, '{', '}');
}

// Objects with sorted keys, so equal content has equal text.
std::string canonical(element e) {
    if (!e.is_object())
        return simdjson::minify(e);
    Fields sorted;
    for (auto [key, value] : e.get_object())
        sorted[std::string(key)] = canonical(value);
    return join(sorted);
}

std::int64_t id_of(element e) {
    if (e.is_int64())
        return e.get_int64().value();
    if (e.is_uint64())
        return static_cast<std::int64_t>(e.get_uint64().value());
    if (e.is_string())
        return std::stoll(std::string(e.get_string().value()));
    return 0;
}

// At most `limit` bytes of `text`, never cutting a UTF-8 sequence in two.
std::string prefix(const std::string& text, std::size_t limit) {
    if (text.size() <= limit)
        return text;
    while (limit > 0 && (static_cast<unsigned char>(text[limit]) & 0xC0) == 0x80)
        --limit;
    return text.substr(0, limit) + "...";
}

// A short stand-in for a long canonical text: tickets and notes are referenced
// by their content, and notes of a thread nest that content deeply. Both
// dumps are compared in one process, so std::hash is stable enough; a 64-bit
// collision would need two different objects to hash alike.
std::string digest(const std::string& canonical_text) {
    return json_string(std::to_string(std::hash<std::string>{}(canonical_text)));
}

// The id under `key`, or 0 when the object has none.
std::int64_t id_at(element object, const char* key) {
    auto v = object[key];
    return v.error() ? 0 : id_of(v.value());
}

std::string text_of(element object, const char* key) {
    auto v = object[key];
    if (v.error() || !v.value().is_string())
        return "";
    return std::string(v.value().get_string().value());
}

struct Object {
    std::string label;  // how a human names it in a difference
    Fields fields;
};

// One dump, canonicalised: every object of every section, plus the identity
// of each referenced object.
class Side {
  public:
    explicit Side(std::string_view json) {
        json_ = std::string(json);
        auto parsed = parser_.parse(json_);
        if (parsed.error() || !parsed.value().is_object())
            throw std::invalid_argument("not a dump: the text is not a JSON object");
        root_ = parsed.value();
        for (const char* section : kSections) {
            auto rows = root_[section];
            if (rows.error() || !rows.value().is_array())
                throw std::invalid_argument(std::string("not a dump: no '") + section + "' list");
        }
        index();
        for (const char* section : kSections)
            for (element row : rows(section))
                objects_[section].push_back(canonicalise(section, row));
    }
    const std::vector<Object>& objects(const std::string& section) { return objects_[section]; }

  private:
    simdjson::dom::array rows(const char* section) { return root_[section].get_array().value(); }

    void index() {
        for (element u : rows("users"))
            users_[id_at(u, "id")] = json_string(text_of(u, "email"));
        for (element p : rows("projects"))
            projects_[id_at(p, "id")] = text_of(p, "name");
        for (element s : rows("steps"))
            steps_[id_at(s, "id")] = json_string(project(s) + " / " + text_of(s, "name"));
        for (element f : rows("custom_fields")) {
            const auto key = field_key(id_at(f, "project_id"), text_of(f, "name"));
            fields_[key] = project(f) + " / " + text_of(f, "label");
            choice_[key] = text_of(f, "type") == "choice";
        }
        for (element v : rows("custom_field_values"))
            values_[id_at(v, "id")] =
                json_string(fields_[field_key(id_at(v, "project_id"), text_of(v, "field_name"))] +
                            " / " + text_of(v, "title"));
        for (element t : rows("tickets"))
            tickets_by_id_[id_at(t, "id")] = t;
        for (element n : rows("notes"))
            notes_by_id_[id_at(n, "id")] = n;
    }

    static std::string field_key(std::int64_t project, const std::string& name) {
        return std::to_string(project) + "/" + name;
    }
    std::string project(element row) {
        auto it = projects_.find(id_at(row, "project_id"));
        return it == projects_.end() ? "?" : it->second;
    }
    static std::string lookup(const std::unordered_map<std::int64_t, std::string>& map,
                              element id) {
        if (id.is_null())
            return "null";
        auto it = map.find(id_of(id));
        return it == map.end() ? json_string("missing " + std::to_string(id_of(id))) : it->second;
    }

    // Tickets and notes are identified by their whole canonical content.
    std::string ticket_identity(element id) {
        auto it = tickets_by_id_.find(id_of(id));
        if (it == tickets_by_id_.end())
            return json_string("missing ticket");
        auto& memo = ticket_memo_[it->first];
        if (memo.empty())
            memo = digest(join(fields_of("tickets", it->second)));
        return memo;
    }
    std::string note_identity(element id) {
        if (id.is_null())
            return "null";
        auto it = notes_by_id_.find(id_of(id));
        if (it == notes_by_id_.end())
            return json_string("missing note");
        auto& memo = note_memo_[it->first];
        if (memo.empty())
            memo = digest(join(fields_of("notes", it->second)));
        return memo;
    }
    std::string ticket_label(element id) {
        auto it = tickets_by_id_.find(id_of(id));
        if (it == tickets_by_id_.end())
            return "?";
        return "'" + text_of(it->second, "name") + "' in project '" + project(it->second) + "'";
    }

    Fields fields_of(const std::string& section, element row) {
        Fields out;
        const std::string project_key = std::to_string(id_at(row, "project_id"));
        for (auto [raw_key, value] : row.get_object()) {
            const std::string key(raw_key);
            // Ids, authors and times are the server's, never the restore's.
            if (key == "id" || key == "owner_id" || key.ends_with("_time"))
                continue;
            if (section == "custom_fields" && (key == "name" || key == "values"))
                continue;
            if (key == "project_id")
                out[key] = json_string(project(row));
            else if (key == "step_id" || key == "max_step")
                out[key] = lookup(steps_, value);
            else if (key == "ticket_id")
                out[key] = ticket_identity(value);
            else if (key == "note_id" || key == "parent_id")
                out[key] = note_identity(value);
            else if (key == "field_name")
                out[key] = json_string(
                    fields_[project_key + "/" + std::string(value.get_string().value())]);
            else if (key == "assigned_to")
                out[key] = id_list(users_, value);
            else if (section == "tickets" && fields_.count(project_key + "/" + key)) {
                // An empty checkbox, a null choice and "" all mean "no value": the API
                // has no way to send an empty list, so they equal an unset field.
                if (value.is_null() || (value.is_array() && value.get_array().size() == 0) ||
                    (value.is_string() && value.get_string().value().empty()))
                    continue;
                const std::string field = project_key + "/" + key;
                out["field " + fields_[field]] =
                    choice_[field] ? id_list(values_, value) : canonical(value);
            } else
                out[key] = canonical(value);
        }
        return out;
    }

    // A list (or one id) of references as a sorted list of identities.
    static std::string id_list(const std::unordered_map<std::int64_t, std::string>& map,
                               element value) {
        std::vector<std::string> items;
        if (value.is_array())
            for (element item : value.get_array())
                items.push_back(lookup(map, item));
        else if (!value.is_null())
            items.push_back(lookup(map, value));
        std::sort(items.begin(), items.end());
        return join(items, '[', ']');
    }

    Object canonicalise(const std::string& section, element row) {
        Object object{label(section, row), fields_of(section, row)};
        return object;
    }

    std::string label(const std::string& section, element row) {
        if (section == "users")
            return "'" + text_of(row, "email") + "'";
        if (section == "projects")
            return "'" + text_of(row, "name") + "'";
        if (section == "custom_fields")
            return "'" + text_of(row, "label") + "' in project '" + project(row) + "'";
        if (section == "custom_field_values")
            return "'" + text_of(row, "title") + "' in project '" + project(row) + "'";
        if (section == "notes")
            return "note '" + prefix(text_of(row, "text"), 40) + "' on ticket " +
                   ticket_label(row["ticket_id"]);
        if (section == "tasks")
            return "'" + text_of(row, "text") + "' on ticket " + ticket_label(row["ticket_id"]);
        if (section == "files")
            return "'" + text_of(row, "name") + "' on ticket " + ticket_label(row["ticket_id"]);
        return "'" + text_of(row, "name") + "' in project '" + project(row) + "'";
    }

    std::string json_;
    simdjson::dom::parser parser_;
    element root_;
    std::unordered_map<std::int64_t, std::string> users_, steps_, values_, projects_;
    std::unordered_map<std::string, std::string> fields_;
    std::unordered_map<std::string, bool> choice_;
    std::unordered_map<std::int64_t, element> tickets_by_id_, notes_by_id_;
    std::unordered_map<std::int64_t, std::string> ticket_memo_, note_memo_;
    std::map<std::string, std::vector<Object>> objects_;
};

// Objects of `from` that `to` lacks, as a multiset difference.
std::vector<const Object*> missing(const std::vector<Object>& from, const std::vector<Object>& to) {
    std::unordered_map<std::string, int> available;
    for (const auto& o : to)
        ++available[join(o.fields)];
    std::vector<const Object*> out;
    for (const auto& o : from)
        if (available[join(o.fields)]-- <= 0)
            out.push_back(&o);
    return out;
}

std::string changed_keys(const Fields& a, const Fields& b) {
    std::string out;
    auto note = [&](const std::string& key) {
        if (!out.empty())
            out += ", ";
        out += key;
    };
    for (const auto& [key, value] : a)
        if (auto it = b.find(key); it == b.end() || it->second != value)
            note(key);
    for (const auto& [key, value] : b)
        if (!a.count(key))
            note(key);
    return out;
}

}  // namespace

std::string compare_dumps(std::string_view a_text, std::string_view b_text) {
    Side a(a_text), b(b_text);
    std::vector<std::string> differences;
    for (const char* section : kSections) {
        auto only_a = missing(a.objects(section), b.objects(section));
        auto only_b = missing(b.objects(section), a.objects(section));
        // The same label on both sides is one object that changed, not two.
        for (auto ia = only_a.begin(); ia != only_a.end();) {
            auto ib = std::find_if(only_b.begin(), only_b.end(),
                                   [&](const Object* o) { return o->label == (*ia)->label; });
            if (ib == only_b.end()) {
                ++ia;
                continue;
            }
            differences.push_back(std::string(section) + ": " + (*ia)->label + " differs in " +
                                  changed_keys((*ia)->fields, (*ib)->fields));
            only_b.erase(ib);
            ia = only_a.erase(ia);
        }
        for (const Object* o : only_a)
            differences.push_back(std::string(section) + ": " + o->label + " missing in b");
        for (const Object* o : only_b)
            differences.push_back(std::string(section) + ": " + o->label + " missing in a");
    }
    std::string out;
    wire::JsonWriter w(out);
    w.begin_object().key("equal").value(differences.empty()).key("differences").begin_array();
    for (const auto& d : differences)
        w.value(d);
    w.end_array().end_object();
    return out;
}

}  // namespace smartq::sandbox
