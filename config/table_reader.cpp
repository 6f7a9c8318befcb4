#include "config/table_reader.hpp"

namespace smartq::config {

std::string located(const std::filesystem::path& file, const toml::source_region& where) {
    if (where.begin.line == 0) {
        return file.string();
    }
    return file.string() + ":" + std::to_string(where.begin.line);
}

std::string_view type_name(toml::node_type type) {
    switch (type) {
        case toml::node_type::table:
            return "a table";
        case toml::node_type::array:
            return "an array";
        case toml::node_type::string:
            return "a string";
        case toml::node_type::integer:
            return "an integer";
        case toml::node_type::floating_point:
            return "a floating-point number";
        case toml::node_type::boolean:
            return "a boolean";
        case toml::node_type::date:
            return "a date";
        case toml::node_type::time:
            return "a time";
        case toml::node_type::date_time:
            return "a date-time";
        case toml::node_type::none:
            break;
    }
    return "nothing";
}

}  // namespace smartq::config
