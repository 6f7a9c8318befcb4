#include "browser.hpp"

#include <chrono>
#include <cstdlib>
#include <stdexcept>
#include <vector>

#include "support/child_process.hpp"

namespace smartq::test {

std::optional<std::filesystem::path> Browser::find() {
    const char* configured = std::getenv("SMARTQ_TEST_CHROMIUM");
    std::filesystem::path program = configured && *configured ? configured : "/usr/bin/chromium";
    if (!std::filesystem::exists(program))
        return std::nullopt;
    return program;
}

Browser::Browser(std::filesystem::path program) : program_(std::move(program)) {}

std::string Browser::run(const std::vector<std::string>& args) {
    // --no-sandbox: test machines run as root, where Chromium's sandbox refuses to start.
    std::vector<std::string> all{"--headless",       "--no-sandbox",
                                 "--disable-gpu",    "--no-first-run",
                                 "--disable-extensions", "--disable-background-networking",
                                 "--user-data-dir=" + profile_.path().string()};
    all.insert(all.end(), args.begin(), args.end());
    ChildProcess chromium(program_, all);
    auto status = chromium.wait(std::chrono::seconds(60));
    if (!status || status->code != 0)
        throw std::runtime_error("chromium failed on " + args.back() + ": " + chromium.stderr_text());
    return chromium.stdout_text();
}

std::string Browser::dom(const std::string& url) {
    return run({"--dump-dom", url});
}

}  // namespace smartq::test

