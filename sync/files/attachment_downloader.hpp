// The attachment download of DESIGN.md's data flow: a file row's body streams from the server
// into a temp file of the blob store, hashed as it comes, and only a body of the size its
// metadata states is moved into place and recorded on the row. A body once stored is verified
// by its name and never fetched again. While a downloader lives, every COMMIT of the replica
// first makes the bodies stored so far durable (BlobStore::sync): a row names only a body a
// power loss cannot take.
#pragma once

#include <utility>

#include <boost/asio/awaitable.hpp>
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
    AttachmentDownloader(const AttachmentDownloader&) = delete;
    AttachmentDownloader& operator=(const AttachmentDownloader&) = delete;
    ~AttachmentDownloader();

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
};

}  // namespace smartq::sync
