// Calls Account::handle as the server would, and reads the answers.
#pragma once

#include <doctest/doctest.h>
#include <simdjson.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sandbox/account.hpp"
#include "sync/wire/form.hpp"

namespace smartq::sandbox::testing {

using Form = std::vector<std::pair<std::string, std::string>>;

struct Answer {
    ApiResponse response;
    simdjson::dom::parser parser;
    simdjson::dom::element root;

    unsigned status() const { return response.status; }
    simdjson::dom::element data() const { return root["data"].value(); }
    std::string message() const {
        return std::string(root["error"]["message"].get_string().value());
    }
};

class Client {
  public:
    explicit Client(Size size = Size::Tiny, std::uint64_t seed = 7)
        : account(Account::create(seed, size, {"admin@example.com", "secret"})) {}

    // target: "projects/1001/tickets?count=5"
    std::unique_ptr<Answer> call(const std::string& method, std::string_view target, Form form = {},
                                 std::optional<Upload> upload = std::nullopt,
                                 std::int64_t user = 1) {
        ApiRequest request;
        request.method = method;
        const auto q = target.find('?');
        std::string_view path = target.substr(0, q);
        while (!path.empty()) {
            const auto slash = path.find('/');
            request.path.emplace_back(path.substr(0, slash));
            path = slash == std::string_view::npos ? "" : path.substr(slash + 1);
        }
        if (q != std::string_view::npos)
            for (auto& [k, v] : wire::parse_form(target.substr(q + 1)))
                request.query.emplace(k, v);
        request.form = std::move(form);
        request.upload = std::move(upload);
        request.user_id = user;
        auto answer = std::make_unique<Answer>();
        answer->response = account->handle(request);
        if (!answer->response.read_at) {
            auto parsed = answer->parser.parse(answer->response.body);
            REQUIRE_MESSAGE(!parsed.error(), answer->response.body);
            answer->root = parsed.value();
        }
        return answer;
    }
    std::unique_ptr<Answer> get(std::string_view target) { return call("GET", target); }

    std::unique_ptr<Account> account;
};

inline std::int64_t as_int(simdjson::dom::element e) {
    if (e.is_string())
        return std::stoll(std::string(e.get_string().value()));
    return e.get_int64().value();
}
inline std::string as_str(simdjson::dom::element e) {
    return std::string(e.get_string().value());
}
inline std::size_t count_of(simdjson::dom::element list) {
    return list.is_array() ? list.get_array().size() : list.get_object().size();
}
inline std::vector<std::int64_t> ids_of(simdjson::dom::element list) {
    std::vector<std::int64_t> ids;
    for (auto row : list.get_array())
        ids.push_back(as_int(row["id"]));
    return ids;
}

}  // namespace smartq::sandbox::testing
