#include "tune/space.h"

#include <algorithm>

namespace halconv {
namespace tune {

Params SearchSpace::hand() const {
    Params p;
    for (const Knob &k : knobs) p[k.name] = k.hand;
    return p;
}

Params SearchSpace::complete(const Params &p) const {
    Params out = hand();
    for (const auto &kv : p) out[kv.first] = kv.second;
    return out;
}

const Knob *SearchSpace::find(const std::string &name) const {
    for (const Knob &k : knobs)
        if (k.name == name) return &k;
    return nullptr;
}

std::string SearchSpace::violation(const Params &p, const TargetInfo &t) const {
    for (const auto &kv : p) {
        const Knob *k = find(kv.first);
        if (!k) return "unknown knob '" + kv.first + "'";
        if (std::find(k->values.begin(), k->values.end(), kv.second) == k->values.end())
            return kv.first + "=" + std::to_string(kv.second) + " is not one of its candidates";
    }
    const Params full = complete(p);
    for (const Constraint &c : constraints)
        if (!c.holds(full, t)) return c.description;
    return "";
}

uint64_t SearchSpace::size() const {
    uint64_t n = 1;
    for (const Knob &k : knobs) n *= std::max<uint64_t>(1, k.values.size());
    return n;
}

std::string params_key(const Params &p) {
    std::string s;
    for (const auto &kv : p) {  // std::map: sorted by name
        if (!s.empty()) s += ',';
        s += kv.first + "=" + std::to_string(kv.second);
    }
    return s;
}

}  // namespace tune
}  // namespace halconv
