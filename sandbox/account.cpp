#include "account.hpp"

#include <stdexcept>

#include "model_api.hpp"
#include "seed.hpp"

namespace smartq::sandbox {

Size parse_size(std::string_view name) {
    if (name == "empty")
        return Size::Empty;
    if (name == "tiny")
        return Size::Tiny;
    if (name == "small")
        return Size::Small;
    if (name == "medium")
        return Size::Medium;
    if (name == "large")
        return Size::Large;
    throw std::invalid_argument("unknown size '" + std::string(name) +
                                "' (expected empty, tiny, small, medium or large)");
}

std::unique_ptr<Account> Account::create(std::uint64_t seed, Size size, AdminUser admin) {
    auto model = std::make_unique<Model>(seed);
    seed_account(*model, size, admin);
    return std::unique_ptr<Account>(new Account(std::move(model)));
}

Account::Account(std::unique_ptr<Model> model) : model_(std::move(model)) {}
Account::~Account() = default;

ApiResponse Account::handle(const ApiRequest& request) {
    Path path;
    for (const auto& segment : request.path)
        if (!segment.empty())
            path.push_back(segment);
    try {
        if (!path.empty() && path[0] == "users")
            return handle_users(*model_, request, path);
        // The guide spells one route "/project/<id>/roles/default": accept both.
        if (!path.empty() && (path[0] == "projects" || path[0] == "project"))
            return handle_projects(*model_, request, path);
        method_not_found(request);
    } catch (const ApiError& e) {
        return error_response(e.status(), e.what());
    } catch (const std::exception& e) {
        // A bug in the model must not take the whole sandbox down with it.
        return error_response(500, std::string("Internal error: ") + e.what());
    }
}

std::optional<std::int64_t> Account::check_password(std::string_view login,
                                                    std::string_view password) const {
    std::optional<std::int64_t> found;
    model_->users.for_each([&](const User& user) {
        if (user.email == login && user.password == password)
            found = user.id;
    });
    return found;
}

void Account::set_wire(const WireOptions& wire) {
    model_->wire = wire;
}
void Account::stop_clock(std::optional<wire::Seconds> at) {
    if (at)
        model_->clock = [t = *at] { return t; };
    else
        model_->clock = wire::now_seconds;
}

const WireOptions& Account::wire() const {
    return model_->wire;
}

}  // namespace smartq::sandbox
