// Debian's Chromium, headless, as the reader of the tests: it loads a page
// (file:// or http://), runs what the page would run, and hands back the DOM.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "support/temp_dir.hpp"

namespace smartq::test {

class Browser {
  public:
    // $SMARTQ_TEST_CHROMIUM, else /usr/bin/chromium; nullopt when it is not installed.
    static std::optional<std::filesystem::path> find();

    explicit Browser(std::filesystem::path program);

    // The document after loading `url` and running its scripts, serialised; throws
    // std::runtime_error when Chromium fails or takes more than a minute.
    std::string dom(const std::string& url);

  private:
    std::string run(const std::vector<std::string>& args);
    std::filesystem::path program_;
    TempDir profile_;
};

}  // namespace smartq::test
