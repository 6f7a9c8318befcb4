#include "daemon/table_output.hpp"

#include <fmt/format.h>

#include <locale.h>
#include <wchar.h>

#include <algorithm>
#include <cwchar>
#include <stdexcept>

#include "sync/wire/csv.hpp"
#include "sync/wire/json_writer.hpp"

namespace smartq::daemon {

OutputFormat parse_output_format(std::string_view name) {
    if (name == "table")
        return OutputFormat::Table;
    if (name == "csv")
        return OutputFormat::Csv;
    if (name == "json")
        return OutputFormat::Json;
    throw std::invalid_argument("unknown output format '" + std::string(name) +
                                "' (use table, csv or json)");
}

std::size_t display_width(std::string_view text) {
    // C.UTF-8 whatever the user's locale: a service runs with LANG unset.
    static const locale_t utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", locale_t{});
    const locale_t previous = utf8 ? uselocale(utf8) : locale_t{};
    std::size_t width = 0;
    std::mbstate_t state{};
    while (!text.empty()) {
        wchar_t c = 0;
        auto used = std::mbrtowc(&c, text.data(), text.size(), &state);
        if (used == static_cast<std::size_t>(-2)) {
            // Cut short at the end: one replacement character.
            ++width;
            break;
        }
        if (used == static_cast<std::size_t>(-1)) {
            // Not UTF-8: the terminal shows a replacement character per byte.
            ++width;
            used = 1;
            state = {};
        } else {
            // Combining marks take no column; a control character, shown or not, one.
            int columns = ::wcwidth(c);
            width += columns < 0 ? 1 : static_cast<std::size_t>(columns);
            used = std::max<std::size_t>(used, 1);
        }
        text.remove_prefix(used);
    }
    if (utf8)
        uselocale(previous);
    return width;
}

namespace {

std::string text_of(const store::Value& value) {
    struct Visitor {
        std::string operator()(std::monostate) const { return "NULL"; }
        std::string operator()(std::int64_t v) const { return std::to_string(v); }
        std::string operator()(double v) const { return fmt::format("{}", v); }
        std::string operator()(const std::string& v) const { return v; }
    };
    return std::visit(Visitor{}, value);
}

void print_table(std::ostream& out, const store::QueryResult& result) {
    std::vector<std::size_t> widths;
    for (const auto& name : result.columns)
        widths.push_back(display_width(name));
    std::vector<std::vector<std::string>> cells;
    for (const auto& row : result.rows) {
        auto& line = cells.emplace_back();
        for (std::size_t i = 0; i < row.size(); ++i) {
            auto text = text_of(row[i]);
            std::replace(text.begin(), text.end(), '\n', ' ');
            widths[i] = std::max(widths[i], display_width(text));
            line.push_back(std::move(text));
        }
    }
    auto print_line = [&](const std::vector<std::string>& line) {
        std::string text;
        for (std::size_t i = 0; i < line.size(); ++i) {
            text += (i ? " | " : "") + line[i];
            if (i + 1 < line.size())
                text += std::string(widths[i] - display_width(line[i]), ' ');
        }
        // An empty last cell leaves the separator's space: no trailing blanks.
        text.erase(text.find_last_not_of(' ') + 1);
        out << text << '\n';
    };
    print_line(result.columns);
    for (std::size_t i = 0; i < widths.size(); ++i)
        out << (i ? "-+-" : "") << std::string(widths[i], '-');
    out << '\n';
    for (const auto& line : cells)
        print_line(line);
    out << "(" << result.rows.size() << (result.rows.size() == 1 ? " row)\n" : " rows)\n");
}

// NULL is an empty field, as in the export's dumps.
std::string csv_field(const store::Value& value) {
    if (std::holds_alternative<std::monostate>(value))
        return {};
    return wire::csv_field(text_of(value));
}

void print_csv(std::ostream& out, const store::QueryResult& result) {
    for (std::size_t i = 0; i < result.columns.size(); ++i)
        out << (i ? "," : "") << wire::csv_field(result.columns[i]);
    out << "\r\n";
    for (const auto& row : result.rows) {
        for (std::size_t i = 0; i < row.size(); ++i)
            out << (i ? "," : "") << csv_field(row[i]);
        out << "\r\n";
    }
}

void print_json(std::ostream& out, const store::QueryResult& result) {
    std::string text;
    wire::JsonWriter json(text);
    json.begin_array();
    for (const auto& row : result.rows) {
        json.begin_object();
        for (std::size_t i = 0; i < row.size(); ++i) {
            json.key(result.columns[i]);
            std::visit(
                [&](const auto& v) {
                    using T = std::decay_t<decltype(v)>;
                    if constexpr (std::is_same_v<T, std::monostate>)
                        json.null();
                    else
                        json.value(v);
                },
                row[i]);
        }
        json.end_object();
    }
    json.end_array();
    out << text << '\n';
}

}  // namespace

void print_result(std::ostream& out, const store::QueryResult& result, OutputFormat format) {
    switch (format) {
        case OutputFormat::Table:
            print_table(out, result);
            break;
        case OutputFormat::Csv:
            print_csv(out, result);
            break;
        case OutputFormat::Json:
            print_json(out, result);
            break;
    }
}

}  // namespace smartq::daemon
