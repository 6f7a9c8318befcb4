// A small streaming JSON writer. The sandbox renders every answer with it and
// the client uses it for canonical dumps; commas and escaping live here once.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace smartq::wire {

// Appends `text` as a quoted JSON string with the escapes RFC 8259 requires;
// invalid UTF-8 is passed through byte for byte (we never invent content).
void append_json_string(std::string& out, std::string_view text);

class JsonWriter {
  public:
    explicit JsonWriter(std::string& out) : out_(out) {}

    JsonWriter& begin_object();
    JsonWriter& end_object();
    JsonWriter& begin_array();
    JsonWriter& end_array();
    JsonWriter& key(std::string_view name);
    JsonWriter& value(std::string_view text);
    JsonWriter& value(const char* text) { return value(std::string_view(text)); }
    JsonWriter& value(std::int64_t number);
    JsonWriter& value(int number) { return value(static_cast<std::int64_t>(number)); }
    JsonWriter& value(double number);
    JsonWriter& value(bool flag);
    JsonWriter& null();
    // Inserts already-serialised JSON (an object kept as received).
    JsonWriter& raw(std::string_view json);

  private:
    void separate();
    std::string& out_;
    std::vector<bool> first_;  // one entry per open container: no element written yet
    bool after_key_ = false;
};

}  // namespace smartq::wire
