#include "view/table_dump.hpp"

#include <fstream>

#include "store/errors.hpp"
#include "sync/wire/csv.hpp"
#include "sync/wire/json_writer.hpp"

namespace smartq::view {
namespace {

std::string csv_field(const store::Value& value) {
    if (const auto* number = std::get_if<double>(&value))
        return wire::csv_field(std::to_string(*number));
    return wire::csv_field(store::as_text(value));
}

void json_value(wire::JsonWriter& json, std::string_view column, const store::Value& value) {
    if (std::holds_alternative<std::monostate>(value))
        json.null();
    else if (const auto* number = std::get_if<std::int64_t>(&value))
        json.value(*number);
    else if (const auto* real = std::get_if<double>(&value))
        json.value(*real);
    else if (column == "data")  // the object as the server sent it, stored as JSON text
        json.raw(std::get<std::string>(value));
    else
        json.value(std::get<std::string>(value));
}

std::ofstream open_for_writing(const std::filesystem::path& file) {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    if (!out)
        throw store::BlobError("cannot write " + file.string());
    return out;
}

void finish(std::ofstream& out, const std::filesystem::path& file) {
    out.close();
    if (!out)
        throw store::BlobError("writing " + file.string() + " failed (is the disk full?)");
}

}  // namespace

std::uint64_t dump_tables(store::ReadModel& model, const std::filesystem::path& dir) {
    std::filesystem::create_directories(dir);
    std::uint64_t total = 0;
    for (const auto& table : model.dump_tables()) {
        auto rows = model.rows(table);
        auto jsonl_path = dir / (table + ".jsonl");
        auto csv_path = dir / (table + ".csv");
        auto jsonl = open_for_writing(jsonl_path);
        auto csv = open_for_writing(csv_path);
        for (std::size_t i = 0; i < rows.columns.size(); ++i)
            csv << (i ? "," : "") << wire::csv_field(rows.columns[i]);
        csv << "\r\n";
        std::vector<store::Value> row;
        std::string line;
        while (rows.next(row)) {
            line.clear();
            wire::JsonWriter json(line);
            json.begin_object();
            for (std::size_t i = 0; i < row.size(); ++i) {
                json.key(rows.columns[i]);
                json_value(json, rows.columns[i], row[i]);
                csv << (i ? "," : "") << csv_field(row[i]);
            }
            json.end_object();
            jsonl << line << '\n';
            csv << "\r\n";
            ++total;
        }
        finish(jsonl, jsonl_path);
        finish(csv, csv_path);
    }
    return total;
}

}  // namespace smartq::view
