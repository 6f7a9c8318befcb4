// What a restore POSTs for one source object: its writable fields as a form,
// every reference rewritten to the target's id through the id map, and a
// ticket's custom field values under the target's field names and value ids.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include <simdjson.h>

#include "sync/resources.hpp"
#include "sync/restore/id_map.hpp"
#include "sync/restore/report.hpp"

namespace smartq::sync::restore {

// The id map key of a custom field: field names are per project.
std::string field_map_key(std::int64_t source_project, const std::string& name);

// The writable fields of `object` (a source object of `kind`). A reference
// the map cannot resolve is dropped and reported as a problem.
std::string writable_form(Kind kind, simdjson::dom::element object, IdMap& ids, Report& report,
                          const std::string& project);

// RestoreHook::TicketCustomFields: the ticket's values, read in either shape.
// `choice_fields`: source field name -> whether its values are value ids.
std::string ticket_field_values(simdjson::dom::element ticket, std::int64_t source_project,
                                const std::map<std::string, bool>& choice_fields, IdMap& ids);

}  // namespace smartq::sync::restore
