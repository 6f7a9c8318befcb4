#include "sync/http/request_text.hpp"

#include <algorithm>
#include <cctype>
#include <utility>
#include <vector>

namespace smartq::http {

namespace {

bool same_name(std::string_view a, std::string_view b) {
    return std::ranges::equal(
        a, b, [](unsigned char x, unsigned char y) { return std::tolower(x) == std::tolower(y); });
}

// A head's fields in order; setting one drops any earlier field of that name, as Beast's do.
class Fields {
  public:
    void set(std::string_view name, std::string_view value) {
        std::erase_if(fields_, [&](const auto& field) { return same_name(field.first, name); });
        fields_.emplace_back(name, value);
    }

    void append_to(std::string& text) const {
        for (const auto& [name, value] : fields_) {
            text.append(name).append(": ").append(value).append("\r\n");
        }
    }

  private:
    std::vector<std::pair<std::string_view, std::string_view>> fields_;
};

}  // namespace

std::string request_text(const Request& request, std::string_view host_header) {
    auto length = std::to_string(request.body.size());
    Fields fields;
    fields.set("Host", host_header);
    fields.set("User-Agent", "smartq-backup");
    fields.set("Accept", "application/json");
    for (const auto& header : request.headers) {
        fields.set(header.name, header.value);
    }
    if (!request.content_type.empty()) {
        fields.set("Content-Type", request.content_type);
    }
    if (!request.body.empty() || request.method == "POST" || request.method == "PUT") {
        fields.set("Content-Length", length);
    }
    std::string text;
    text.reserve(256 + request.target.size() + request.body.size());
    text.append(request.method).append(" ").append(request.target).append(" HTTP/1.1\r\n");
    fields.append_to(text);
    text.append("\r\n").append(request.body);
    return text;
}

}  // namespace smartq::http
