#include "sync/files/attachment_downloader.hpp"

#include <span>

#include "sync/resources.hpp"

namespace smartq::sync {
namespace asio = boost::asio;

AttachmentDownloader::AttachmentDownloader(http::ApiClient& client, store::Replica& replica,
                                           store::BlobStore& blobs)
    : client_(client), replica_(replica), blobs_(blobs) {
    replica_.before_commit([this] { blobs_.sync(); });
}

AttachmentDownloader::~AttachmentDownloader() {
    replica_.before_commit({});
}

bool AttachmentDownloader::has_body(std::int64_t file_id) {
    const auto& files = resource(Kind::Files);
    store::Value key{file_id};
    auto stored = replica_.find(files.table, std::span(&key, 1));
    if (!stored)
        return false;
    const auto& columns = files.table.columns;
    for (std::size_t i = 0; i < columns.size(); ++i) {
        if (columns[i].name != "sha256")
            continue;
        const auto* sha = std::get_if<std::string>(&stored->columns[i]);
        return sha && blobs_.has(*sha);
    }
    return false;
}

asio::awaitable<Download> AttachmentDownloader::fetch(std::string target, std::int64_t file_id,
                                                      std::optional<std::uint64_t> size) {
    std::optional<store::BlobWriter> writer(blobs_.begin());
    Download download;
    download.received = co_await client_.download(
        target,
        [&](std::string_view chunk) { writer->write(std::span(chunk.data(), chunk.size())); },
        [&] { writer.emplace(blobs_.begin()); });  // a retry starts the body again
    if (size && download.received != *size)
        co_return download;
    auto blob = writer->commit();
    const auto& files = resource(Kind::Files);
    store::Value key{file_id};
    auto tx = replica_.begin();
    replica_.set_column(files.table, std::span(&key, 1), "sha256", blob.sha256);
    replica_.set_column(files.table, std::span(&key, 1), "size",
                        static_cast<std::int64_t>(blob.size));
    tx.commit();
    download.blob = blob;
    co_return download;
}

}  // namespace smartq::sync
