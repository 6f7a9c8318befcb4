#include "support/sandbox_fixture.hpp"

#include <algorithm>

namespace smartq::test {

SandboxFixture::SandboxFixture(sandbox::ServerOptions options)
    : options_(std::move(options)), server_(std::make_unique<sandbox::Server>(options_)) {
    server_->start();
}

SandboxFixture::~SandboxFixture() {
    server_->stop();
}

Headers SandboxFixture::auth_headers() const {
    return {{"X-Auth-Client-Id", options_.api_key}, basic_auth(options_.login, options_.password)};
}

HttpResponse SandboxFixture::api(std::string_view method, std::string_view path,
                                 std::string_view body, const Headers& extra) const {
    auto headers = auth_headers();
    headers.insert(headers.end(), extra.begin(), extra.end());
    const bool typed = std::any_of(extra.begin(), extra.end(), [](const auto& field) {
        return iequals(field.first, "Content-Type");
    });
    if (!body.empty() && !typed) {
        headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    }
    return http(port(), method, "/api/v1" + std::string(path), headers, body);
}

HttpResponse SandboxFixture::admin(std::string_view method, std::string_view path,
                                   std::string_view body) const {
    return http(port(), method, "/__admin/" + std::string(path), {}, body);
}

}  // namespace smartq::test
