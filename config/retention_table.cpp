#include "config/retention_table.hpp"

#include <array>
#include <string>
#include <string_view>

namespace smartq::config {
namespace {

constexpr int max_keep = 1'000'000;

constexpr std::array<std::string_view, 6> retention_keys{
    "keep_last", "keep_within", "keep_daily", "keep_weekly", "keep_monthly", "prune"};

}  // namespace

std::optional<RetentionConfig> read_retention(const TableReader& parent,
                                              const std::optional<RetentionConfig>& inherited,
                                              const std::filesystem::path& file) {
    const toml::node* node = parent.table().get("retention");
    if (node == nullptr) {
        return inherited;
    }
    if (const auto* off = node->as_boolean(); off && !off->get()) {
        return std::nullopt;
    }
    const toml::table* table = node->as_table();
    if (table == nullptr) {
        parent.fail(
            "retention",
            "expected a [" + parent.full_key("retention") + "] table or false, got " +
                (node->is_boolean() ? std::string("true") : std::string(type_name(node->type()))));
    }
    TableReader retention(*table, parent.full_key("retention"), file);
    retention.refuse_unknown_keys(retention_keys);
    auto count = [&](std::string_view key) {
        return static_cast<std::size_t>(retention.integer_in(key, 0, max_keep).value_or(0));
    };
    RetentionConfig out;
    out.keep_last = count("keep_last");
    out.keep_daily = count("keep_daily");
    out.keep_weekly = count("keep_weekly");
    out.keep_monthly = count("keep_monthly");
    out.keep_within = retention.duration("keep_within");
    out.prune = retention.get<bool>("prune", "true or false").value_or(true);
    if (!out.keep_last && !out.keep_daily && !out.keep_weekly && !out.keep_monthly &&
        !out.keep_within) {
        retention.fail_here(
            "no policy: set keep_last, keep_within, keep_daily, keep_weekly or keep_monthly");
    }
    return out;
}

}  // namespace smartq::config
