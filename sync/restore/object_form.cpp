#include "sync/restore/object_form.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "sync/restore/form_encoding.hpp"
#include "sync/wire/custom_fields.hpp"
#include "sync/wire/normalise.hpp"
#include "sync/wire/values.hpp"

namespace smartq::sync::restore {
namespace dom = simdjson::dom;

namespace {

std::optional<std::string> remap(IdMap& ids, Kind kind, const std::string& old_key) {
    auto mapping = ids.lookup(kind, old_key);
    if (mapping.state != Mapping::State::Mapped)
        return std::nullopt;
    return mapping.target_key;
}

std::string id_text(dom::element object) {
    auto id = object_id(object);
    return id ? std::to_string(*id) : std::string("?");
}

}  // namespace

std::string field_map_key(std::int64_t source_project, const std::string& name) {
    return fmt::format("{}/{}", source_project, name);
}

std::string writable_form(Kind kind, dom::element object, IdMap& ids, Report& report,
                          const std::string& project) {
    const auto& r = resource(kind);
    wire::FormBuilder form;
    for (auto name : r.writable) {
        auto value = wire::field(object, name);
        if (!value || unset(*value))
            continue;
        std::vector<std::string> path{std::string(r.envelope), std::string(name)};
        auto reference = std::find_if(r.references.begin(), r.references.end(),
                                      [&](const Reference& ref) { return ref.field == name; });
        if (reference == r.references.end()) {
            add_json(form, path, *value);
            continue;
        }
        std::vector<std::string> mapped;
        for (auto old_id : wire::ids_in(*value)) {
            if (auto target = remap(ids, reference->target, std::to_string(old_id)))
                mapped.push_back(*target);
            else
                report.problem(fmt::format(
                    "{} {} in project '{}': its {} {} was not restored; the reference is dropped",
                    r.envelope, id_text(object), project, name, old_id));
        }
        add_ids(form, path, mapped, reference->list);
    }
    return form.str();
}

std::string ticket_field_values(dom::element ticket, std::int64_t source_project,
                                const std::map<std::string, bool>& choice_fields, IdMap& ids) {
    wire::FormBuilder form;
    for (const auto& [name, value] : wire::custom_field_values(ticket)) {
        if (wire::is_empty_value(value))
            continue;
        auto target = remap(ids, Kind::CustomFields, field_map_key(source_project, name));
        if (!target)
            continue;
        std::vector<std::string> path{"ticket", *target};
        auto choice = choice_fields.find(name);
        if (choice == choice_fields.end() || !choice->second) {
            add_json(form, path, value);
            continue;
        }
        std::vector<std::string> values;
        for (auto old_id : wire::ids_in(value))
            if (auto mapped = remap(ids, Kind::CustomFieldValues, std::to_string(old_id)))
                values.push_back(*mapped);
        add_ids(form, path, values, value.is_array() || value.is_object());
    }
    return form.str();
}

}  // namespace smartq::sync::restore
