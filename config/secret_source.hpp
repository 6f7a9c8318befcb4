#pragma once

#include <filesystem>
#include <string_view>

#include "config/environment.hpp"
#include "config/secret.hpp"

namespace smartq::config {

// Where `password_file = VALUE` points. A bare file name is a systemd
// credential (LoadCredential=) when $CREDENTIALS_DIRECTORY is set; any other
// relative path is relative to the directory of the config file.
std::filesystem::path secret_file_path(std::string_view value,
                                       const std::filesystem::path& config_dir,
                                       const Environment& env);

// The file's contents without trailing line breaks. Throws
// std::invalid_argument if the file cannot be read, is readable by group or
// others, or holds nothing. Messages name the file, never its contents.
Secret read_secret_file(const std::filesystem::path& path);

// The variable's value. Throws std::invalid_argument naming the variable
// (never its value) when it is unset or empty.
Secret read_secret_env(std::string_view variable, const Environment& env);

}  // namespace smartq::config
