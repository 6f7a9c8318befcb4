#include "config/secret_source.hpp"

#include <stdexcept>
#include <string>

#include "config/file_access.hpp"

namespace smartq::config {
namespace {

// A secret is a line; anything bigger is a wrong path (a log, a device).
constexpr std::size_t max_secret_file_size = 64 * 1024;

}  // namespace

std::filesystem::path secret_file_path(std::string_view value,
                                       const std::filesystem::path& config_dir,
                                       const Environment& env) {
    std::filesystem::path path(value);
    if (value.find('/') == std::string_view::npos) {
        if (auto credentials = env.get("CREDENTIALS_DIRECTORY");
            credentials && !credentials->empty()) {
            return std::filesystem::path(*credentials) / path;
        }
    }
    return path.is_absolute() ? path : (config_dir / path).lexically_normal();
}

Secret read_secret_file(const std::filesystem::path& path) {
    auto contents = read_small_file(path, max_secret_file_size);
    if (readable_by_others(contents.permissions)) {
        throw std::invalid_argument(path.string() + " is readable by others; chmod 600 it");
    }
    auto& bytes = contents.bytes;
    while (!bytes.empty() && (bytes.back() == '\n' || bytes.back() == '\r')) {
        bytes.pop_back();
    }
    if (bytes.empty()) {
        throw std::invalid_argument(path.string() + " is empty");
    }
    return Secret(std::move(bytes));
}

Secret read_secret_env(std::string_view variable, const Environment& env) {
    auto value = env.get(variable);
    if (!value) {
        throw std::invalid_argument("environment variable " + std::string(variable) +
                                    " is not set");
    }
    if (value->empty()) {
        throw std::invalid_argument("environment variable " + std::string(variable) + " is empty");
    }
    return Secret(std::move(*value));
}

}  // namespace smartq::config
