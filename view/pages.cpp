#include "view/pages.hpp"

#include <kainjow/mustache.hpp>

#include <algorithm>
#include <stdexcept>

#include "store/plain_text.hpp"
#include "view/escape.hpp"
#include "view/templates.hpp"

namespace smartq::view {
namespace {

namespace mustache = kainjow::mustache;
using Data = mustache::data;

std::string render(std::string_view name, const Data& data) {
    mustache::mustache tmpl{std::string(template_text(name))};
    if (!tmpl.is_valid())
        throw std::logic_error("template " + std::string(name) + ": " + tmpl.error_message());
    tmpl.set_custom_escape([](const std::string& text) { return escape_html(text); });
    return tmpl.render(data);
}

// The page around `body`, which is HTML this program rendered.
std::string layout(std::string_view title, std::string body, const PageContext& page) {
    Data data;
    data.set("title", std::string(title));
    data.set("account", page.account);
    data.set("home", page.links.index());
    data.set("live", page.links.live());
    data.set("query", page.query);
    if (!page.links.at().empty())
        data.set("at", page.links.at());
    data.set("body", std::move(body));
    return render("layout", data);
}

Data text_or_false(const std::string& text) {
    return text.empty() ? Data(false) : Data(text);
}

Data card(const store::TicketCard& ticket, const Links& links) {
    Data data;
    data.set("id", std::to_string(ticket.id));
    data.set("name", ticket.name);
    data.set("href", links.ticket(ticket.id));
    data.set("assignees", text_or_false(ticket.assignees));
    data.set("deadline", text_or_false(ticket.deadline));
    return data;
}

}  // namespace

std::string index_page(const std::vector<store::ProjectSummary>& projects, const PageContext& page) {
    Data list{Data::type::list};
    for (const auto& project : projects) {
        Data item;
        item.set("name", project.name);
        item.set("href", page.links.board(project.id));
        item.set("tickets", std::to_string(project.tickets));
        item.set("archived", std::to_string(project.archived));
        list.push_back(item);
    }
    Data data;
    data.set("projects", list);
    return layout("Projects", render("index", data), page);
}

std::string board_page(const store::Board& board, const PageContext& page) {
    Data columns{Data::type::list};
    Data archived{Data::type::list};
    std::size_t archived_count = 0;
    for (const auto& step : board.steps) {
        Data cards{Data::type::list};
        std::size_t count = 0;
        for (const auto& ticket : board.tickets) {
            if (!ticket.archived && ticket.step_id == step.id) {
                cards.push_back(card(ticket, page.links));
                ++count;
            }
        }
        Data column;
        column.set("id", std::to_string(step.id));
        column.set("name", step.name);
        column.set("count", std::to_string(count));
        column.set("cards", cards);
        columns.push_back(column);
    }
    // A live ticket whose step is not on the board (deleted, or not visible) still shows.
    Data elsewhere{Data::type::list};
    std::size_t elsewhere_count = 0;
    for (const auto& ticket : board.tickets) {
        bool on_board = std::any_of(board.steps.begin(), board.steps.end(),
                                    [&](const store::StepColumn& s) { return s.id == ticket.step_id; });
        if (ticket.archived) {
            archived.push_back(card(ticket, page.links));
            ++archived_count;
        } else if (!on_board) {
            elsewhere.push_back(card(ticket, page.links));
            ++elsewhere_count;
        }
    }
    if (elsewhere_count > 0) {
        Data column;
        column.set("id", "none");
        column.set("name", "No step");
        column.set("count", std::to_string(elsewhere_count));
        column.set("cards", elsewhere);
        columns.push_back(column);
    }
    Data data;
    data.set("project", board.project.name);
    data.set("columns", columns);
    data.set("archived", archived);
    data.set("archived_count", std::to_string(archived_count));
    return layout(board.project.name, render("board", data), page);
}

std::string ticket_page(const store::TicketDetail& ticket, const AttachmentNames& names,
                        const PageContext& page) {
    auto file_data = [&](const store::Attachment& file) {
        Data item;
        item.set("name", file.name);
        item.set("size", std::to_string(file.size));
        auto name = names.find(file.id);
        item.set("href", name == names.end() ? Data(false)
                                             : Data(page.links.attachment(ticket.id, file.id,
                                                                          name->second)));
        return item;
    };
    Data data;
    data.set("id", std::to_string(ticket.id));
    data.set("name", ticket.name);
    data.set("project", ticket.project);
    data.set("board", page.links.board(ticket.project_id));
    data.set("history", text_or_false(page.links.history(ticket.id)));
    data.set("archived", ticket.archived);
    data.set("step", ticket.step);
    data.set("owner", ticket.owner);
    std::string assignees;
    for (const auto& name : ticket.assignees)
        assignees += (assignees.empty() ? "" : ", ") + name;
    data.set("assignees", assignees);
    data.set("tags", text_or_false(ticket.tags));
    data.set("created", ticket.created);
    data.set("updated", ticket.updated);
    data.set("deadline", text_or_false(ticket.deadline));
    data.set("description", text_or_false(store::plain_text(ticket.description_html)));
    Data fields{Data::type::list};
    for (const auto& field : ticket.fields) {
        Data item;
        item.set("label", field.label);
        item.set("value", store::plain_text(field.value));
        fields.push_back(item);
    }
    data.set("fields", fields);
    Data tasks{Data::type::list};
    for (const auto& task : ticket.tasks) {
        Data item;
        item.set("text", task.text);
        item.set("done", task.done);
        tasks.push_back(item);
    }
    data.set("has_tasks", !ticket.tasks.empty());
    data.set("tasks", tasks);
    Data notes{Data::type::list};
    for (const auto& note : ticket.notes) {
        Data item;
        item.set("id", std::to_string(note.id));
        item.set("depth", std::to_string(note.depth));
        item.set("indent", std::to_string(2 * std::min(note.depth, 8)));
        item.set("private", note.is_private);
        item.set("author", note.author);
        item.set("time", note.time);
        item.set("text", store::plain_text(note.html));
        Data files{Data::type::list};
        for (const auto& file : note.files)
            files.push_back(file_data(file));
        item.set("files", files);
        notes.push_back(item);
    }
    data.set("notes", notes);
    data.set("note_count", std::to_string(ticket.notes.size()));
    Data attachments{Data::type::list};
    for (const auto& file : ticket.attachments)
        attachments.push_back(file_data(file));
    data.set("attachments", attachments);
    data.set("attachment_count", std::to_string(ticket.attachments.size()));
    return layout("#" + std::to_string(ticket.id) + " " + ticket.name, render("ticket", data),
                  page);
}

std::string history_page(const store::TicketDetail& ticket,
                         const std::vector<store::TicketVersion>& versions,
                         const PageContext& page) {
    Data list{Data::type::list};
    for (auto it = versions.rbegin(); it != versions.rend(); ++it) {
        Data changes{Data::type::list};
        for (const auto& change : it->changes) {
            Data item;
            item.set("field", change.field);
            item.set("before", change.before);
            item.set("after", change.after);
            changes.push_back(item);
        }
        Data version;
        version.set("from", it->valid_from);
        version.set("to", text_or_false(it->valid_to));
        version.set("deleted", it->deleted);
        version.set("changes", changes);
        list.push_back(version);
    }
    Data data;
    data.set("id", std::to_string(ticket.id));
    data.set("name", ticket.name);
    data.set("ticket", page.links.ticket(ticket.id));
    data.set("versions", list);
    return layout("History of #" + std::to_string(ticket.id), render("history", data), page);
}

std::string search_page(const std::vector<store::SearchHit>& hits, const PageContext& page) {
    Data list{Data::type::list};
    for (const auto& hit : hits) {
        Data item;
        item.set("kind", hit.kind);
        item.set("project", hit.project);
        item.set("ticket_id", std::to_string(hit.ticket_id));
        item.set("ticket", hit.ticket);
        item.set("href", page.links.ticket(hit.ticket_id));
        item.set("text", hit.snippet);
        list.push_back(item);
    }
    Data data;
    data.set("query", text_or_false(page.query));
    data.set("count", std::to_string(hits.size()) + (hits.size() == 1 ? " result" : " results"));
    data.set("hits", list);
    return layout("Search", render("search", data), page);
}

std::string message_page(std::string_view heading, std::string_view text, const PageContext& page) {
    Data data;
    data.set("heading", std::string(heading));
    data.set("text", std::string(text));
    return layout(heading, render("message", data), page);
}

}  // namespace smartq::view
