// Replays the plan into the target account: POSTs in dependency order with
// every reference remapped through the id map, the PUTs a faithful copy needs
// (default role, archived tickets, done tasks), and a natural-key look-up in
// the target wherever an object may already exist there. The ApiClient's
// semaphore bounds the requests in flight; independent objects (projects, the
// tickets of a project, the notes of one thread depth) go in parallel.
#pragma once

#include <utility>

#include <boost/asio/awaitable.hpp>
#include <cstddef>
#include <memory>
#include <string>

#include "store/blob_store.hpp"
#include "sync/http/api_client.hpp"
#include "sync/restore/id_map.hpp"
#include "sync/restore/passwords.hpp"
#include "sync/restore/plan.hpp"
#include "sync/restore/report.hpp"

namespace smartq::sync::restore {

struct ReplayOptions {
    bool dry_run = false;           // only GETs: count what would be created
    bool into_source = false;       // the target is the backed-up account: never modify what exists
    bool annotate_authors = false;  // prefix restored notes with their author and time
    std::size_t tickets_in_flight = 16;  // tickets being restored at once, per project
};

class Replayer {
  public:
    // `reader` lists the target and sends the idempotent PUTs with its own
    // retries. `writer` sends the POSTs and must not retry (max_attempts 1):
    // a POST whose answer is lost may have created its object, so the replayer
    // looks for it in the target before it sends it again.
    Replayer(http::ApiClient& reader, http::ApiClient& writer, PlanReader& plan, IdMap& ids,
             store::BlobStore& blobs, UserPasswords& passwords, ReplayOptions options,
             Report& report);
    ~Replayer();

    // Throws HttpError when the target cannot be reached or refuses the
    // credentials; a refused object is counted failed and the rest goes on.
    boost::asio::awaitable<void> run();

  private:
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace smartq::sync::restore
