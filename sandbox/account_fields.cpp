// projects/<id>/custom_fields and their values
#include <algorithm>

#include "model_api.hpp"

namespace smartq::sandbox {

namespace {

FieldType parse_field_type(const std::string& text) {
    if (text == "float")
        return FieldType::Float;
    if (text == "string")
        return FieldType::String;
    if (text == "text")
        return FieldType::Text;
    if (text == "choice")
        return FieldType::Choice;
    bad_request("field[type] must be float, string, text or choice, not '" + text + "'");
}

ChoiceType parse_choice_type(const std::string& text) {
    if (text == "checkbox")
        return ChoiceType::Checkbox;
    if (text == "radio")
        return ChoiceType::Radio;
    if (text == "select")
        return ChoiceType::Select;
    bad_request("field[options][choiceType] must be checkbox, radio or select, not '" + text + "'");
}

void add_value(Model& model, CustomField& field, FieldValue value) {
    value.field_id = field.id;
    field.values.push_back(model.values.insert(std::move(value)).id);
    ++model.generation;
}

void apply_field_form(CustomField& field, const Form& form, bool creating) {
    // A field's type decides how tickets store its values: it is fixed at creation.
    if (creating)
        field.type = parse_field_type(form.required_text("type"));
    if (creating || form.has("label"))
        field.label = form.required_text("label");
    if (auto hint = form.text("hint"))
        field.hint = *hint;
    if (auto required = form.flag("required"))
        field.required = *required;
    if (auto pos_type = form.text("pos_type")) {
        if (*pos_type != "single" && *pos_type != "double")
            bad_request("field[pos_type] must be single or double, not '" + *pos_type + "'");
        field.pos_type = *pos_type;
    }
    if (field.type == FieldType::Choice) {
        if (auto choice = form.text("options/choiceType"))
            field.choice_type = parse_choice_type(*choice);
        else if (creating)
            field.choice_type = ChoiceType::Select;
    }
    if (field.type == FieldType::Float) {
        if (form.has("options/min"))
            field.min = form.number("options/min");
        if (form.has("options/max"))
            field.max = form.number("options/max");
        if (field.min && field.max && *field.min > *field.max)
            bad_request("field[options][min] must not exceed field[options][max]");
    }
}

void apply_value_form(FieldValue& value, const Form& form, bool creating) {
    if (creating || form.has("title"))
        value.title = form.required_text("title");
    if (auto is_default = form.flag("is_default"))
        value.is_default = *is_default;
    if (auto pos = form.integer("pos"))
        value.pos = static_cast<int>(*pos);
}

CustomField& find_field(Model& model, const Project& project, const std::string& name) {
    CustomField* field = nullptr;
    if (name.size() > 1 && name[0] == 'f')
        if (auto id = parse_integer(std::string_view(name).substr(1)))
            field = model.fields.find(*id);
    if (!field || field->project_id != project.id)
        not_found("custom field", name);
    return *field;
}

ApiResponse handle_values(Model& model, const ApiRequest& request, CustomField& field,
                          const Path& rest) {
    if (rest.empty()) {
        if (request.method == "GET") {
            std::vector<Id> ids = field.values;
            std::stable_sort(ids.begin(), ids.end(), [&](Id a, Id b) {
                return model.values.find(a)->pos < model.values.find(b)->pos;
            });
            return list_answer(model, ids, page_of(Query(request), 1000, model.wire),
                               [&](Renderer& r, Id id) { r.value(*model.values.find(id)); });
        }
        if (request.method == "POST") {
            if (field.type != FieldType::Choice)
                bad_request("Custom field " + field_name(field.id) + " is not a choice field");
            FieldValue value;
            value.pos = static_cast<int>(field.values.size());
            apply_value_form(value, Form(request, "value"), true);
            add_value(model, field, std::move(value));
            return object_answer(
                model, [&](Renderer& r) { r.value(*model.values.find(field.values.back())); });
        }
        method_not_found(request);
    }
    if (rest.size() != 1)
        method_not_found(request);
    FieldValue* value = model.values.find(parse_id(rest[0], "value"));
    if (!value || value->field_id != field.id)
        not_found("value", rest[0]);
    auto render = [&](Renderer& r) { r.value(*value); };
    if (request.method == "GET")
        return object_answer(model, render);
    if (request.method == "PUT") {
        apply_value_form(*value, Form(request, "value"), false);
        ++model.generation;
        return object_answer(model, render);
    }
    if (request.method == "DELETE") {
        model.delete_value(value->id);
        return ok("true");
    }
    method_not_found(request);
}

}  // namespace

ApiResponse handle_fields(Model& model, const ApiRequest& request, Project& project,
                          const Path& rest) {
    if (rest.empty()) {
        if (request.method == "GET")
            return list_answer(model, project.fields, page_of(Query(request), 1000, model.wire),
                               [&](Renderer& r, Id id) { r.field(*model.fields.find(id)); });
        if (request.method == "POST") {
            const Form form(request, "field");
            CustomField draft;
            draft.project_id = project.id;
            apply_field_form(draft, form, true);
            CustomField& created = model.fields.insert(std::move(draft));
            project.fields.push_back(created.id);
            if (auto layout = form.list("options/fieldLayout");
                layout && created.type == FieldType::Choice)
                for (const auto& title : *layout) {
                    FieldValue value;
                    value.title = title;
                    value.pos = static_cast<int>(created.values.size());
                    add_value(model, created, std::move(value));
                }
            ++model.generation;
            return object_answer(model, [&](Renderer& r) { r.field(created); });
        }
        method_not_found(request);
    }
    CustomField& field = find_field(model, project, rest[0]);
    if (rest.size() >= 2 && rest[1] == "values")
        return handle_values(model, request, field, Path(rest.begin() + 2, rest.end()));
    if (rest.size() != 1)
        method_not_found(request);
    auto render = [&](Renderer& r) { r.field(field); };
    if (request.method == "GET")
        return object_answer(model, render);
    if (request.method == "PUT") {
        apply_field_form(field, Form(request, "field"), false);
        ++model.generation;
        return object_answer(model, render);
    }
    if (request.method == "DELETE") {
        model.delete_field(field.id);
        return ok("true");
    }
    method_not_found(request);
}

}  // namespace smartq::sandbox
