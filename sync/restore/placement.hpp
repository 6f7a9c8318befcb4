// The heart of the restore's idempotence: a source object is reused where
// the id map or the target already has it, and created otherwise, with the id
// map written before the POST (pending) and after it (mapped). Whatever a
// killed or interrupted run left behind, the next one finds instead of
// creating it twice; whatever it cannot be sure of, it leaves for a later run.
#pragma once

#include <utility>

#include <boost/asio/awaitable.hpp>
#include <optional>
#include <string>

#include "sync/http/api_client.hpp"
#include "sync/pager.hpp"
#include "sync/resources.hpp"
#include "sync/restore/id_map.hpp"
#include "sync/restore/report.hpp"
#include "sync/restore/target_index.hpp"
#include "sync/restore/writer.hpp"

namespace smartq::sync::restore {

// Where a source object ended up in the target.
struct Placed {
    std::string key;     // target id (or field name)
    bool fresh = false;  // created now: nothing below it can exist in the target yet
};

// One source object to place: what it is, where it goes, how it is known.
struct Placement {
    Kind kind = Kind::Users;
    std::string old_key;  // the id map's key of the source object
    std::string natural;  // its natural key (see natural_key)
    // What the target holds under the parent; null when the parent was
    // created just now (nothing can be there yet).
    TargetIndex* existing = nullptr;
    Context where;        // the target parent
    std::string project;  // the source project's name, for the report
};

class Placer {
  public:
    // `reader` asks the target (listings, an object's own GET); `into_source`:
    // the target is the backed-up account, whose objects are never modified
    // and may be adopted by several source objects.
    Placer(http::ApiClient& reader, Writer& writer, IdMap& ids, Report& report,
           bool into_source);

    // Reuses or POSTs `form`. `update`: an object adopted by natural key is
    // PUT the form first (a server's default step differs in the rest).
    // nullopt when the object was refused or left for a later run (reported).
    boost::asio::awaitable<std::optional<Placed>> place(Placement what, std::string form,
                                                        bool update = false);
    // Creates the object with a prepared write (a file upload), once
    // existing_object found nothing.
    boost::asio::awaitable<std::optional<Placed>> create(const Placement& what, Write write);
    // Only what the id map or the target already has.
    boost::asio::awaitable<std::optional<Placed>> existing_object(
        const Placement& what, const std::string* update = nullptr);

    // Whether a mapped object is still in the target: the listing, else its
    // own GET (a listing may miss it); only a 404 means it is gone.
    boost::asio::awaitable<bool> still_there(Kind kind, const Context& where,
                                             const std::string& key, TargetIndex& existing);

    // The finishing PUT (RestoreFacts::finishing_flag) of a placed object.
    boost::asio::awaitable<void> finish(Kind kind, const Context& where, const std::string& key);
    // What the server made on its own under a parent this restore created and
    // no source object adopted: removed, and named in the report.
    boost::asio::awaitable<void> remove_unadopted(Kind kind, const Context& where,
                                                  const TargetIndex& existing,
                                                  const std::string& project);
    // The PUT that makes a role the project's default; the role's key.
    boost::asio::awaitable<std::optional<std::string>> set_default_role(const Context& where,
                                                                        std::string form);

    boost::asio::awaitable<TargetIndex> read(Kind kind, Context where);
    // The listing of `where`, or nothing when it was created just now.
    boost::asio::awaitable<std::optional<TargetIndex>> read_unless_fresh(Kind kind, bool fresh,
                                                                         Context where);

    void fail(Kind kind, const std::string& old_key, const std::string& project,
              const std::string& why);
    void skip(Kind kind, const std::string& old_key, const std::string& project,
              const std::string& why);

    IdMap& ids() { return ids_; }
    Report& report() { return report_; }
    bool into_source() const { return into_source_; }

  private:
    bool taken(Kind kind, const std::string& target_key);

    http::ApiClient& reader_;
    Writer& writer_;
    IdMap& ids_;
    Report& report_;
    bool into_source_;
    PageCaps page_caps_;
};

}  // namespace smartq::sync::restore
