// The sandbox's account: an in-memory, typed model of one smartQ account and
// every /api/v1 resource on it (all but oauth2, which the server answers).
// Everything runs on the server's single io_context thread: no locks.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "api.hpp"
#include "sync/wire/time.hpp"

namespace smartq::sandbox {

struct AdminUser {
    std::string login, password;  // the seeded account administrator (user id 1)
};

struct Model;

class Account {
  public:
    // Seeds a deterministic account: the same (seed, size, admin) always gives
    // the same objects, ids and seeded times.
    static std::unique_ptr<Account> create(std::uint64_t seed, Size size, AdminUser admin);
    ~Account();

    // Answers one authenticated request (path after /api/v1). Never throws:
    // errors come back in the guide's envelope with a matching status.
    ApiResponse handle(const ApiRequest& request);

    // The user id for a valid login (the user's email) and password.
    std::optional<std::int64_t> check_password(std::string_view login,
                                               std::string_view password) const;

    void set_wire(const WireOptions& wire);
    const WireOptions& wire() const;

    // Applies `count` deterministic random changes of every kind through the
    // same code paths as API writes. Returns JSON
    // {"changes":[{"kind","resource","id","project_id","ticket_id"}...]}.
    // silent: some note edits leave their ticket's update_time alone.
    std::string mutate(std::uint64_t seed, int count, bool silent);

    // Every time the account sets is `at` from now on (nullopt: the real clock again).
    void stop_clock(std::optional<wire::Seconds> at);

    // Canonical JSON of the whole account, independent of the wire options.
    std::string dump() const;

  private:
    explicit Account(std::unique_ptr<Model> model);
    std::unique_ptr<Model> model_;
};

// Compares two dumps modulo ids, server-set times and authors. Returns JSON
// {"equal":bool,"differences":["tickets: 'Fix login' in project 'Alpha' missing in b",...]}.
// Throws std::invalid_argument when either text is not a dump.
std::string compare_dumps(std::string_view a, std::string_view b);

// "empty", "tiny", "small", "medium", "large"; throws std::invalid_argument.
Size parse_size(std::string_view name);

}  // namespace smartq::sandbox
