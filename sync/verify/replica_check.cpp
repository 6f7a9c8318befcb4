#include "sync/verify/replica_check.hpp"

#include <fmt/format.h>

#include <map>
#include <optional>
#include <set>

#include "store/blob_store.hpp"
#include "store/child_marks.hpp"
#include "store/replica.hpp"
#include "store/stored_bodies.hpp"
#include "sync/resources.hpp"

namespace smartq::sync::verify {
namespace fs = std::filesystem;

namespace {

// sha256 -> a sentence naming one file row that holds it.
std::map<std::string, std::string> files_with_bodies(store::Replica& replica) {
    std::map<std::string, std::string> bodies;
    for (const auto& body : store::stored_bodies(replica))
        bodies.try_emplace(body.sha256,
                           fmt::format("file {} \"{}\"", body.file_id, body.file_name));
    return bodies;
}

void check_bodies(const std::map<std::string, std::string>& bodies, const fs::path& root,
                  ReplicaHealth& health) {
    bool present = fs::is_directory(root);
    std::optional<store::BlobStore> blobs;
    if (present)
        blobs.emplace(root);
    for (const auto& [sha256, file] : bodies) {
        if (!present || !blobs->has(sha256)) {
            health.problems.push_back(
                fmt::format("{}: its body {} is missing from {}", file, sha256, root.string()));
            continue;
        }
        ++health.bodies_checked;
        if (!blobs->verify(sha256)) {
            health.problems.push_back(
                fmt::format("{}: its body {} is corrupted (it no longer hashes to its name)", file,
                            blobs->path_of(sha256).string()));
        }
    }
}

void find_unreferenced(const std::map<std::string, std::string>& bodies, const fs::path& root,
                       ReplicaHealth& health) {
    if (!fs::is_directory(root))
        return;
    for (const auto& shard : fs::directory_iterator(root)) {
        if (!shard.is_directory() || shard.path().filename() == "tmp")
            continue;
        for (const auto& blob : fs::directory_iterator(shard.path())) {
            if (!bodies.contains(blob.path().filename().string()))
                health.notices.push_back(
                    fmt::format("blob {} is not referenced by any file row", blob.path().string()));
        }
    }
}

}  // namespace

ReplicaHealth check_replica(const fs::path& db, const fs::path& blobs) {
    ReplicaHealth health;
    if (!fs::exists(db)) {
        health.problems.push_back(
            fmt::format("there is no replica at {} (the account was never synced)", db.string()));
        return health;
    }
    try {
        auto replica = store::Replica::open(db, table_specs(), store::Mode::ReadOnly);
        health.problems = replica.integrity_check();
        // A ticket marked as read whose children are not all there: the next sync reads it
        // again (it drops such marks before it starts).
        for (const auto& gap : store::marks_without_children(replica, tables_below(Kind::Tickets)))
            health.problems.push_back(gap.sentence() + "; the next sync reads it again");
        auto bodies = files_with_bodies(replica);
        check_bodies(bodies, blobs, health);
        find_unreferenced(bodies, blobs, health);
    } catch (const store::StoreError& error) {
        health.problems.push_back(error.what());
    }
    return health;
}

}  // namespace smartq::sync::verify
