// Attachment names come from the account: "../../.bashrc", "a/b", "con:",
// names with control characters. Written to disk they must stay inside their
// directory and never overwrite each other.
#pragma once

#include <set>
#include <string>
#include <string_view>

namespace smartq::view {

// `name` as one harmless file name: no path separators, control or
// Windows-reserved characters (each becomes '_'), no leading dots or spaces,
// at most 200 bytes (cut on a UTF-8 boundary, the extension kept), never
// empty ("file").
std::string safe_file_name(std::string_view name);

// Hands out the safe names of one directory: a name already taken gets a
// suffix before its extension ("report.pdf", "report-2.pdf", ...).
class DirectoryNames {
  public:
    std::string claim(std::string_view name);

  private:
    std::set<std::string> taken_;
};

}  // namespace smartq::view
