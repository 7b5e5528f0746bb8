// Shape classes: the key under which `halconv tune` records a shape and under
// which the library looks up a tuned variant of a pipeline at run time
// (runtime/tuned.h). Plain C++, shared by the tuner (from suite entries) and
// the runtime (from a call's tensors), so both spell a shape the same way.
//
// A class is the op (pipeline) name and the call's geometry, batch excluded
// (a schedule tuned on one image serves any batch):
//   "conv2d:C=64,H=56,W=56,K=64,R=3,S=3,sy=1,sx=1,py=1,px=1,dy=1,dx=1,g=1"
// Fields, in this order, per op:
//   conv2d                          C H W K R S sy sx py px dy dx g
//   conv_transpose2d                C H W K R S sy sx py px oy ox dy dx g   (o: output_padding)
//   max_pool2d, avg_pool2d,
//   max_pool2d_with_indices         C H W R S sy sx py px
//   deform_conv2d(_backward)        C H W K R S sy sx py px dy dx G g mask  (G: offset groups, mask 0/1)
//   filter_* (image filters)        C H W R S                             (C: image channels, R x S taps)
//   points_collection(_backward)    N M H W h w
//   flow_warp(_backward)            C H W
// H, W are the input's height and width (for points_collection: its H W h w).
#pragma once

#include <initializer_list>
#include <string>
#include <utility>

namespace halconv {

inline std::string shape_class(const std::string &op,
                               std::initializer_list<std::pair<const char *, long long>> fields) {
    std::string s = op + ":";
    bool first = true;
    for (const auto &f : fields) {
        if (!first) s += ',';
        first = false;
        s += f.first;
        s += '=';
        s += std::to_string(f.second);
    }
    return s;
}

}  // namespace halconv
