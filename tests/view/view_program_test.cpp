// `export` and `serve` as a person uses them: a sandbox account with a ticket whose texts and
// attachment names attack the page is synced, exported and served, and Chromium reads the
// pages (file:// and http://) as a reader's browser would. Without Chromium the browser checks
// are skipped with a message; everything else still runs.
#include <doctest/doctest.h>
#include <simdjson.h>

#include <chrono>
#include <csignal>
#include <ctime>
#include <fstream>
#include <regex>
#include <thread>

#include "backup_env.hpp"
#include "browser.hpp"
#include "support/http_client.hpp"
#include "support/text.hpp"

using namespace smartq;
using namespace smartq::test;
using namespace std::chrono_literals;

namespace {

const Headers kForm = {{"Content-Type", "application/x-www-form-urlencoded"}};
// Each payload marks the page if it ever runs.
const std::string kScript = "<script>document.body.dataset.pwned=1</script>";
const std::string kImage = "<img src=x onerror=\"document.body.dataset.pwned=1\">";
const std::string kAttachment = "<html><script>alert(1)</script></html>";

std::size_t count(std::string_view text, std::string_view part) {
    std::size_t found = 0;
    for (auto at = text.find(part); at != std::string_view::npos; at = text.find(part, at + 1))
        ++found;
    return found;
}

std::string form_value(std::string_view text) {
    std::string encoded;
    for (unsigned char c : text) {
        char hex[4];
        std::snprintf(hex, sizeof hex, "%%%02X", c);
        encoded += std::isalnum(c) ? std::string(1, static_cast<char>(c)) : hex;
    }
    return encoded;
}

std::int64_t created_id(const HttpResponse& answer) {
    REQUIRE_MESSAGE(answer.status == 200, answer.body);
    simdjson::dom::parser parser;
    auto id = parser.parse(answer.body)["data"]["id"];
    if (id.is_string())
        return std::stoll(std::string(id.get_string().value()));
    return id.get_int64().value();
}

std::int64_t first_id(const SandboxFixture& sandbox, const std::string& path) {
    auto answer = sandbox.api("GET", path);
    REQUIRE(answer.status == 200);
    simdjson::dom::parser parser;
    return parser.parse(answer.body)["data"].at(0)["id"].get_int64().value();
}

std::string utc_now() {
    auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm parts{};
    gmtime_r(&now, &parts);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &parts);
    return text;
}

// What Chromium's DOM must never hold for account text: an element made from it, or a mark
// set by a payload that ran.
void check_inert(const std::string& dom) {
    CHECK_FALSE(contains(dom, "data-pwned"));
    CHECK_FALSE(contains(dom, "<script"));
    CHECK_FALSE(contains(dom, "<img"));
}

// The element with this id attribute and its content up to the next element of that tag's end.
std::string element(const std::string& dom, const std::string& tag, const std::string& id) {
    auto at = dom.find("id=\"" + id + "\"");
    REQUIRE_MESSAGE(at != std::string::npos, "no element #" << id);
    auto start = dom.rfind('<', at);
    auto end = dom.find("</" + tag + ">", start);
    return dom.substr(start, end - start);
}

// A sandbox account with one ticket whose name, description, notes and attachment names
// attack the pages, synced into a BackupEnv.
struct HostileAccount {
    SandboxFixture sandbox;
    BackupEnv env;
    std::int64_t project = 0, ticket = 0, note = 0, reply = 0, file = 0;
    std::string ticket_path;

    HostileAccount() {
        project = first_id(sandbox, "/projects");
        auto project_path = "/projects/" + std::to_string(project);
        auto step = first_id(sandbox, project_path + "/steps");
        ticket = created_id(
            sandbox.api("POST", project_path + "/tickets",
                        "ticket[name]=" + form_value(kScript + "Hostile ticket") +
                            "&ticket[description]=" + form_value("<p>Plain words</p>" + kImage) +
                            "&ticket[step_id]=" + std::to_string(step),
                        kForm));
        ticket_path = project_path + "/tickets/" + std::to_string(ticket);
        note = created_id(sandbox.api(
            "POST", ticket_path + "/notes",
            "note[text]=" +
                form_value(kScript + "<b>Bold claim</b> &lt;script&gt;shown&lt;/script&gt;") +
                "&note[private]=1",
            kForm));
        reply = created_id(sandbox.api("POST", ticket_path + "/notes",
                                       "note[text]=" + form_value("A reply " + kImage) +
                                           "&note[parent_id]=" + std::to_string(note),
                                       kForm));
        REQUIRE(sandbox
                    .api("POST", ticket_path + "/tasks", "task[text]=Write+the+report&task[done]=1",
                         kForm)
                    .status == 200);
        REQUIRE(sandbox.api("POST", ticket_path + "/tasks", "task[text]=Send+it", kForm).status ==
                200);
        file = upload("../../evil.html");
        upload("../../evil.html");
        env.configure({{.port = sandbox.port()}});
        auto synced = env.run({"sync"});
        REQUIRE_MESSAGE(synced.code == 0, synced.err);
    }

    std::int64_t upload(const std::string& name) {
        auto body = "--B0undary\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" +
                    name + "\"\r\nContent-Type: text/html\r\n\r\n" + kAttachment +
                    "\r\n--B0undary--\r\n";
        return created_id(
            sandbox.api("POST", ticket_path + "/notes/" + std::to_string(note) + "/filesv2", body,
                        {{"Content-Type", "multipart/form-data; boundary=B0undary"}}));
    }
};

std::unique_ptr<Browser> browser() {
    auto program = Browser::find();
    if (!program) {
        MESSAGE(
            "chromium is not installed (apt-get install chromium): the browser checks are skipped");
        return nullptr;
    }
    return std::make_unique<Browser>(*program);
}

std::string read_all(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

// A running `serve`, stopped with SIGTERM at the end.
struct Server {
    std::unique_ptr<ChildProcess> process;
    std::uint16_t port = 0;

    explicit Server(const BackupEnv& env, const std::string& listen = "127.0.0.1:0") {
        process = env.start({"serve", "--listen", listen});
        std::smatch match;
        static const std::regex address(R"(http://[^:]+:(\d+)/)");
        for (int i = 0; i < 300 && port == 0; ++i) {
            auto out = process->stdout_text();
            if (std::regex_search(out, match, address))
                port = static_cast<std::uint16_t>(std::stoi(match[1]));
            else
                std::this_thread::sleep_for(50ms);
        }
        REQUIRE_MESSAGE(port != 0, "serve did not start: " << process->stderr_text());
    }
    ~Server() {
        process->kill(SIGTERM);
        process->wait(10s);
    }
    std::string url(const std::string& target) const {
        return "http://127.0.0.1:" + std::to_string(port) + target;
    }
    HttpResponse get(const std::string& target, const Headers& headers = {}) const {
        return http(port, "GET", target, headers);
    }
};

}  // namespace

TEST_CASE("export writes a site that opens from disk, with attachments under safe names") {
    HostileAccount account;
    auto site = account.env.dir() / "site";
    auto result = account.env.run({"export", "--to", site.string()});
    REQUIRE_MESSAGE(result.code == 0, result.err);
    CHECK(contains(result.out, (site / "index.html").string()));

    auto ticket_page = site / ("ticket-" + std::to_string(account.ticket) + ".html");
    auto attachments = site / "attachments" / std::to_string(account.ticket);
    CHECK(std::filesystem::exists(site / "index.html"));
    CHECK(std::filesystem::exists(site / ("project-" + std::to_string(account.project) + ".html")));
    REQUIRE(std::filesystem::exists(ticket_page));
    // The two "../../evil.html" stay inside the directory, side by side.
    CHECK(read_all(attachments / "_.._evil.html") == kAttachment);
    CHECK(read_all(attachments / "_.._evil-2.html") == kAttachment);
    CHECK_FALSE(std::filesystem::exists(site.parent_path() / "evil.html"));
    for (const auto& entry : std::filesystem::recursive_directory_iterator(site))
        CHECK(entry.path().lexically_relative(site).string().find("..") != 0);
    // The tables for other tools.
    auto tickets_jsonl = read_all(site / "data" / "tickets.jsonl");
    CHECK(contains(tickets_jsonl, "{\"id\":" + std::to_string(account.ticket) + ","));
    CHECK(contains(read_all(site / "data" / "notes.csv"), "Bold claim"));
    CHECK(contains(read_all(site / "data" / "ticket_assignees.csv"), "ticket_id"));

    auto reader = browser();
    if (!reader)
        return;
    auto index = reader->dom("file://" + (site / "index.html").string());
    CHECK(contains(index, "href=\"project-" + std::to_string(account.project) + ".html\""));
    auto board = reader->dom(
        "file://" + (site / ("project-" + std::to_string(account.project) + ".html")).string());
    CHECK(contains(board, "id=\"board\""));
    CHECK(contains(board, "data-ticket=\"" + std::to_string(account.ticket) + "\""));
    check_inert(board);

    auto ticket = reader->dom("file://" + ticket_page.string());
    check_inert(ticket);
    // The name shows its markup as text; the description and notes show their words.
    CHECK(contains(element(ticket, "h1", "ticket-name"),
                   "&lt;script&gt;document.body.dataset.pwned=1&lt;/script&gt;Hostile ticket"));
    CHECK(contains(element(ticket, "div", "description"), "Plain words"));
    auto note = element(ticket, "article", "note-" + std::to_string(account.note));
    CHECK(contains(note, "note private"));
    CHECK(contains(note, "Bold claim &lt;script&gt;shown&lt;/script&gt;"));
    auto reply = element(ticket, "article", "note-" + std::to_string(account.reply));
    CHECK(contains(reply, "data-depth=\"1\""));
    CHECK(contains(reply, "A reply"));
    CHECK(ticket.find("id=\"note-" + std::to_string(account.note)) <
          ticket.find("id=\"note-" + std::to_string(account.reply)));
    CHECK(contains(ticket,
                   "href=\"attachments/" + std::to_string(account.ticket) + "/_.._evil.html\""));
    CHECK(contains(ticket,
                   "href=\"attachments/" + std::to_string(account.ticket) + "/_.._evil-2.html\""));
    auto tasks = element(ticket, "ul", "tasks");
    CHECK(std::regex_search(tasks, std::regex("class=\"done\"><input type=\"checkbox\" "
                                              "disabled=\"\" checked=\"\"> Write the report")));
    CHECK(std::regex_search(
        tasks, std::regex("class=\"open\"><input type=\"checkbox\" disabled=\"\"> Send it")));
}

TEST_CASE("export refuses what it cannot do with one sentence and a code for each cause") {
    HostileAccount account;
    auto blocker = account.env.dir() / "blocker";
    std::ofstream(blocker) << "a file, not a directory";
    auto expect = [&](const std::vector<std::string>& args, int code, const std::string& words) {
        auto result = account.env.run(args);
        CAPTURE(result.err);
        CHECK(result.code == code);
        CHECK(contains(result.err, words));
        CHECK(std::count(result.err.begin(), result.err.end(), '\n') == 1);
    };
    auto to = (account.env.dir() / "site").string();
    expect({"export", "--account", "nobody", "--to", to}, 78, "nobody");
    expect({"export", "--project", "999999", "--to", to}, 64, "project 999999");
    expect({"export", "--at", "last tuesday", "--to", to}, 64, "last tuesday");
    expect({"export", "--to", (blocker / "site").string()}, 74, (blocker / "site").string());
}

TEST_CASE("serve shows the account live, searches it, and shows a ticket's history and past") {
    HostileAccount account;
    auto original = "Hostile ticket";
    std::this_thread::sleep_for(1100ms);  // times have whole seconds: `before` follows the sync
    auto before = utc_now();
    std::this_thread::sleep_for(1100ms);
    REQUIRE(account.sandbox.api("PUT", account.ticket_path, "ticket[name]=Renamed+ticket", kForm)
                .status == 200);
    REQUIRE(account.env.run({"sync"}).code == 0);

    Server server(account.env);
    auto ticket_path = "/tickets/" + std::to_string(account.ticket);
    auto now = server.get(ticket_path);
    REQUIRE(now.status == 200);
    CHECK(contains(now.body, "Renamed ticket"));
    CHECK(contains(*now.header("Content-Security-Policy"), "default-src 'none'"));
    auto past = server.get(ticket_path + "?at=" + form_value(before));
    REQUIRE(past.status == 200);
    CHECK(contains(past.body, original));
    CHECK_FALSE(contains(past.body, "Renamed ticket"));
    CHECK(contains(past.body, "The account as it was at " + before));

    auto file = server.get("/files/" + std::to_string(account.file) + "/x");
    REQUIRE(file.status == 200);
    CHECK(file.body == kAttachment);
    CHECK(*file.header("Content-Type") == "text/html");
    CHECK(contains(*file.header("Content-Disposition"), "attachment; filename=\"_.._evil.html\""));
    CHECK(server.get("/tickets/999999").status == 404);
    CHECK(server.get("/files/999999/x").status == 404);
    CHECK(server.get("/?at=yesterday-ish").status == 400);
    CHECK(http(server.port, "POST", "/").status == 405);

    auto reader = browser();
    if (!reader)
        return;
    auto board = reader->dom(server.url("/projects/" + std::to_string(account.project)));
    CHECK(contains(board, "data-ticket=\"" + std::to_string(account.ticket) + "\""));
    auto ticket = reader->dom(server.url(ticket_path));
    check_inert(ticket);
    CHECK(contains(element(ticket, "h1", "ticket-name"), "Renamed ticket"));
    CHECK(contains(ticket, "href=\"/files/" + std::to_string(account.file) + "/_.._evil.html\""));

    auto search = reader->dom(server.url("/search?q=" + form_value("Bold claim")));
    check_inert(search);
    CHECK(contains(search, "1 result for “Bold claim”"));
    CHECK(contains(search, "href=\"/tickets/" + std::to_string(account.ticket) + "\""));

    auto history = reader->dom(server.url(ticket_path + "/history"));
    check_inert(history);
    CHECK(count(history, "class=\"version\"") == 2);
    CHECK(contains(history, "Renamed ticket"));
    CHECK(contains(history,
                   "&lt;script&gt;document.body.dataset.pwned=1&lt;/script&gt;Hostile ticket"));

    auto then = reader->dom(server.url(ticket_path + "?at=" + form_value(before)));
    check_inert(then);
    CHECK(contains(element(then, "p", "as-of"), before));
    CHECK(contains(element(then, "h1", "ticket-name"), original));
    // Links of a page in the past stay in the past.
    auto at_value = std::regex_replace(std::regex_replace(before, std::regex(" "), "%20"),
                                       std::regex(":"), "%3A");
    CHECK(contains(
        then, "href=\"/projects/" + std::to_string(account.project) + "?at=" + at_value + "\""));
}

TEST_CASE("serve beyond loopback needs serve_password_file, and then every request needs it") {
    HostileAccount account;
    auto refused = account.env.run({"serve", "--listen", "0.0.0.0:0"});
    CHECK(refused.code == 78);
    CHECK(contains(refused.err, "serve_password_file"));

    auto password = account.env.dir() / "serve.password";
    std::ofstream(password) << "open sesame\n";
    std::filesystem::permissions(
        password, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    account.env.configure({{.port = account.sandbox.port()}},
                          "serve_password_file = \"" + password.string() + "\"");
    Server server(account.env, "0.0.0.0:0");
    auto anonymous = server.get("/");
    CHECK(anonymous.status == 401);
    CHECK(contains(*anonymous.header("WWW-Authenticate"), "Basic"));
    CHECK(server.get("/", {basic_auth("reader", "wrong")}).status == 401);
    CHECK(server.get("/", {basic_auth("reader", "open sesame")}).status == 200);
}
