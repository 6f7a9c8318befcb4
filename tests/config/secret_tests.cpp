#include <doctest/doctest.h>

#include <ostream>
#include <stdexcept>

#include "config/secret.hpp"
#include "config/secret_source.hpp"
#include "scratch_dir.hpp"

using namespace smartq::config;
using smartq::config::testing::ScratchDir;

namespace {
template <typename T>
concept streamable = requires(std::ostream& out, const T& value) {
    out << value;
};
}  // namespace

TEST_CASE("a Secret formats as *** and cannot be streamed") {
    Secret secret("hunter2");
    CHECK(secret.reveal() == "hunter2");
    CHECK_FALSE(secret.empty());
    CHECK(Secret().empty());
    CHECK(fmt::format("{}", secret) == "***");
    CHECK(fmt::format("pw={:>5}", secret) == "pw=  ***");
    static_assert(!streamable<Secret>);
}

TEST_CASE("a bare secret file name is a systemd credential when CREDENTIALS_DIRECTORY is set") {
    Environment with_credentials({{"CREDENTIALS_DIRECTORY", "/run/credentials/x.service"}});
    CHECK(secret_file_path("acme.password", "/etc/sq", with_credentials) ==
          "/run/credentials/x.service/acme.password");
    CHECK(secret_file_path("acme.password", "/etc/sq", Environment()) == "/etc/sq/acme.password");
    CHECK(secret_file_path("keys/acme.key", "/etc/sq", with_credentials) ==
          "/etc/sq/keys/acme.key");
    CHECK(secret_file_path("./acme.key", "/etc/sq", with_credentials) == "/etc/sq/acme.key");
    CHECK(secret_file_path("/srv/acme.key", "/etc/sq", with_credentials) == "/srv/acme.key");
    CHECK(secret_file_path("acme.key", "/etc/sq", Environment{{"CREDENTIALS_DIRECTORY", ""}}) ==
          "/etc/sq/acme.key");
}

TEST_CASE("read_secret_file strips trailing line breaks only") {
    ScratchDir dir;
    CHECK(read_secret_file(dir.write("a", "s3cret\n")).reveal() == "s3cret");
    CHECK(read_secret_file(dir.write("b", "s3cret\r\n\n")).reveal() == "s3cret");
    CHECK(read_secret_file(dir.write("c", " s3 cret ")).reveal() == " s3 cret ");
    CHECK(read_secret_file(dir.write("d", "s3cret", 0400)).reveal() == "s3cret");
}

TEST_CASE("read_secret_file refuses files others can read, naming the fix") {
    ScratchDir dir;
    for (mode_t mode : {0640, 0604, 0644}) {
        CAPTURE(mode);
        auto file = dir.write("pw", "s3cret-value\n", mode);
        CHECK_THROWS_WITH_AS(read_secret_file(file),
                             (file.string() + " is readable by others; chmod 600 it").c_str(),
                             std::invalid_argument);
    }
}

TEST_CASE("read_secret_file refuses empty, missing, oversized and non-regular files") {
    ScratchDir dir;
    CHECK_THROWS_WITH(read_secret_file(dir.write("empty", "\n")), doctest::Contains("is empty"));
    CHECK_THROWS_WITH(read_secret_file(dir.path() / "absent"),
                      doctest::Contains("No such file or directory"));
    CHECK_THROWS_WITH(read_secret_file(dir.path()), doctest::Contains("not a regular file"));
    CHECK_THROWS_WITH(read_secret_file(dir.write("big", std::string(70000, 'x'))),
                      doctest::Contains("larger than"));
}

TEST_CASE("read_secret_env names a missing or empty variable, never a value") {
    Environment env({{"PW", "s3cret"}, {"EMPTY", ""}});
    CHECK(read_secret_env("PW", env).reveal() == "s3cret");
    CHECK_THROWS_WITH_AS(read_secret_env("ACME_PW", env), "environment variable ACME_PW is not set",
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(read_secret_env("EMPTY", env), "environment variable EMPTY is empty",
                         std::invalid_argument);
}
