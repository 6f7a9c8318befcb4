// What a value means, whatever the server's spelling: the ids it holds, and
// whether it holds nothing at all. The one reader of ids inside a value and
// the one normaliser of empty values, for the sync, the restore and the
// verification alike.
#pragma once

#include <cstdint>
#include <vector>

#include <simdjson.h>

namespace smartq::wire {

// The ids a value holds: one id (42 or "42"), a list of ids, a list of {id}
// objects, one {id} object, or an object keyed by id. An id of 0 ("0") is no
// reference: servers write a root note's parent so.
std::vector<std::int64_t> ids_in(simdjson::dom::element value);

// Whether a value says "nothing": null, "", [], {}, or a zero date
// ("0000-00-00 00:00:00", "0000-00-00") as MySQL gives an unset date.
bool is_empty_value(simdjson::dom::element value);

}  // namespace smartq::wire
