#include "tune/problem.h"

#include <random>

namespace halconv {
namespace tune {

namespace {
std::vector<OpAdapter> &op_table() {
    static std::vector<OpAdapter> table;
    return table;
}
}  // namespace

bool register_op(OpAdapter adapter) {
    op_table().push_back(std::move(adapter));
    return true;
}

const std::vector<OpAdapter> &all_ops() { return op_table(); }

const OpAdapter *find_op(const std::string &op) {
    for (const OpAdapter &a : op_table())
        if (a.op == op) return &a;
    return nullptr;
}

void fill_uniform(Halide::Buffer<float> &b, float lo, float hi, uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<float> dist(lo, hi);
    b.for_each_value([&](float &v) { v = dist(rng); });
}

}  // namespace tune
}  // namespace halconv
