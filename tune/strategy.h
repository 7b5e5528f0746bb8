// Search strategies of `halconv tune`: each proposes the next candidate from
// the space and the trials measured so far (including those loaded from a
// records file when resuming), so an interrupted run picks up where it
// stopped. All randomness comes from the seeded Rng: a run is reproducible.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "tune/space.h"

namespace halconv {
namespace tune {

struct Trial {
    Params params;       // completed (every knob)
    bool ok = false;     // measured and correct
    double median_ms = 0;
};

class Strategy {
public:
    virtual ~Strategy() = default;
    virtual std::string name() const = 0;
    // The next candidate to measure: admitted by the space's constraints and
    // not among `history` (by params_key). nullopt when the strategy has
    // nothing new to propose (grid exhausted, or no admitted unseen point
    // found after a bounded number of draws).
    virtual std::optional<Params> propose(const SearchSpace &space, const TargetInfo &target,
                                          const std::vector<Trial> &history) = 0;
};

// grid:   every admitted point in lexicographic order of the knobs' candidate
//         lists (the hand point first).
// random: uniform over admitted unseen points.
// anneal: simulated annealing: a neighbour (one knob moved one step along its
//         candidate list, sometimes two knobs) of the current point;
//         worse points are accepted with probability exp(-(t - t_cur)/(T t_cur)),
//         T falling geometrically with the number of trials; restarts from
//         the best after a run of rejections. The current point is rebuilt
//         from `history` on every call.
// evolve: a population of the best `population` ok trials; children by
//         uniform crossover of two tournament-selected parents plus one
//         mutation; random points until the population is full.
// Throws std::invalid_argument for an unknown name (listing the valid ones).
std::unique_ptr<Strategy> make_strategy(const std::string &name, uint64_t seed);
std::vector<std::string> strategy_names();

}  // namespace tune
}  // namespace halconv
