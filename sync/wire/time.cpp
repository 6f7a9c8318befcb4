#include "time.hpp"

#include <fmt/format.h>

namespace smartq::wire {
namespace {

bool digits(std::string_view text, std::size_t pos, std::size_t count, int& out) {
    if (pos + count > text.size())
        return false;
    out = 0;
    for (std::size_t i = pos; i < pos + count; ++i) {
        if (text[i] < '0' || text[i] > '9')
            return false;
        out = out * 10 + (text[i] - '0');
    }
    return true;
}

}  // namespace

std::optional<Seconds> parse_time(std::string_view text) {
    using namespace std::chrono;
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
    if (!digits(text, 0, 4, y) || text.size() < 10 || text[4] != '-' || !digits(text, 5, 2, mo) ||
        text[7] != '-' || !digits(text, 8, 2, d)) {
        return std::nullopt;
    }
    year_month_day date{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
    if (!date.ok())
        return std::nullopt;
    std::size_t pos = 10;
    if (pos < text.size()) {
        if ((text[pos] != ' ' && text[pos] != 'T') || !digits(text, pos + 1, 2, h) ||
            text.size() < pos + 6 || text[pos + 3] != ':' || !digits(text, pos + 4, 2, mi)) {
            return std::nullopt;
        }
        pos += 6;
        if (pos < text.size() && text[pos] == ':') {
            if (!digits(text, pos + 1, 2, s))
                return std::nullopt;
            pos += 3;
        }
        if (pos < text.size() && text[pos] == '.') {  // fractional seconds are dropped
            ++pos;
            while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9')
                ++pos;
        }
    }
    if (h > 23 || mi > 59 || s > 60)
        return std::nullopt;
    int offset_minutes = 0;
    if (pos < text.size()) {
        char sign = text[pos];
        int oh = 0, om = 0;
        if (sign == 'Z' && pos + 1 == text.size()) {
            pos += 1;
        } else if ((sign == '+' || sign == '-') && digits(text, pos + 1, 2, oh)) {
            std::size_t mpos = pos + 3;
            if (mpos < text.size() && text[mpos] == ':')
                ++mpos;
            if (!digits(text, mpos, 2, om) || mpos + 2 != text.size())
                return std::nullopt;
            offset_minutes = (oh * 60 + om) * (sign == '-' ? -1 : 1);
            pos = text.size();
        } else {
            return std::nullopt;
        }
    }
    auto t = sys_days{date} + hours{h} + minutes{mi} + seconds{s} - minutes{offset_minutes};
    return time_point_cast<seconds>(t);
}

std::string format_time(Seconds t) {
    using namespace std::chrono;
    auto day_point = floor<days>(t);
    year_month_day date{day_point};
    hh_mm_ss clock{t - day_point};
    return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}", static_cast<int>(date.year()),
                       static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                       clock.hours().count(), clock.minutes().count(), clock.seconds().count());
}

Seconds now_seconds() {
    return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

}  // namespace smartq::wire
