#include "config/values.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <stdexcept>

namespace smartq::config {
namespace {

[[noreturn]] void invalid(const std::string& problem) {
    throw std::invalid_argument(problem);
}

bool is_port(std::string_view text) {
    int port = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), port);
    return error == std::errc{} && end == text.data() + text.size() && port >= 1 && port <= 65535;
}

// Splits "host:port" / "[v6]:port" / "host" at the port's colon; the port is
// empty when there is none.
std::pair<std::string_view, std::string_view> split_host_port(std::string_view authority) {
    std::size_t host_end = 0;
    if (authority.starts_with('[')) {
        host_end = authority.find(']');
        if (host_end == std::string_view::npos) {
            invalid("has an unclosed '[' in its host");
        }
        ++host_end;
    } else {
        host_end = std::min(authority.find(':'), authority.size());
    }
    auto host = authority.substr(0, host_end);
    auto rest = authority.substr(host_end);
    if (!rest.empty() && !rest.starts_with(':')) {
        invalid("has junk after its host");
    }
    return {host, rest.empty() ? rest : rest.substr(1)};
}

}  // namespace

std::string normalise_url(std::string_view url) {
    // Messages never repeat the URL: a pasted one may carry a password.
    std::string_view rest;
    if (url.starts_with("https://")) {
        rest = url.substr(8);
    } else if (url.starts_with("http://")) {
        rest = url.substr(7);
    } else {
        invalid("must start with http:// or https://");
    }
    if (std::any_of(url.begin(), url.end(),
                    [](unsigned char c) { return c <= ' ' || c == 0x7f; })) {
        invalid("must not contain spaces or control characters");
    }
    auto authority = rest.substr(0, rest.find('/'));
    if (authority.find('@') != std::string_view::npos) {
        invalid("must not hold credentials; use login and password_file");
    }
    if (url.find_first_of("?#") != std::string_view::npos) {
        invalid("must not have a query or fragment");
    }
    auto [host, port] = split_host_port(authority);
    if (host.empty() || host == "[]") {
        invalid("has no host");
    }
    if (authority.size() > host.size() && !is_port(port)) {
        invalid("has a port that is not a number in 1..65535");
    }
    while (url.ends_with('/')) {
        url.remove_suffix(1);
    }
    if (url.ends_with("/api/v1")) {
        invalid("is the API root; give the site root without /api/v1");
    }
    return std::string(url);
}

void check_account_name(std::string_view name) {
    auto allowed = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_' || c == '.' || c == '-';
    };
    // The name becomes a directory under data_dir: "." and ".." would escape it.
    if (name.empty() || name == "." || name == ".." ||
        !std::all_of(name.begin(), name.end(), allowed)) {
        invalid(
            "an account name may hold only letters, digits, '_', '.' and '-', and is not "
            "'.' or '..'");
    }
}

void check_log_level(std::string_view level) {
    constexpr std::array<std::string_view, 7> levels{"trace", "debug",    "info", "warn",
                                                     "error", "critical", "off"};
    if (std::find(levels.begin(), levels.end(), level) == levels.end()) {
        invalid("'" + std::string(level) +
                "' is not a log level (trace, debug, info, warn, error, critical, off)");
    }
}

void check_listen_address(std::string_view address) {
    if (address.find(':') == std::string_view::npos) {
        invalid("must be HOST:PORT, e.g. \"127.0.0.1:9464\"");
    }
    auto [host, port] = split_host_port(address);
    if (host.empty() || host == "[]" || !is_port(port)) {
        invalid("must be HOST:PORT with a port in 1..65535, e.g. \"127.0.0.1:9464\"");
    }
}

std::uint64_t parse_size(std::string_view text) {
    constexpr std::uint64_t kib = 1024;
    constexpr std::uint64_t min = kib;
    constexpr std::uint64_t max = 4 * kib * kib * kib;
    auto reject = [&](std::string_view why) {
        invalid("'" + std::string(text) + "' is not a size (" + std::string(why) +
                "; write e.g. \"64MiB\", \"512KiB\", \"1GiB\")");
    };
    std::uint64_t number = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
    if (error == std::errc::result_out_of_range) {
        reject("it is too large");
    }
    if (error != std::errc{} || end == text.data()) {
        reject("expected a number");
    }
    std::string_view unit(end, static_cast<std::size_t>(text.data() + text.size() - end));
    constexpr std::array<std::pair<std::string_view, std::uint64_t>, 4> units{
        {{"B", 1}, {"KiB", kib}, {"MiB", kib * kib}, {"GiB", kib * kib * kib}}};
    auto found =
        std::find_if(units.begin(), units.end(), [&](const auto& u) { return u.first == unit; });
    if (found == units.end()) {
        reject("units are B, KiB, MiB and GiB");
    }
    if (number > max / found->second || number * found->second < min) {
        reject("it must be between 1KiB and 4GiB");
    }
    return number * found->second;
}

void check_rate(double rate) {
    if (!(rate > 0 && rate <= 100000)) {
        invalid("must be a number of requests per second above 0 and at most 100000");
    }
}

}  // namespace smartq::config
