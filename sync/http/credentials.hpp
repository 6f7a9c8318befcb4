#pragma once

#include <string>

namespace smartq::http {

// Plain strings: they live only in memory and never reach a log line or a message.
struct Credentials {
    std::string login;
    std::string password;
    std::string api_key;
};

}  // namespace smartq::http
