#pragma once

#include <stdexcept>
#include <string>

namespace smartq::config {

// Every mistake in the configuration: the file, its TOML, a value, a secret,
// an environment override. what() is one sentence for the user, shaped
// "FILE:LINE: key 'x.y': problem" when a place in the file is known. It never
// holds a secret. The command line maps it to exit code 78 (EX_CONFIG).
class ConfigError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

}  // namespace smartq::config
