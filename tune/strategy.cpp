#include "tune/strategy.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <unordered_set>

namespace halconv {
namespace tune {

namespace {

using Rng = std::mt19937_64;

// The std distributions are implementation-defined (libstdc++ and libc++
// draw differently); these are not, so a seed reproduces a run anywhere.
uint64_t uniform_index(Rng &rng, uint64_t n) {  // in [0, n), n > 0
    const uint64_t limit = std::numeric_limits<uint64_t>::max() - std::numeric_limits<uint64_t>::max() % n;
    uint64_t x;
    do {
        x = rng();
    } while (x >= limit);
    return x % n;
}
double uniform_unit(uint64_t bits) { return double(bits >> 11) * 0x1.0p-53; }  // in [0, 1)
double uniform_unit(Rng &rng) { return uniform_unit(rng()); }
bool coin(Rng &rng) { return rng() >> 63; }

uint64_t splitmix64(uint64_t x) {
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

// Points measured so far, by params_key of the completed point: failed
// trials count too (re-measuring them would fail again).
class Seen {
public:
    Seen(const SearchSpace &space, const std::vector<Trial> &history) {
        for (const Trial &t : history) keys_.insert(params_key(space.complete(t.params)));
    }
    bool contains(const Params &p) const { return keys_.count(params_key(p)) != 0; }

private:
    std::unordered_set<std::string> keys_;
};

bool usable(const SearchSpace &space, const TargetInfo &target, const Seen &seen, const Params &p) {
    return space.admits(p, target) && !seen.contains(p);
}

bool has_empty_knob(const SearchSpace &space) {
    for (const Knob &k : space.knobs)
        if (k.values.empty()) return true;
    return false;
}

int value_index(const Knob &k, int value) {
    for (size_t i = 0; i < k.values.size(); i++)
        if (k.values[i] == value) return int(i);
    return -1;
}

// The point with mixed-radix index `index`: the first knob is the most
// significant digit, so increasing indices walk the knobs' candidate lists
// lexicographically.
Params point_at(const SearchSpace &space, uint64_t index) {
    Params p;
    for (size_t k = space.knobs.size(); k-- > 0;) {
        const Knob &knob = space.knobs[k];
        p[knob.name] = knob.values[index % knob.values.size()];
        index /= knob.values.size();
    }
    return p;
}

Params random_point(const SearchSpace &space, Rng &rng) {
    Params p;
    for (const Knob &k : space.knobs) p[k.name] = k.values[uniform_index(rng, k.values.size())];
    return p;
}

// Rejection sampling is uniform over the admitted unseen points but may miss
// the last few of a small space; spaces up to this size are then enumerated
// so that "nothing found" means "nothing left".
constexpr int kRandomDraws = 10000;
constexpr uint64_t kEnumerableSize = uint64_t(1) << 20;

std::optional<Params> random_unseen(const SearchSpace &space, const TargetInfo &target, const Seen &seen,
                                    Rng &rng) {
    if (has_empty_knob(space)) return std::nullopt;
    for (int draw = 0; draw < kRandomDraws; draw++) {
        Params p = random_point(space, rng);
        if (usable(space, target, seen, p)) return p;
    }
    if (space.size() > kEnumerableSize) return std::nullopt;
    std::vector<uint64_t> left;
    for (uint64_t i = 0; i < space.size(); i++)
        if (usable(space, target, seen, point_at(space, i))) left.push_back(i);
    if (left.empty()) return std::nullopt;
    return point_at(space, left[uniform_index(rng, left.size())]);
}

// The hand schedule is the natural starting point of a local search.
std::optional<Params> hand_if_new(const SearchSpace &space, const TargetInfo &target, const Seen &seen) {
    Params hand = space.hand();
    if (usable(space, target, seen, hand)) return hand;
    return std::nullopt;
}

class GridStrategy : public Strategy {
public:
    std::string name() const override { return "grid"; }

    std::optional<Params> propose(const SearchSpace &space, const TargetInfo &target,
                                  const std::vector<Trial> &history) override {
        if (has_empty_knob(space)) return std::nullopt;
        const Seen seen(space, history);
        if (std::optional<Params> hand = hand_if_new(space, target, seen)) return hand;

        // Every point before the cursor was inadmissible or already measured
        // when passed, and stays so while the history only grows: resuming
        // the scan there keeps a whole run linear instead of quadratic.
        const std::string fingerprint = space_fingerprint(space, target);
        if (fingerprint != fingerprint_ || history.size() < history_size_) cursor_ = 0;
        fingerprint_ = fingerprint;
        history_size_ = history.size();

        for (; cursor_ < space.size(); cursor_++) {
            Params p = point_at(space, cursor_);
            // Not advanced past the proposal: if it never reaches the history
            // it is proposed again.
            if (usable(space, target, seen, p)) return p;
        }
        return std::nullopt;
    }

private:
    static std::string space_fingerprint(const SearchSpace &space, const TargetInfo &target) {
        std::string s = target.device + ":" + std::to_string(target.vector_lanes) + ":" +
                        std::to_string(target.vector_registers);
        for (const Knob &k : space.knobs) {
            s += ";" + k.name + "=" + std::to_string(k.hand) + ":";
            for (int v : k.values) s += std::to_string(v) + ",";
        }
        return s;
    }

    uint64_t cursor_ = 0;
    std::string fingerprint_;
    size_t history_size_ = 0;
};

class RandomStrategy : public Strategy {
public:
    explicit RandomStrategy(uint64_t seed) : rng_(seed) {}
    std::string name() const override { return "random"; }

    std::optional<Params> propose(const SearchSpace &space, const TargetInfo &target,
                                  const std::vector<Trial> &history) override {
        return random_unseen(space, target, Seen(space, history), rng_);
    }

private:
    Rng rng_;
};

class AnnealStrategy : public Strategy {
public:
    explicit AnnealStrategy(uint64_t seed) : seed_(seed), rng_(seed) {}
    std::string name() const override { return "anneal"; }

    std::optional<Params> propose(const SearchSpace &space, const TargetInfo &target,
                                  const std::vector<Trial> &history) override {
        if (has_empty_knob(space)) return std::nullopt;
        const Seen seen(space, history);
        const Trial *current = replay(history);
        if (!current) {
            if (std::optional<Params> hand = hand_if_new(space, target, seen)) return hand;
            return random_unseen(space, target, seen, rng_);
        }
        const Params from = space.complete(current->params);

        std::vector<size_t> movable;  // knobs with somewhere to go
        for (size_t k = 0; k < space.knobs.size(); k++)
            if (space.knobs[k].values.size() > 1) movable.push_back(k);
        if (movable.empty()) return random_unseen(space, target, seen, rng_);

        for (int draw = 0; draw < kNeighbourDraws; draw++) {
            Params p = from;
            const size_t first = movable[uniform_index(rng_, movable.size())];
            const int first_dir = coin(rng_) ? 1 : -1;
            bool moved;
            if (movable.size() > 1 && uniform_unit(rng_) < kSecondKnobProbability) {
                size_t second;
                do {
                    second = movable[uniform_index(rng_, movable.size())];
                } while (second == first);
                const int second_dir = coin(rng_) ? 1 : -1;
                moved = step(space.knobs[first], p, first_dir, /*bounce=*/true) &&
                        walk_either_way(space, target, space.knobs[second], p, second_dir);
            } else {
                moved = walk_either_way(space, target, space.knobs[first], p, first_dir);
            }
            if (moved && !seen.contains(p)) return p;
        }

        // The random draws keep hitting measured points: list every one- and
        // two-knob neighbour before giving up on this neighbourhood.
        std::vector<Params> fresh;
        std::unordered_set<std::string> listed;
        auto consider = [&](const Params &p) {
            if (!seen.contains(p) && listed.insert(params_key(p)).second) fresh.push_back(p);
        };
        for (size_t a = 0; a < movable.size(); a++) {
            for (int da : {-1, 1}) {
                Params p = from;
                if (walk(space, target, space.knobs[movable[a]], p, da)) consider(p);
                p = from;
                if (!step(space.knobs[movable[a]], p, da, /*bounce=*/false)) continue;
                for (size_t b = 0; b < movable.size(); b++) {
                    if (b == a) continue;
                    for (int db : {-1, 1}) {
                        Params q = p;
                        if (walk(space, target, space.knobs[movable[b]], q, db)) consider(q);
                    }
                }
            }
        }
        if (!fresh.empty()) return fresh[uniform_index(rng_, fresh.size())];
        // A local optimum whose neighbourhood is all measured: jump anywhere.
        return random_unseen(space, target, seen, rng_);
    }

private:
    static constexpr double kInitialTemperature = 0.1;  // a 10% slower point: accepted with p = 1/e at first
    static constexpr double kCooling = 0.97;            // per trial: T is ~1/6 of T0 after 60 trials
    static constexpr int kRestartAfter = 8;             // consecutive rejections, then back to the best
    static constexpr double kSecondKnobProbability = 0.25;
    static constexpr int kNeighbourDraws = 64;

    // Replays the annealing walk over the history and returns its current
    // point (nullptr before the first ok trial). The acceptance draw of
    // trial i depends only on the seed and i, so the walk is the same on
    // every call and when resuming.
    const Trial *replay(const std::vector<Trial> &history) const {
        const Trial *current = nullptr, *best = nullptr;
        int rejections = 0;
        for (size_t i = 0; i < history.size(); i++) {
            const Trial &t = history[i];
            if (!t.ok) {
                if (current) rejections++;
            } else {
                if (!best || t.median_ms < best->median_ms) best = &t;
                if (!current || t.median_ms < current->median_ms) {
                    current = &t;
                    rejections = 0;
                } else if (accept_worse(t.median_ms, current->median_ms, i)) {
                    current = &t;
                    rejections = 0;
                } else {
                    rejections++;
                }
            }
            if (rejections >= kRestartAfter) {
                current = best;
                rejections = 0;
            }
        }
        return current;
    }

    bool accept_worse(double candidate_ms, double current_ms, size_t trial_index) const {
        if (!(current_ms > 0)) return false;
        const double temperature = kInitialTemperature * std::pow(kCooling, double(trial_index));
        const double probability = std::exp(-(candidate_ms - current_ms) / (temperature * current_ms));
        return uniform_unit(splitmix64(seed_ ^ splitmix64(trial_index))) < probability;
    }

    // The index of p's value of k; a value the list lacks (a record from an
    // older space) sits just outside the end we are moving in from.
    static int position(const Knob &k, const Params &p, int dir) {
        const int i = value_index(k, p.at(k.name));
        return i >= 0 ? i : dir > 0 ? -1 : int(k.values.size());
    }

    // Moves knob k of p one candidate in direction dir; with bounce, a step
    // off either end goes the other way. False if it cannot move.
    static bool step(const Knob &k, Params &p, int dir, bool bounce) {
        const int n = int(k.values.size());
        const int i = position(k, p, dir);
        int j = i + dir;
        if (j < 0 || j >= n) {
            if (!bounce) return false;
            j = i - dir;
            if (j < 0 || j >= n) return false;
        }
        p[k.name] = k.values[size_t(j)];
        return true;
    }

    // Moves knob k of p in direction dir to the nearest candidate that makes
    // p admitted: candidate lists hold values that the constraints rule out
    // for most settings of the other knobs (non-divisors, tiles too big for
    // the registers), and one step onto those would leave p stuck. Leaves p
    // unchanged and returns false if there is none.
    static bool walk(const SearchSpace &space, const TargetInfo &target, const Knob &k, Params &p, int dir) {
        const int original = p.at(k.name);
        const int n = int(k.values.size());
        for (int j = position(k, p, dir) + dir; j >= 0 && j < n; j += dir) {
            p[k.name] = k.values[size_t(j)];
            if (space.admits(p, target)) return true;
        }
        p[k.name] = original;
        return false;
    }

    static bool walk_either_way(const SearchSpace &space, const TargetInfo &target, const Knob &k, Params &p,
                                int dir) {
        return walk(space, target, k, p, dir) || walk(space, target, k, p, -dir);
    }

    uint64_t seed_;
    Rng rng_;
};

class EvolveStrategy : public Strategy {
public:
    explicit EvolveStrategy(uint64_t seed) : rng_(seed) {}
    std::string name() const override { return "evolve"; }

    std::optional<Params> propose(const SearchSpace &space, const TargetInfo &target,
                                  const std::vector<Trial> &history) override {
        if (has_empty_knob(space)) return std::nullopt;
        const Seen seen(space, history);

        // The fastest ok trials; failed ones are never parents.
        std::vector<const Trial *> population;
        for (const Trial &t : history)
            if (t.ok) population.push_back(&t);
        std::stable_sort(population.begin(), population.end(),
                         [](const Trial *a, const Trial *b) { return a->median_ms < b->median_ms; });
        if (population.size() > kPopulation) population.resize(kPopulation);

        if (population.size() < kMinPopulation) {
            if (std::optional<Params> hand = hand_if_new(space, target, seen)) return hand;
            return random_unseen(space, target, seen, rng_);
        }

        for (int attempt = 0; attempt < kChildAttempts; attempt++) {
            const size_t a = tournament(population.size());
            size_t b = tournament(population.size());
            for (int retry = 0; retry < 3 && b == a; retry++) b = tournament(population.size());
            const Params pa = space.complete(population[a]->params);
            const Params pb = space.complete(population[b]->params);

            Params child;
            for (const Knob &k : space.knobs) child[k.name] = coin(rng_) ? pa.at(k.name) : pb.at(k.name);
            mutate(space, child);
            if (usable(space, target, seen, child)) return child;
        }
        // The population's neighbourhood is used up (or mostly inadmissible).
        return random_unseen(space, target, seen, rng_);
    }

private:
    static constexpr size_t kPopulation = 8;
    static constexpr size_t kMinPopulation = 4;
    static constexpr int kTournament = 3;
    static constexpr int kChildAttempts = 200;

    // The population is sorted fastest first, so the smallest index drawn wins.
    size_t tournament(size_t population_size) {
        size_t winner = population_size;
        for (int i = 0; i < kTournament; i++) winner = std::min(winner, size_t(uniform_index(rng_, population_size)));
        return winner;
    }

    // One random knob to a different random candidate.
    void mutate(const SearchSpace &space, Params &p) {
        std::vector<const Knob *> movable;
        for (const Knob &k : space.knobs)
            if (k.values.size() > 1) movable.push_back(&k);
        if (movable.empty()) return;
        const Knob &k = *movable[uniform_index(rng_, movable.size())];
        std::vector<int> others;
        for (int v : k.values)
            if (v != p.at(k.name)) others.push_back(v);
        if (!others.empty()) p[k.name] = others[uniform_index(rng_, others.size())];
    }

    Rng rng_;
};

}  // namespace

std::vector<std::string> strategy_names() { return {"grid", "random", "anneal", "evolve"}; }

std::unique_ptr<Strategy> make_strategy(const std::string &name, uint64_t seed) {
    if (name == "grid") return std::make_unique<GridStrategy>();
    if (name == "random") return std::make_unique<RandomStrategy>(seed);
    if (name == "anneal") return std::make_unique<AnnealStrategy>(seed);
    if (name == "evolve") return std::make_unique<EvolveStrategy>(seed);
    std::string valid;
    for (const std::string &n : strategy_names()) valid += (valid.empty() ? "" : ", ") + n;
    throw std::invalid_argument("unknown strategy '" + name + "' (valid: " + valid + ")");
}

}  // namespace tune
}  // namespace halconv
