// Replays the plan into the target account: the walk over the resource tree
// in dependency order, each object placed (reused or created) by the Placer.
// An object's children start as soon as it exists, not when its kind is done
// everywhere: a project's fields while its steps are created, a ticket's
// notes while other tickets are, a reply as soon as its parent note exists.
// The ApiClient's semaphore bounds the requests in flight.
#pragma once

#include <utility>

#include <boost/asio/awaitable.hpp>
#include <cstddef>
#include <memory>

#include "store/blob_store.hpp"
#include "sync/http/api_client.hpp"
#include "sync/restore/id_map.hpp"
#include "sync/restore/passwords.hpp"
#include "sync/restore/plan.hpp"
#include "sync/restore/report.hpp"
#include "sync/restore/writer.hpp"

namespace smartq::sync::restore {

struct ReplayOptions {
    bool into_source = false;       // the target is the backed-up account: never modify what exists
    bool annotate_authors = false;  // prefix restored notes with their author and time
    // Tickets whose subtrees are being restored at once: enough to keep every
    // request slot busy while one ticket waits on its replies' parents.
    std::size_t tickets_in_flight = 64;
};

class Replayer {
  public:
    // `reader` lists the target and GETs single objects, with the transport's
    // retries; `writer` sends (or, in a dry run, records) the writes.
    Replayer(http::ApiClient& reader, Writer& writer, PlanReader& plan, IdMap& ids,
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
