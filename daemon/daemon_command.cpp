// `smartq-backup daemon`: the scheduler, signals, the service manager's
// notifications and the metrics listener around one io_context.
#include <utility>

#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cstring>
#include <memory>

#include "daemon/commands.hpp"
#include "daemon/exit_codes.hpp"
#include "daemon/metrics.hpp"
#include "daemon/notify.hpp"
#include "daemon/scheduler.hpp"
#include "sync/account_sync.hpp"

namespace smartq::daemon {
namespace asio = boost::asio;
namespace {

// Past this, a stop that is still waiting for a run gives up on it: the
// replica's open transaction rolls back, which leaves it consistent.
constexpr auto stop_grace = std::chrono::seconds(20);

class Daemon {
  public:
    Daemon(asio::io_context& io, const DaemonArgs& args,
           const std::function<config::Config()>& reload)
        : io_(io),
          args_(args),
          reload_(reload),
          metrics_(SMARTQ_VERSION),
          scheduler_(io.get_executor(), metrics_,
                     [this] { notifier_.status(scheduler_.describe()); }),
          signals_(io, SIGINT, SIGTERM, SIGHUP),
          watchdog_(io),
          deadline_(io) {}

    void start(const config::Config& config) {
        apply(config);
        wait_for_signal();
        if (auto period = Notifier::watchdog_period()) {
            asio::co_spawn(io_, ping_watchdog(*period), asio::detached);
        }
        notifier_.ready();
        notifier_.status(scheduler_.describe());
        spdlog::info("daemon started: {} account(s) from {}", accounts_, config.source.string());
    }

    int exit_code() const { return forced_ ? kTempFail : kOk; }

  private:
    // Everything that can fail is checked before anything changes, so a bad
    // configuration leaves the running one whole.
    void apply(const config::Config& config) {
        std::vector<config::AccountConfig> accounts;
        for (const auto* account : select_accounts(config, args_.accounts))
            accounts.push_back(*account);
        if (config.metrics_listen != metrics_address_)
            listen(config.metrics_listen);
        spdlog::default_logger()->set_level(spdlog::level::from_str(config.log_level));
        scheduler_.apply(accounts, sync::daemon_pacer(config, io_.get_executor()));
        accounts_ = accounts.size();
    }

    void listen(const std::optional<std::string>& address) {
        std::unique_ptr<MetricsServer> server;
        if (address) {
            try {
                server = std::make_unique<MetricsServer>(io_.get_executor(), *address, metrics_);
            } catch (const std::runtime_error& e) {
                throw config::ConfigError(std::string("metrics_listen: ") + e.what());
            }
        }
        metrics_server_ = std::move(server);
        metrics_address_ = address;
    }

    void wait_for_signal() {
        signals_.async_wait([this](boost::system::error_code ec, int signal) {
            if (ec)
                return;
            if (signal == SIGHUP) {
                reload();
            } else {
                stop(signal);
            }
            if (!finished_)
                wait_for_signal();
        });
    }

    void reload() {
        if (stopping_)
            return;
        notifier_.reloading();
        spdlog::info("reloading the configuration");
        try {
            apply(reload_());
            spdlog::info("configuration reloaded: {} account(s)", accounts_);
        } catch (...) {
            spdlog::error("the new configuration is not used, the old one stays: {}",
                          describe(std::current_exception()).message);
        }
        notifier_.ready();
        notifier_.status(scheduler_.describe());
    }

    void stop(int signal) {
        if (stopping_) {
            spdlog::info("already stopping");
            return;
        }
        stopping_ = true;
        spdlog::info("{}: stopping; running syncs commit what they fetched", strsignal(signal));
        notifier_.stopping();
        notifier_.status("stopping");
        deadline_.expires_after(stop_grace);
        deadline_.async_wait([this](boost::system::error_code ec) {
            if (ec)
                return;
            spdlog::error("a sync did not stop within {} s; leaving it unfinished",
                          stop_grace.count());
            forced_ = true;
            io_.stop();
        });
        scheduler_.stop([this] { finish(); });
    }

    void finish() {
        spdlog::info("daemon stopped");
        finished_ = true;
        signals_.cancel();
        watchdog_.cancel();
        deadline_.cancel();
        metrics_server_.reset();
    }

    asio::awaitable<void> ping_watchdog(std::chrono::microseconds period) {
        while (!stopping_) {
            notifier_.watchdog();
            watchdog_.expires_after(period);
            boost::system::error_code ec;
            co_await watchdog_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        }
    }

    asio::io_context& io_;
    const DaemonArgs& args_;
    const std::function<config::Config()>& reload_;
    Notifier notifier_;
    Metrics metrics_;
    Scheduler scheduler_;
    std::unique_ptr<MetricsServer> metrics_server_;
    std::optional<std::string> metrics_address_;
    asio::signal_set signals_;
    asio::steady_timer watchdog_;
    asio::steady_timer deadline_;
    std::size_t accounts_ = 0;
    bool stopping_ = false;
    bool finished_ = false;  // nothing runs any more: io_context may end
    bool forced_ = false;
};

}  // namespace

int run_daemon(const config::Config& config, const DaemonArgs& args,
               const std::function<config::Config()>& reload) {
    asio::io_context io;
    Daemon daemon(io, args, reload);
    daemon.start(config);
    io.run();
    return daemon.exit_code();
}

}  // namespace smartq::daemon
