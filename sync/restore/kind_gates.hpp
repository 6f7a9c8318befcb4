// The order of one level of the restore's walk, read from the resource table: the objects
// of a kind are placed once those they name exist. A kind waits for the targets of its
// references (a ticket's step and assignees, a role's max_step) and the kinds its
// RestoreFacts::after names, each taken as the kind of this level or of an enclosing one
// that is it or holds it below (a field's values are placed with their field). Everything
// else goes side by side.
#pragma once

#include <utility>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <memory>
#include <optional>
#include <vector>

#include "sync/resources.hpp"
#include "sync/restore/gate.hpp"

namespace smartq::sync::restore {

class KindGates {
  public:
    // The kinds the table puts under `parent` (the account's own with nullopt); `outer`: the
    // gates of the level holding `parent`, which must outlive these.
    KindGates(boost::asio::any_io_executor executor, std::optional<Kind> parent,
              const KindGates* outer = nullptr);

    // Runs `place` (the placing of every object of `kind` on this level) once the kinds it
    // waits for are placed, then opens the kind's gate, with the failure `place` threw if any.
    boost::asio::awaitable<void> in_order(Kind kind, boost::asio::awaitable<void> place);

    // The kinds of this level, in table order.
    const std::vector<const Resource*>& kinds() const { return kinds_; }

  private:
    // The gate of the kind of this level or an enclosing one that is `dependency` or holds it;
    // none when that kind is `waiting` or holds it (a note's parent note, a ticket's project).
    Gate* gate_for(Kind dependency, Kind waiting) const;

    std::vector<const Resource*> kinds_;
    std::vector<std::unique_ptr<Gate>> gates_;  // one per kind, in the order of kinds_
    const KindGates* outer_;
};

}  // namespace smartq::sync::restore
