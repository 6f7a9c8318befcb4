// Text that is not valid UTF-8, made valid without losing its neighbours: one invalid byte in one
// ticket's description must not make the whole page of tickets unparsable (simdjson validates
// UTF-8 as it parses). Header-only so that the transport can use it without linking the wire
// library.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <simdjson.h>

namespace smartq::wire {

inline constexpr std::string_view kReplacementCharacter = "\xEF\xBF\xBD";  // U+FFFD

// Replaces each ill-formed sequence of `text` with U+FFFD, as the Unicode standard's "maximal
// subpart" practice does (a truncated sequence is one replacement, each stray byte one);
// returns how many it replaced. Valid text is left as it is, checked at SIMD speed.
inline std::size_t repair_utf8(std::string& text) {
    if (simdjson::validate_utf8(text.data(), text.size()))
        return 0;
    auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    std::string out;
    out.reserve(text.size() + 16);
    std::size_t repairs = 0;
    for (std::size_t i = 0; i < text.size();) {
        unsigned char lead = byte(i);
        std::size_t length = lead < 0x80                    ? 1
                             : lead >= 0xC2 && lead <= 0xDF ? 2
                             : lead >= 0xE0 && lead <= 0xEF ? 3
                             : lead >= 0xF0 && lead <= 0xF4 ? 4
                                                            : 0;
        // The second byte's range depends on the lead (no overlongs, surrogates, > U+10FFFF).
        unsigned char low = lead == 0xE0 ? 0xA0 : lead == 0xF0 ? 0x90 : 0x80;
        unsigned char high = lead == 0xED ? 0x9F : lead == 0xF4 ? 0x8F : 0xBF;
        std::size_t good = length == 0 ? 0 : 1;
        while (good < length && i + good < text.size()) {
            unsigned char next = byte(i + good);
            bool fits = good == 1 ? next >= low && next <= high : next >= 0x80 && next <= 0xBF;
            if (!fits)
                break;
            ++good;
        }
        if (length != 0 && good == length) {
            out.append(text, i, length);
        } else {
            out += kReplacementCharacter;
            ++repairs;
        }
        i += good == 0 ? 1 : good;
    }
    text = std::move(out);
    return repairs;
}

}  // namespace smartq::wire
