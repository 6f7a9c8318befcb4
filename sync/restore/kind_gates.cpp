#include "sync/restore/kind_gates.hpp"

#include <exception>

namespace smartq::sync::restore {

KindGates::KindGates(boost::asio::any_io_executor executor, std::optional<Kind> parent,
                     const KindGates* outer)
    : kinds_(children(parent)), outer_(outer) {
    for (std::size_t i = 0; i < kinds_.size(); ++i)
        gates_.push_back(std::make_unique<Gate>(executor));
}

Gate* KindGates::gate_for(Kind dependency, Kind waiting) const {
    for (std::size_t i = 0; i < kinds_.size(); ++i) {
        auto kind = kinds_[i]->kind;
        if (kind != dependency && !below(dependency, kind))
            continue;
        if (kind == waiting || below(waiting, kind))
            return nullptr;
        return gates_[i].get();
    }
    return outer_ ? outer_->gate_for(dependency, waiting) : nullptr;
}

boost::asio::awaitable<void> KindGates::in_order(Kind kind, boost::asio::awaitable<void> place) {
    std::size_t i = 0;
    while (kinds_.at(i)->kind != kind)
        ++i;
    Gate::Opener opener(*gates_[i]);
    try {
        const auto& r = resource(kind);
        for (const auto& reference : r.references)
            if (auto* gate = gate_for(reference.target, kind))
                co_await gate->wait();
        for (auto after : r.restore.after)
            if (auto* gate = gate_for(after, kind))
                co_await gate->wait();
        co_await std::move(place);
    } catch (...) {
        opener.fail(std::current_exception());
        throw;
    }
}

}  // namespace smartq::sync::restore
