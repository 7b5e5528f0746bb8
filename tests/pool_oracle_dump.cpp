// Writes every pooling sweep case (CPU and OpenCL lists) with the exact data
// the tests use and the reference's results, for tests/pool_oracle.py to
// compare against PyTorch. Not part of ctest (PyTorch is not a dependency):
//
//   cmake --build build --target halconv_pool_oracle_dump
//   build/tests/halconv_pool_oracle_dump /tmp/pool_oracle
//   /usr/bin/python3 tests/pool_oracle.py /tmp/pool_oracle
//
// Layout: DIR/manifest.json (one object per case) and raw little-endian
// arrays DIR/<id>_<what>.bin (float32 or int64; reference values float64).
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "pool_cases.h"

namespace halconv_test {
namespace {

std::string g_dir;
int g_id = 0;
std::ostringstream g_manifest;
bool g_first = true;

template<typename T>
std::string write_bin(const std::string &what, const std::vector<T> &v) {
    const std::string name = std::to_string(g_id) + "_" + what + ".bin";
    std::ofstream f(g_dir + "/" + name, std::ios::binary);
    f.write(reinterpret_cast<const char *>(v.data()), (std::streamsize)(v.size() * sizeof(T)));
    return name;
}

std::string json_shape(const Shape &s) {
    std::string r = "[";
    for (size_t i = 0; i < s.size(); i++) r += (i ? ", " : "") + std::to_string(s[i]);
    return r + "]";
}
std::string json_pair(const std::array<int, 2> &p) {
    return "[" + std::to_string(p[0]) + ", " + std::to_string(p[1]) + "]";
}

// One manifest entry: fixed keys plus `fields` (already JSON "key": value pairs).
void entry(const std::string &op, const std::string &name, const std::string &fields) {
    g_manifest << (g_first ? "" : ",\n") << "  {\"id\": " << g_id << ", \"op\": \"" << op << "\", \"name\": \"" << name
               << "\", " << fields << "}";
    g_first = false;
    g_id++;
}

std::string window_fields(const PoolCase &c) {
    const ref::PoolParams p = c.ref_params();
    std::ostringstream os;
    os << "\"input_shape\": " << json_shape(c.input_shape()) << ", \"kernel\": " << json_pair(p.kernel)
       << ", \"stride\": " << json_pair(p.stride) << ", \"padding\": " << json_pair(p.padding)
       << ", \"dilation\": " << json_pair(p.dilation) << ", \"ceil_mode\": " << (p.ceil_mode ? "true" : "false")
       << ", \"count_include_pad\": " << (p.count_include_pad ? "true" : "false")
       << ", \"divisor_override\": " << p.divisor_override;
    return os.str();
}

void dump_max(const PoolCase &c) {
    const std::vector<float> x = pool_data(c.input_shape(), c.data, pool_seed(c.name(), 1));
    const ref::MaxResult r = ref::max_pool2d(x.data(), c.input_shape(), c.ref_params());
    const std::vector<float> g = random_tensor(numel(r.shape), pool_seed(c.name(), 2));
    const ref::Result b = ref::max_pool2d_backward(g.data(), r.index.data(), r.shape, c.input_shape());
    std::ostringstream os;
    os << window_fields(c) << ", \"output_shape\": " << json_shape(r.shape) << ", \"input\": \""
       << write_bin("input", x) << "\", \"value\": \"" << write_bin("value", r.value) << "\", \"index\": \""
       << write_bin("index", r.index) << "\", \"grad_output\": \"" << write_bin("grad_output", g)
       << "\", \"grad_input\": \"" << write_bin("grad_input", b.value) << "\"";
    entry("max_pool2d", c.name(), os.str());
}

void dump_avg(const PoolCase &c) {
    const std::vector<float> x = pool_data(c.input_shape(), c.data, pool_seed(c.name(), 1));
    const ref::Result r = ref::avg_pool2d(x.data(), c.input_shape(), c.ref_params());
    const std::vector<float> g = random_tensor(numel(r.shape), pool_seed(c.name(), 2));
    const ref::Result b = ref::avg_pool2d_backward(g.data(), r.shape, c.input_shape(), c.ref_params());
    std::ostringstream os;
    os << window_fields(c) << ", \"output_shape\": " << json_shape(r.shape) << ", \"input\": \""
       << write_bin("input", x) << "\", \"value\": \"" << write_bin("value", r.value) << "\", \"grad_output\": \""
       << write_bin("grad_output", g) << "\", \"grad_input\": \"" << write_bin("grad_input", b.value) << "\"";
    entry("avg_pool2d", c.name(), os.str());
}

void dump_subsample(const SubsampleCase &c) {
    const std::vector<float> x = pool_data(c.input_shape(), c.data, pool_seed(c.name(), 1));
    const Shape s = ref::subsample2d_output_shape(c.input_shape(), c.stride, c.offset);
    const std::vector<float> r = ref::subsample2d(x.data(), c.input_shape(), c.stride, c.offset);
    std::ostringstream os;
    os << "\"input_shape\": " << json_shape(c.input_shape()) << ", \"stride\": " << json_pair(c.stride)
       << ", \"offset\": " << json_pair(c.offset) << ", \"output_shape\": " << json_shape(s) << ", \"input\": \""
       << write_bin("input", x) << "\", \"value\": \"" << write_bin("value", r) << "\"";
    entry("subsample2d", c.name(), os.str());
}

void dump_unpool(const UnpoolCase &c) {
    const Shape s = c.ref_output_shape();
    const std::vector<float> x = pool_data(c.input_shape(), c.data, pool_seed(c.name(), 1));
    const std::vector<int64_t> idx = make_unpool_indices(c, s[2], s[3], pool_seed(c.name(), 3));
    const std::vector<float> r = ref::max_unpool2d(x.data(), idx.data(), c.input_shape(), s);
    std::ostringstream os;
    os << "\"input_shape\": " << json_shape(c.input_shape()) << ", \"kernel\": " << json_pair(c.kernel)
       << ", \"stride\": " << json_pair(c.effective_stride()) << ", \"padding\": " << json_pair(c.padding)
       << ", \"output_size\": "
       << (c.output_size ? "[" + std::to_string((*c.output_size)[0]) + ", " + std::to_string((*c.output_size)[1]) + "]"
                         : std::string("null"))
       << ", \"output_shape\": " << json_shape(s) << ", \"input\": \"" << write_bin("input", x)
       << "\", \"indices\": \"" << write_bin("indices", idx) << "\", \"value\": \"" << write_bin("value", r) << "\"";
    entry("max_unpool2d", c.name(), os.str());
}

void dump_adaptive(const AdaptiveCase &c) {
    const std::vector<float> x = pool_data(c.input_shape(), c.data, pool_seed(c.name(), 1));
    const ref::Result a = ref::adaptive_avg_pool2d(x.data(), c.input_shape(), c.output_size);
    const ref::MaxResult m = ref::adaptive_max_pool2d(x.data(), c.input_shape(), c.output_size);
    std::ostringstream os;
    os << "\"input_shape\": " << json_shape(c.input_shape()) << ", \"output_size\": [" << c.output_size[0] << ", "
       << c.output_size[1] << "], \"output_shape\": " << json_shape(a.shape) << ", \"input\": \""
       << write_bin("input", x) << "\", \"avg\": \"" << write_bin("avg", a.value) << "\", \"max\": \""
       << write_bin("max", m.value) << "\", \"index\": \"" << write_bin("index", m.index) << "\"";
    entry("adaptive_pool2d", c.name(), os.str());
}

}  // namespace
}  // namespace halconv_test

int main(int argc, char **argv) {
    using namespace halconv_test;
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s OUTPUT_DIR (an existing directory)\n", argv[0]);
        return 2;
    }
    g_dir = argv[1];
    for (auto list : {max_pool2d_cpu_cases(), max_pool2d_opencl_cases()})
        for (const auto &c : list) dump_max(c);
    for (auto list : {avg_pool2d_cpu_cases(), avg_pool2d_opencl_cases()})
        for (const auto &c : list) dump_avg(c);
    for (auto list : {subsample2d_cpu_cases(), subsample2d_opencl_cases()})
        for (const auto &c : list) dump_subsample(c);
    for (auto list : {max_unpool2d_cpu_cases(), max_unpool2d_opencl_cases()})
        for (const auto &c : list) dump_unpool(c);
    for (auto list : {adaptive_pool2d_cpu_cases(), adaptive_pool2d_opencl_cases()})
        for (const auto &c : list) dump_adaptive(c);
    std::ofstream(g_dir + "/manifest.json") << "[\n" << g_manifest.str() << "\n]\n";
    std::printf("%d cases written to %s\n", g_id, g_dir.c_str());
    return 0;
}
