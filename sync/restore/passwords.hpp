// Passwords for the users a restore creates: the API cannot read them back,
// so they come from a file given by the caller or are generated per user and
// written to a file only the caller can read.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sync/restore/report.hpp"

namespace smartq::sync::restore {

class UserPasswords {
  public:
    // `from_file`: one password for every new user (the file's first line);
    // a file group or others can read is refused (std::runtime_error).
    // Otherwise passwords are generated and, if `out_file` is set, written
    // there (mode 0600) as "email<TAB>password" lines as they are made.
    UserPasswords(std::optional<std::filesystem::path> from_file,
                  std::optional<std::filesystem::path> out_file);

    std::string password_for(std::string_view email);
    const std::vector<GeneratedPassword>& generated() const { return generated_; }

  private:
    std::optional<std::string> shared_;
    std::optional<std::filesystem::path> out_file_;
    std::vector<GeneratedPassword> generated_;
};

// A random password of `length` characters from OpenSSL's generator.
std::string generate_password(std::size_t length = 20);

}  // namespace smartq::sync::restore
