// Logs go to the journal only when stderr really is the journal's stream.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "daemon/logging.hpp"
#include "support/temp_dir.hpp"

using smartq::daemon::is_journal_stream;

TEST_CASE("JOURNAL_STREAM names stderr only when its device and inode are those of the file") {
    smartq::test::TempDir dir;
    auto path = (dir / "stream").string();
    int fd = ::open(path.c_str(), O_CREAT | O_WRONLY, 0600);
    REQUIRE(fd >= 0);
    struct stat file {};
    REQUIRE(::fstat(fd, &file) == 0);
    auto device = std::to_string(file.st_dev), inode = std::to_string(file.st_ino);
    CHECK(is_journal_stream(fd, device + ":" + inode));
    // Stale: a stream systemd gave to a parent whose child's stderr is a file.
    CHECK_FALSE(is_journal_stream(fd, device + ":" + std::to_string(file.st_ino + 1)));
    CHECK_FALSE(is_journal_stream(fd, std::to_string(file.st_dev + 1) + ":" + inode));
    for (const auto& junk :
         std::vector<std::string>{"", ":", "1", device + ":", ":" + inode,
                                  device + ":" + inode + "x", "-" + device + ":" + inode}) {
        CAPTURE(junk);
        CHECK_FALSE(is_journal_stream(fd, junk));
    }
    ::close(fd);
    CHECK_FALSE(is_journal_stream(fd, device + ":" + inode));
}
