// Conformance of the HTTP layer: envelope, status codes, routing, keep-alive,
// multipart upload and streamed download.
#include <doctest/doctest.h>
#include <openssl/evp.h>

#include <functional>

#include "server_json.hpp"
#include "support/sandbox_fixture.hpp"

using namespace smartq;
using namespace smartq::test;

namespace {

std::string sha256_hex(std::string_view data) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr);
    std::string hex;
    for (unsigned i = 0; i < length; ++i) {
        hex += "0123456789abcdef"[digest[i] >> 4];
        hex += "0123456789abcdef"[digest[i] & 15];
    }
    return hex;
}

// The path of the first note of the first ticket that has notes.
std::string first_note_path(const SandboxFixture& sandbox) {
    Json projects(sandbox.api("GET", "/projects").body);
    for (auto project : simdjson::dom::array(projects.root["data"].get_array())) {
        auto project_path = "/projects/" + std::to_string(id_of(project["id"]));
        Json tickets(sandbox.api("GET", project_path + "/tickets?archived=2&count=100").body);
        for (auto ticket : simdjson::dom::array(tickets.root["data"].get_array())) {
            auto ticket_path = project_path + "/tickets/" + std::to_string(id_of(ticket["id"]));
            Json notes(sandbox.api("GET", ticket_path + "/notes").body);
            if (notes.root["data"].get_array().value().size() > 0) {
                return ticket_path + "/notes/" +
                       std::to_string(id_of(first_item(notes.root["data"])["id"]));
            }
        }
    }
    throw std::runtime_error("no note in the sandbox");
}

}  // namespace

TEST_CASE("answers use the guide's envelope with a matching status") {
    SandboxFixture sandbox;
    auto me = sandbox.api("GET", "/users/me");
    REQUIRE(me.status == 200);
    CHECK(me.header("Content-Type") == "application/json");
    Json json(me.body);
    CHECK(json.root["error"].is_null());
    CHECK(std::string(json.root["data"]["email"].get_string().value()) == "admin@sandbox.test");

    auto unknown = sandbox.api("GET", "/");
    check_error(unknown, 405);
    CHECK(unknown.body.find("method \\\"GET\\\" not found for resource \\\"\\\"") !=
          std::string::npos);
    check_error(sandbox.api("GET", "/no_such_resource"), 405);
    check_error(sandbox.api("GET", "/projects/999999999"), 404);
    check_error(sandbox.api("GET", "/oauth2"), 405);
    check_error(http(sandbox.port(), "GET", "/not/the/api"), 404);
}

TEST_CASE("a trailing slash, percent-encoding and the query string are decoded") {
    SandboxFixture sandbox;
    CHECK(sandbox.api("GET", "/users/me/").status == 200);
    CHECK(sandbox.api("GET", "/%75sers/me").status == 200);
    auto page = sandbox.api("GET", "/users?count=1");
    REQUIRE(page.status == 200);
    CHECK(Json(page.body).root["data"].get_array().value().size() == 1);
}

TEST_CASE("keep-alive serves many requests on one connection, Connection: close ends it") {
    SandboxFixture sandbox;
    HttpConnection connection(sandbox.port());
    for (int i = 0; i < 20; ++i) {
        auto response = connection.request("GET", "/api/v1/users/me", sandbox.auth_headers());
        REQUIRE(response.status == 200);
        REQUIRE(connection.is_open());
    }
    auto headers = sandbox.auth_headers();
    headers.emplace_back("Connection", "close");
    CHECK(connection.request("GET", "/api/v1/users/me", headers).status == 200);
    CHECK_FALSE(connection.is_open());
}

TEST_CASE("a malformed request closes the connection without crashing the server") {
    SandboxFixture sandbox;
    HttpConnection connection(sandbox.port());
    auto response = connection.raw("THIS IS NOT HTTP\r\n\r\n");
    CHECK(response.status == 0);
    CHECK(http(sandbox.port(), "GET", "/__admin/health").status == 200);
}

TEST_CASE("a form body is decoded, the key may come as a body parameter") {
    SandboxFixture sandbox;
    auto project = http(sandbox.port(), "POST", "/api/v1/projects",
                        {basic_auth("admin@sandbox.test", "sandbox-password"),
                         {"Content-Type", "application/x-www-form-urlencoded"}},
                        "X_AUTH_CLIENT_ID=sandbox-key&project%5Bname%5D=From+a+form&"
                        "project[description]=caf%C3%A9");
    CAPTURE(project.body);
    REQUIRE(project.status == 200);
    Json json(project.body);
    CHECK(std::string(json.root["data"]["name"].get_string().value()) == "From a form");
    CHECK(std::string(json.root["data"]["description"].get_string().value()) == "caf\xC3\xA9");
}

TEST_CASE("filesv2 multipart upload round-trips through details and download") {
    SandboxFixture sandbox;
    const auto note = first_note_path(sandbox);
    std::string content("binary\0\r\n--not-the-boundary\r\n", 30);
    for (int i = 0; i < 1000; ++i) {
        content += static_cast<char>(i * 7);
    }
    const std::string body =
        "--B0undary\r\nContent-Disposition: form-data; name=\"file\"; "
        "filename=\"..\\\\..\\\\evil \\\"name\\\".bin\"\r\n"
        "Content-Type: application/octet-stream\r\n\r\n" +
        content + "\r\n--B0undary--\r\n";
    auto uploaded = sandbox.api("POST", note + "/filesv2", body,
                                {{"Content-Type", "multipart/form-data; boundary=B0undary"}});
    CAPTURE(uploaded.body);
    REQUIRE(uploaded.status == 200);
    Json file(uploaded.body);
    const auto file_id = std::to_string(id_of(file.root["data"]["id"]));

    auto details = sandbox.api("GET", note + "/files/" + file_id);
    REQUIRE(details.status == 200);
    CHECK(details.body.find("..\\\\..\\\\evil \\\"name\\\".bin") != std::string::npos);
    auto download = sandbox.api("GET", note + "/files/" + file_id + "/download");
    REQUIRE(download.complete());
    REQUIRE(download.status == 200);
    CHECK(download.body == content);

    check_error(sandbox.api("POST", note + "/filesv2", "--B0undary\r\ngarbage",
                            {{"Content-Type", "multipart/form-data; boundary=B0undary"}}),
                400);
    check_error(
        sandbox.api("POST", note + "/filesv2", body, {{"Content-Type", "multipart/form-data"}}),
        400);
}

TEST_CASE("a multi-MB download is streamed whole and matches the dump's sha256") {
    SandboxFixture sandbox;
    Json dump(sandbox.admin("GET", "dump").body);
    // Find the biggest file in the dump and fetch it over the API.
    std::int64_t best_size = -1;
    std::string best_sha, best_name;
    std::function<void(simdjson::dom::element)> walk = [&](simdjson::dom::element element) {
        if (element.is_object()) {
            auto object = element.get_object().value();
            simdjson::dom::element size, sha;
            if (object["size"].get(size) == simdjson::SUCCESS &&
                object["sha256"].get(sha) == simdjson::SUCCESS && size.is_int64() &&
                size.get_int64().value() > best_size) {
                best_size = size.get_int64().value();
                best_sha = std::string(sha.get_string().value());
            }
            for (auto field : object) {
                walk(field.value);
            }
        } else if (element.is_array()) {
            for (auto item : simdjson::dom::array(element.get_array())) {
                walk(item);
            }
        }
    };
    walk(dump.root);
    REQUIRE(best_size > 2'000'000);

    Json projects(sandbox.api("GET", "/projects").body);
    bool found = false;
    for (auto project : simdjson::dom::array(projects.root["data"].get_array())) {
        auto project_path = "/projects/" + std::to_string(id_of(project["id"]));
        Json tickets(sandbox.api("GET", project_path + "/tickets?archived=2&count=1000").body);
        for (auto ticket : simdjson::dom::array(tickets.root["data"].get_array())) {
            auto ticket_path = project_path + "/tickets/" + std::to_string(id_of(ticket["id"]));
            Json notes(sandbox.api("GET", ticket_path + "/notes?count=1000").body);
            for (auto note : simdjson::dom::array(notes.root["data"].get_array())) {
                auto note_path = ticket_path + "/notes/" + std::to_string(id_of(note["id"]));
                Json files(sandbox.api("GET", note_path + "/files").body);
                for (auto listed : simdjson::dom::array(files.root["data"].get_array())) {
                    std::int64_t size =
                        listed["size"].is_string()
                            ? std::stoll(std::string(listed["size"].get_string().value()))
                            : listed["size"].get_int64().value();
                    if (found || size != best_size) {
                        continue;
                    }
                    auto body =
                        sandbox.api("GET", note_path + "/files/" +
                                               std::to_string(id_of(listed["id"])) + "/download");
                    REQUIRE(body.complete());
                    CHECK(body.header("Content-Length") == std::to_string(best_size));
                    CHECK(sha256_hex(body.body) == best_sha);
                    found = true;
                }
            }
        }
    }
    CHECK(found);
}
