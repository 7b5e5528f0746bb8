// Shared algorithm pieces for every halconv generator (no scheduling here).
#pragma once

#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "Halide.h"

namespace halconv {

using namespace Halide;

// Halide dimension order of an NCHW tensor: innermost first.
//   dim 0 = x (W), dim 1 = y (H), dim 2 = channel (C), dim 3 = batch (N)
enum NchwDim { kDimX = 0, kDimY = 1, kDimC = 2, kDimN = 3 };

// Zero outside [0, W) x [0, H) of an NCHW input; channels and batch are
// always in range. This is the "zeros" padding of PyTorch's conv and the
// "zeros outside" rule of bilinear sampling.
inline Func zero_padded_xy(const Func &input, const Expr &width, const Expr &height) {
    return BoundaryConditions::constant_exterior(input, 0.0f, {{0, width}, {0, height}});
}

// Shape estimates for Halide's autoschedulers (`halconv tune` runs them on
// the same algorithms as the hand schedules). The GeneratorParam holds
// "name=e0,e1,...;name2=v": the extents of each buffer (Halide dimension
// order) and the value of each scalar Input, keyed by their names; ':' may
// stand for '=' (GenGen's command line splits "estimates=..." at every
// '=', so an AOT build of an autoscheduled pipeline writes
// estimates=input:64,64,16,2;flow:64,64,2,2;...). A
// generator with auto_schedule=true calls apply() on its Inputs and
// Outputs instead of applying its hand schedule:
//     if (get_auto_schedule()) estimates.apply(input, weight, output);
//     else cpu_schedule.apply(...);
struct AutoscheduleEstimates {
    GeneratorParam<std::string> spec{"estimates", ""};

    template<typename... Args>
    void apply(Args &...args) const {
        const auto table = parse(spec.value());
        (set(table, args), ...);
    }

private:
    using Table = std::map<std::string, std::vector<double>>;
    static Table parse(const std::string &text) {
        Table table;
        std::stringstream items(text);
        std::string item;
        while (std::getline(items, item, ';')) {
            const size_t eq = item.find_first_of("=:");
            if (eq == std::string::npos) continue;
            std::stringstream values(item.substr(eq + 1));
            std::string v;
            while (std::getline(values, v, ',')) table[item.substr(0, eq)].push_back(std::stod(v));
        }
        return table;
    }
    static const std::vector<double> &find(const Table &table, const std::string &name) {
        auto it = table.find(name);
        if (it == table.end()) throw CompileError("estimates: no entry for '" + name + "'");
        return it->second;
    }
    // Buffers (Input<Buffer<>> and Output<Buffer<>>): one extent per dimension.
    template<typename T>
    static auto set(const Table &table, T &io) -> decltype(io.dimensions(), void()) {
        const auto &e = find(table, io.name());
        Region region;
        for (double extent : e) region.push_back(Range(0, (int)extent));
        io.set_estimates(region);
    }
    // Scalars (Input<int>, Input<float>, Input<bool>).
    template<typename T>
    static auto set(const Table &table, GeneratorInput<T> &io) -> std::enable_if_t<std::is_arithmetic<T>::value> {
        io.set_estimate(T(find(table, io.name()).at(0)));
    }
};

}  // namespace halconv
