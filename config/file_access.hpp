#pragma once

#include <cstddef>
#include <filesystem>
#include <string>

namespace smartq::config {

struct FileContents {
    std::string bytes;
    std::filesystem::perms permissions;
};

// Reads a regular file of at most LIMIT bytes. The permissions come from the
// open descriptor, so they describe the very file that was read. Throws
// std::invalid_argument ("cannot read PATH: reason").
FileContents read_small_file(const std::filesystem::path& path, std::size_t limit);

// Throws std::invalid_argument unless PATH is a regular file this process
// can open for reading.
void check_readable_file(const std::filesystem::path& path);

bool readable_by_others(std::filesystem::perms permissions);

}  // namespace smartq::config
