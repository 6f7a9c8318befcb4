// The attachment download of DESIGN.md's data flow: a file row's body streams from the server
// into a temp file of the blob store, hashed as it comes, and only a body of the size its
// metadata states is moved into place and recorded on the row. A body once stored is verified
// by its name and never fetched again.
//
// Moving a body into place waits on the disk (fsync of the file and of its directory) for
// milliseconds: that runs on a thread of its own, so the other requests in flight are read
// meanwhile instead of waiting with it.
#pragma once

#include <utility>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>
#include <cstdint>
#include <optional>
#include <string>

#include "store/blob_store.hpp"
#include "store/replica.hpp"
#include "sync/http/api_client.hpp"

namespace smartq::sync {

struct Download {
    std::uint64_t received = 0;         // bytes of the body as the server sent it
    std::optional<store::BlobId> blob;  // empty: the body disagreed with its metadata's size
};

class AttachmentDownloader {
  public:
    AttachmentDownloader(http::ApiClient& client, store::Replica& replica, store::BlobStore& blobs);

    // Whether the file's row names a body the blob store holds.
    bool has_body(std::int64_t file_id);
    // Streams the body at `target` (the file's download URL) into the store and records its
    // digest and size on the row. The transport's errors come through as they are.
    boost::asio::awaitable<Download> fetch(std::string target, std::int64_t file_id,
                                           std::optional<std::uint64_t> size);

  private:
    http::ApiClient& client_;
    store::Replica& replica_;
    store::BlobStore& blobs_;
    boost::asio::thread_pool disk_{1};
};

}  // namespace smartq::sync
