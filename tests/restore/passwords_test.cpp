#include <doctest/doctest.h>
#include <sys/stat.h>

#include <fstream>

#include "support/child_process.hpp"
#include "support/temp_dir.hpp"
#include "sync/restore/passwords.hpp"

using smartq::sync::restore::UserPasswords;
using smartq::test::TempDir;

namespace {
unsigned mode_of(const std::filesystem::path& file) {
    struct stat info {};
    REQUIRE(::stat(file.c_str(), &info) == 0);
    return info.st_mode & 0777;
}
void write(const std::filesystem::path& file, const std::string& text, unsigned mode) {
    std::ofstream(file) << text;
    ::chmod(file.c_str(), mode);
}
}  // namespace

TEST_CASE("generated passwords are distinct and written to a 0600 file") {
    TempDir dir;
    UserPasswords passwords(std::nullopt, dir / "passwords.txt");
    auto first = passwords.password_for("a@example.com");
    auto second = passwords.password_for("b@example.com");
    CHECK(first.size() == 20);
    CHECK(first != second);
    CHECK(mode_of(dir / "passwords.txt") == 0600);
    CHECK(smartq::test::read_file(dir / "passwords.txt") ==
          "a@example.com\t" + first + "\nb@example.com\t" + second + "\n");
    CHECK(passwords.generated().size() == 2);
}

TEST_CASE("a passwords file others can read is not written into") {
    TempDir dir;
    write(dir / "open.txt", "", 0644);
    UserPasswords passwords(std::nullopt, dir / "open.txt");
    CHECK_THROWS_WITH(passwords.password_for("a@example.com"),
                      doctest::Contains("can be read by others"));
    CHECK(smartq::test::read_file(dir / "open.txt").empty());
}

TEST_CASE("a user password file gives every new user its first line") {
    TempDir dir;
    write(dir / "pw", "s3cret-pass\nignored\n", 0600);
    UserPasswords passwords(dir / "pw", std::nullopt);
    CHECK(passwords.password_for("a@example.com") == "s3cret-pass");
    CHECK(passwords.generated().empty());
}

TEST_CASE("a user password file that is readable by others, empty or missing is refused") {
    TempDir dir;
    write(dir / "open", "pw\n", 0640);
    CHECK_THROWS_WITH(UserPasswords(dir / "open", std::nullopt), doctest::Contains("chmod 600"));
    write(dir / "empty", "", 0600);
    CHECK_THROWS_WITH(UserPasswords(dir / "empty", std::nullopt), doctest::Contains("is empty"));
    CHECK_THROWS_WITH(UserPasswords(dir / "missing", std::nullopt),
                      doctest::Contains("cannot read"));
}
