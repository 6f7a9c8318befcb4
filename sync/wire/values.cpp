#include "sync/wire/values.hpp"

#include <string_view>

#include "sync/wire/normalise.hpp"

namespace smartq::wire {
namespace dom = simdjson::dom;

namespace {

void add_id(std::vector<std::int64_t>& ids, dom::element item) {
    auto holder = item.is_object() ? field(item, "id") : std::optional{item};
    if (auto id = holder ? as_id(*holder) : std::nullopt; id && *id > 0)
        ids.push_back(*id);
}

}  // namespace

std::vector<std::int64_t> ids_in(dom::element value) {
    std::vector<std::int64_t> ids;
    if (value.is_array()) {
        for (auto item : value.get_array())
            add_id(ids, item);
    } else if (value.is_object() && !field(value, "id")) {
        for (auto member : value.get_object())
            add_id(ids, member.value);
    } else {
        add_id(ids, value);
    }
    return ids;
}

bool is_empty_value(dom::element value) {
    switch (value.type()) {
        case dom::element_type::NULL_VALUE:
            return true;
        case dom::element_type::ARRAY:
            return value.get_array().size() == 0;
        case dom::element_type::OBJECT:
            return value.get_object().size() == 0;
        case dom::element_type::STRING: {
            std::string_view text = value.get_string().value();
            return text.empty() || text == "0000-00-00 00:00:00" || text == "0000-00-00";
        }
        default:
            return false;
    }
}

}  // namespace smartq::wire
