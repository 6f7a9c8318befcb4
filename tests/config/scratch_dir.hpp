#pragma once

#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>

namespace smartq::config::testing {

// A fresh directory under $TMPDIR, removed with everything in it.
class ScratchDir {
  public:
    ScratchDir() {
        std::string pattern =
            (std::filesystem::temp_directory_path() / "smartq-config-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) {
            throw std::runtime_error("mkdtemp failed");
        }
        path_ = pattern;
    }
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;
    ~ScratchDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }

    const std::filesystem::path& path() const { return path_; }

    // Writes NAME (relative to the directory) with MODE and returns its path.
    std::filesystem::path write(const std::filesystem::path& name, std::string_view text,
                                mode_t mode = 0600) const {
        auto file = path_ / name;
        std::filesystem::create_directories(file.parent_path());
        std::ofstream(file, std::ios::binary | std::ios::trunc) << text;
        if (::chmod(file.c_str(), mode) != 0) {
            throw std::runtime_error("chmod failed");
        }
        return file;
    }

  private:
    std::filesystem::path path_;
};

}  // namespace smartq::config::testing
