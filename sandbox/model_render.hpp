// Renders model rows as the guide's JSON objects, applying the wire options
// (string ids, 1/0 booleans). dump() renders through the same code with the
// canonical options, so the API and the dump never disagree on a field.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model.hpp"
#include "sync/wire/json_writer.hpp"

namespace smartq::sandbox {

// Which optional parts of a ticket to render (the list parameters).
struct TicketView {
    bool custom_fields = true;
    bool assigned_to = true;
    bool notes = false;
    bool cover = false;
    std::vector<std::string> only;  // `fields=a,b`: empty means every field
};

class Renderer {
  public:
    Renderer(const Model& model, const WireOptions& wire, wire::JsonWriter& writer)
        : model_(model), wire_(wire), w_(writer) {}

    void user(const User& user);
    void project(const Project& project);
    void role(const Role& role);
    void step(const Step& step);
    void field(const CustomField& field);  // with its values
    void value(const FieldValue& value);
    void ticket(const Ticket& ticket, const TicketView& view);
    void note(const Note& note);
    void task(const Task& task);
    // with_digest: the dump's {"sha256","size"} of the body.
    void file(const File& file, bool with_digest = false);

    void id(std::string_view key, Id id);
    void optional_id(std::string_view key, std::optional<Id> id);
    void id_value(Id id);
    void flag(std::string_view key, bool value);
    void time(std::string_view key, Time t);

  private:
    void ticket_field(const TicketField& value);
    // Restore shapes (WireOptions): where a server's spelling of nothing varies.
    void ticket_fields(const Ticket& ticket, const std::function<bool(std::string_view)>& want);
    void empty_object();
    void optional_time(std::string_view key, const std::optional<Time>& t);
    const Model& model_;
    const WireOptions& wire_;
    wire::JsonWriter& w_;
};

std::string_view type_name(FieldType type);
std::string_view choice_type_name(ChoiceType type);

}  // namespace smartq::sandbox
