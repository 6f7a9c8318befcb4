#include "sync/crawl/rows.hpp"

#include <fmt/format.h>

#include <stdexcept>
#include <utility>

#include "sync/wire/normalise.hpp"

namespace smartq::sync::crawl {
namespace dom = simdjson::dom;

std::string text_field(dom::element object, std::string_view name) {
    auto member = wire::field(object, name);
    if (!member)
        return {};
    return wire::as_text(*member).value_or("");
}

const Column* find_column(const Resource& resource, std::string_view name) {
    for (const auto& column : resource.columns)
        if (column.spec.name == name)
            return &column;
    return nullptr;
}

std::size_t column_index(const Resource& resource, std::string_view name) {
    for (std::size_t i = resource.key_columns; i < resource.columns.size(); ++i)
        if (resource.columns[i].spec.name == name)
            return i - resource.key_columns;
    throw std::logic_error("resource table has no such column");
}

std::string value_text(const store::Value& value) {
    if (const auto* n = std::get_if<std::int64_t>(&value))
        return std::to_string(*n);
    if (const auto* s = std::get_if<std::string>(&value))
        return *s;
    return {};
}

std::optional<std::string> foreign_parent(const Resource& resource, dom::element item,
                                          const Context& context) {
    const std::pair<std::string_view, std::int64_t> parents[] = {{"project_id", context.project_id},
                                                                 {"ticket_id", context.ticket_id},
                                                                 {"note_id", context.note_id}};
    for (const auto& column : resource.columns) {
        if (column.convert != Convert::Context)
            continue;
        for (auto [name, asked] : parents) {
            if (column.source != name || asked == 0)
                continue;
            auto member = wire::field(item, name);
            auto said = member ? wire::as_id(*member) : std::nullopt;
            if (said && *said != asked)
                return fmt::format("{} {} instead of {}", name, *said, asked);
        }
    }
    return std::nullopt;
}

std::string describe(const Resource& resource, dom::element item) {
    auto id = object_id(item);
    return fmt::format("{} {}", resource.name, id ? std::to_string(*id) : text_field(item, "name"));
}

}  // namespace smartq::sync::crawl
