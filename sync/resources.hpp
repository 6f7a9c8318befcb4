// The one declarative table of smartQ resources. The crawler, the schema, the
// change detection and the restore are all driven from it: adding a resource,
// a typed column, or a field the restore must remap is a change here only.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "store/table_spec.hpp"
#include "sync/table_specs.hpp"

namespace smartq::sync {

// The kinds the code names: the roots, the hooks and what a reference points to. A row
// that no code names takes the next number after them (see resources.cpp); the walks know
// it by its place in the tree.
enum class Kind : std::uint8_t {
    Users,
    Projects,
    Roles,
    Steps,
    CustomFields,
    CustomFieldValues,
    Tickets,
    Notes,
    Tasks,
    Files,
};

// How a typed column's value is read from the object.
enum class Convert {
    Id,       // 42 or "42" -> integer
    Bool,     // true/1/"1"/"true" -> 1
    Integer,  // a number or its text -> integer
    Number,   // -> real
    Text,     // a string or the text of a number
    Context,  // not in the object: the parent's key from the URL (project_id, ticket_id, ...)
    Local,    // not from the server at all: written by the sync itself (files.sha256)
};

struct Column {
    store::ColumnSpec spec;
    std::string_view source;  // JSON member; for Context the Context member name
    Convert convert;
};

// A field holding the id of another resource: the restore remaps it.
struct Reference {
    std::string_view field;  // JSON member, e.g. "step_id", "assigned_to", "parent_id"
    Kind target;
    bool list = false;  // a list of ids (assigned_to)
};

// One member of a natural key: what identifies an object within its parent
// when ids differ. A flag is read as 1/0 whatever the server's spelling.
struct KeyField {
    std::string_view name = {};
    bool flag = false;
};

// The few resources a restore cannot write from the table alone, named so
// that the walk handles each in one place.
enum class RestoreHook {
    None,
    NewUserPassword,     // a user the target lacks is created with a password, written down
    TicketCustomFields,  // values under the target's field names and value ids
    DefaultRole,         // the project's default role is set by PUT roles/default
    NoteThreads,         // a reply is created under its parent's new id
    FileBodies,          // an upload of the stored body, checked before it is sent
};

// How a row a listing no longer shows is proven gone before it is tombstoned.
enum class Deletion {
    OwnUrl,       // its own URL answers 404
    TwoListings,  // it has no URL of its own: two listings taken at different times lack it
};

// A member of the parent object and the text it must have for the parent to hold objects of a
// resource: only a choice field has values, so only its values are listed.
struct ParentCondition {
    std::string_view member = {};
    std::string_view text = {};
};

// What a restore needs to know of a resource beyond its writable fields.
struct RestoreFacts {
    std::vector<KeyField> natural_key = {};
    // Kinds placed before this one's objects beyond those its references name: an order the
    // objects imply where no field names the other (a ticket's custom field values name their
    // fields and values inside one member, which no Reference describes).
    std::vector<Kind> after = {};
    // A project this restore creates comes with some of these of the server's own: they are
    // adopted by natural key (and given the source's fields), the others removed.
    bool server_made = false;
    ParentCondition only_under = {};
    // A flag set by a PUT once the object's children exist (an archived ticket
    // refuses new notes; a required field refuses tickets that lack it).
    std::string_view finishing_flag = {};
    RestoreHook hook = RestoreHook::None;
    // Listings: the member the server sorts by, and whether the guide pages
    // the list (a repeated page then means offset is ignored, not the end).
    std::string_view order = {};
    bool paged_by_guide = false;
    // How a report names one object where its envelope does not say it ("custom field").
    std::string_view noun = {};
};

// Where an object sits: the keys of its ancestors, from the URL it was listed at.
struct Context {
    std::int64_t project_id = 0;
    std::int64_t ticket_id = 0;
    std::int64_t note_id = 0;
    std::string field_name;
    // Field name -> true for choice fields: their ticket values are value ids.
    const std::map<std::string, bool, std::less<>>* choice_fields = nullptr;
};

struct Resource {
    Kind kind;
    std::string_view name;  // "tickets": also the table and change-log name
    std::optional<Kind> parent;
    std::string_view path;         // list path; {project} {ticket} {note} {field}
    std::string_view list_params;  // always sent when listing ("archived=2&...")
    int page_size;                 // the count we ask for
    std::string_view envelope;     // POST/PUT array name: "ticket"
    std::vector<Column> columns;   // key columns first (see key_columns)
    std::size_t key_columns;
    std::vector<std::string_view> writable;  // fields a restore may send
    std::vector<Reference> references;
    RestoreFacts restore;
    Deletion deletion = Deletion::OwnUrl;
    // The crawl refuses a sweep that would tombstone more than half of the live rows under one
    // parent, from this many live rows on (0: never): users from two, since a changed key or
    // an empty answer loses them first; projects and a project's tickets from ten, below which
    // deleting most of them is an ordinary day. Every tombstone is also confirmed by the server.
    std::int64_t deletion_guard = 0;
    store::TableSpec table;  // derived from columns
};

const std::vector<Resource>& resources();
const Resource& resource(Kind kind);

// The tree the table declares. The resources whose parent is `parent` (the account's own
// with nullopt), in table order, which is the order of every walk.
std::vector<const Resource*> children(std::optional<Kind> parent);
// Whether `kind` lies below `ancestor` (not itself).
bool below(Kind kind, Kind ancestor);
// The resources below `ancestor`, in table order.
std::vector<const Resource*> descendants(Kind ancestor);

// Their table names: what a ticket's mark counts (store/child_marks.hpp).
std::vector<std::string_view> tables_below(Kind ancestor);

// The context of an object's children: `at` with the object's key (its id, or a custom
// field's name) in the place its children's paths name it ({ticket} -> ticket_id).
Context within(const Resource& parent, Context at, const std::string& key);
// Whether an object's `member` names where it sits (project_id, ticket_id, note_id,
// field_name): a column some resource reads from the URL it was listed at.
bool names_a_parent(std::string_view member);
// A parent column's value in a context: project_id, ticket_id, note_id or field_name.
store::Value context_value(const Context& context, std::string_view column);
// The columns of a resource that name its parent object, with their values in `context`:
// what its rows under one parent are asked for by.
std::vector<std::pair<std::string_view, store::Value>> parent_columns(const Resource& resource,
                                                                      const Context& context);

// "/projects/5/tickets/7/notes" from a resource's path template and a context.
std::string list_path(const Resource& resource, const Context& context);

// The replica record of one object as received; throws wire::WireError when a
// key is missing or unreadable.
store::Record make_record(const Resource& resource, simdjson::dom::element object,
                          const Context& context);

// The object's id as the server sent it (every resource but custom fields).
std::optional<std::int64_t> object_id(simdjson::dom::element object);

// The key an object is known by within its parent: its id, or a custom
// field's name (the last key column).
std::optional<std::string> object_key(const Resource& resource, simdjson::dom::element object);

// Members of a natural key given apart from the object: what a restore will
// send where it differs from what the replica holds (an annotated note's
// text, a file's stored size).
using KeyOverrides = std::vector<std::pair<std::string_view, std::string>>;

// The object's natural key: its RestoreFacts::natural_key members joined.
std::string natural_key(const Resource& resource, simdjson::dom::element object,
                        const KeyOverrides& overrides = {});

// Whether `parent`, an object of `child`'s parent resource, can hold objects of `child`
// (RestoreFacts::only_under).
bool listed_under(const Resource& child, simdjson::dom::element parent);

// How a report names one object of the resource: its noun, else its envelope.
std::string_view noun(const Resource& resource);

// Whether the object already has its finishing flag set.
bool finished(const Resource& resource, simdjson::dom::element object);

}  // namespace smartq::sync
