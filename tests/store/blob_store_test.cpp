#include <doctest/doctest.h>

#include <fstream>
#include <iterator>

#include "store/blob_store.hpp"
#include "store_fixture.hpp"

using namespace smartq::store;
using namespace smartq::store::testing;

namespace {

constexpr std::string_view kHelloSha =
    "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";

std::size_t files_in(const std::filesystem::path& directory) {
    return static_cast<std::size_t>(std::distance(std::filesystem::directory_iterator(directory),
                                                  std::filesystem::directory_iterator()));
}

std::size_t blob_count(const BlobStore& store) {
    std::size_t blobs = 0;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(store.root())) {
        blobs += entry.is_regular_file() && entry.path().parent_path().filename() != "tmp";
    }
    return blobs;
}

BlobId store_text(BlobStore& store, std::string_view text) {
    auto writer = store.begin();
    writer.write(text);
    return writer.commit(text.size());
}

std::string read_all(const std::filesystem::path& path) {
    std::ifstream file(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(file), {}};
}

}  // namespace

TEST_CASE("a blob is stored under its SHA-256") {
    ScratchDir dir;
    BlobStore store(dir / "blobs");
    auto writer = store.begin();
    writer.write(std::string_view("hel"));
    writer.write(std::string_view("lo"));
    auto id = writer.commit();
    CHECK(id == BlobId{std::string(kHelloSha), 5});
    CHECK(store.path_of(kHelloSha) == dir / "blobs/2c" / kHelloSha);
    CHECK(store.has(kHelloSha));
    CHECK(read_all(store.path_of(kHelloSha)) == "hello");
    CHECK(store.verify(kHelloSha));
    CHECK(files_in(dir / "blobs/tmp") == 0);
}

TEST_CASE("identical bodies are stored once") {
    ScratchDir dir;
    BlobStore store(dir / "blobs");
    auto first = store_text(store, "same body");
    auto writer = store.begin();
    writer.write(std::string_view("same body"));
    CHECK(writer.commit() == first);
    CHECK(files_in(dir / "blobs/tmp") == 0);  // dropped at commit, not when the writer goes
    CHECK(blob_count(store) == 1);
    CHECK(files_in(dir / "blobs/tmp") == 0);
    store_text(store, "");
    CHECK(blob_count(store) == 2);
}

TEST_CASE("a body of the wrong size is refused and leaves nothing") {
    ScratchDir dir;
    BlobStore store(dir / "blobs");
    auto writer = store.begin();
    writer.write(std::string_view("hello"));
    CHECK_THROWS_WITH_AS(writer.commit(6), doctest::Contains("has 5 bytes where 6 were expected"),
                         BlobError);
    CHECK_FALSE(store.has(kHelloSha));
    CHECK_THROWS_AS(writer.commit(5), BlobError);
    CHECK_FALSE(store.has(kHelloSha));
    CHECK(files_in(dir / "blobs/tmp") == 0);
}

TEST_CASE("a full disk while writing leaves no blob and no temp") {
    ScratchDir dir;
    BlobStore store(dir / "blobs");
    FailAfterBytes full(3);
    {
        store.inject_write_faults(&full);
        auto writer = store.begin();
        store.inject_write_faults(nullptr);
        CHECK_THROWS_WITH_AS(writer.write(std::string_view("hello")),
                             doctest::Contains("disk full while writing"), BlobError);
        CHECK_THROWS_AS(writer.write(std::string_view("x")), BlobError);
        CHECK_THROWS_AS(writer.commit(), BlobError);
    }
    CHECK(files_in(dir / "blobs/tmp") == 0);
    CHECK(blob_count(store) == 0);
    CHECK(store_text(store, "hello").sha256 == kHelloSha);
}

TEST_CASE("a writer dropped before commit removes its temp file") {
    ScratchDir dir;
    BlobStore store(dir / "blobs");
    {
        auto writer = store.begin();
        writer.write(std::string_view("partial"));
        CHECK(files_in(dir / "blobs/tmp") == 1);
    }
    CHECK(files_in(dir / "blobs/tmp") == 0);
    CHECK(blob_count(store) == 0);
}

TEST_CASE("stale temp files of a killed process are removed") {
    ScratchDir dir;
    BlobStore store(dir / "blobs");
    std::ofstream(dir / "blobs/tmp/blob-abandoned") << "half a body";
    std::ofstream(dir / "blobs/tmp/blob-other") << "x";
    CHECK(store.remove_stale_temps() == 2);
    CHECK(files_in(dir / "blobs/tmp") == 0);
    CHECK(store.remove_stale_temps() == 0);
}

TEST_CASE("verify detects a corrupted or missing blob") {
    ScratchDir dir;
    BlobStore store(dir / "blobs");
    auto id = store_text(store, "hello");
    std::filesystem::permissions(store.path_of(id.sha256), std::filesystem::perms::owner_write,
                                 std::filesystem::perm_options::add);
    std::ofstream(store.path_of(id.sha256), std::ios::binary) << "jello";
    CHECK_FALSE(store.verify(id.sha256));
    std::filesystem::remove(store.path_of(id.sha256));
    CHECK_FALSE(store.verify(id.sha256));
    CHECK_FALSE(store.has(id.sha256));
}

TEST_CASE("only a SHA-256 names a blob") {
    ScratchDir dir;
    BlobStore store(dir / "blobs");
    for (std::string_view bad :
         {"../../etc/passwd", "",
          "2CF24DBA5FB0A30E26E83B2AC5B9E29E1B161E5C1FA7425E73043362938B9824", "2cf24dba"}) {
        CAPTURE(bad);
        CHECK_THROWS_AS(store.path_of(bad), BlobError);
        CHECK_THROWS_AS(store.has(bad), BlobError);
    }
}

TEST_CASE("a blob store that cannot create its directory says where") {
    ScratchDir dir;
    std::ofstream(dir / "file") << "not a directory";
    CHECK_THROWS_WITH_AS(BlobStore(dir / "file/blobs"), doctest::Contains("file/blobs"), BlobError);
}

TEST_CASE("a stored blob that differs from its name is replaced when its body comes again") {
    ScratchDir dir;
    BlobStore store(dir / "blobs");
    // What a power loss can leave of a body renamed into place but not yet synced.
    std::filesystem::create_directories(dir / "blobs/2c");
    std::ofstream(store.path_of(kHelloSha), std::ios::binary) << "hel";
    REQUIRE_FALSE(store.verify(kHelloSha));
    CHECK(store_text(store, "hello") == BlobId{std::string(kHelloSha), 5});
    CHECK(read_all(store.path_of(kHelloSha)) == "hello");
    CHECK(files_in(dir / "blobs/tmp") == 0);
}

TEST_CASE("a sync that fails says so and leaves the bodies to the next sync") {
    ScratchDir dir;
    BlobStore store(dir / "blobs");
    FailCount syncs(1);
    store.inject_sync_faults(&syncs);
    store.sync();
    CHECK(syncs.calls() == 0);  // nothing to make durable: no call to the disk
    store_text(store, "hello");
    CHECK_THROWS_WITH_AS(store.sync(), doctest::Contains("syncing the file system of"), BlobError);
    store.sync();  // tries again: the bodies are still not known durable
    CHECK(syncs.calls() == 2);
    store.sync();
    CHECK(syncs.calls() == 2);
    store_text(store, "hello");  // stored before: it may still come from an unsynced run
    store.sync();
    CHECK(syncs.calls() == 3);
}
