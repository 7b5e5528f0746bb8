// The `halconv filter --kernel SPEC` language; see kernel_spec.h.
//
// Everything is checked here, before a FilterKernel factory runs, so that an
// error can point at the offending character: numbers are parsed strictly
// (the whole token, finite, in range) and every message comes with the spec
// (or the kernel file's line) and a caret under the place it went wrong.
#include "kernel_spec.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cfloat>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>
#include <vector>

namespace halconv_cli {
namespace {

using halconv::FilterKernel;

// Kernel files larger than this are refused (255 x 255 taps of 60
// characters each fit).
constexpr size_t kMaxFileBytes = size_t(4) << 20;
// The largest shift that keeps the kernel within kMaxKernelSize.
constexpr double kMaxShift = (kMaxKernelSize - 1) / 2;
// Binomial kernels stay exact in float up to this size (FilterKernel::binomial).
constexpr int kMaxBinomial = 15;

// --- messages -------------------------------------------------------------

// One line of `text` for display around `pos`, and the caret's column in it:
// control characters are escaped ("\n") or replaced, UTF-8 continuation
// bytes take no column, and long lines are cut to a window around `pos`.
struct Rendered {
    std::string line;
    size_t caret = 0;
};

Rendered render(const std::string &text, size_t begin, size_t end, size_t pos) {
    constexpr size_t kBefore = 60, kAfter = 40;
    size_t from = begin, to = end;
    const bool cut_front = pos > begin + kBefore, cut_back = end > pos + kAfter;
    if (cut_front) from = pos - kBefore;
    if (cut_back) to = pos + kAfter;
    Rendered r;
    if (cut_front) r.line = "...";
    size_t col = r.line.size();
    for (size_t i = from; i < to; i++) {
        if (i == pos) r.caret = col;
        const unsigned char c = static_cast<unsigned char>(text[i]);
        std::string piece;
        if (c == '\n') piece = "\\n";
        else if (c == '\r') piece = "\\r";
        else if (c == '\t') piece = " ";
        else if (c < 0x20 || c == 0x7f) piece = "?";
        else piece = std::string(1, char(c));
        r.line += piece;
        if ((c & 0xc0) != 0x80) col += piece.size();  // continuation bytes: same column
    }
    if (pos >= to) r.caret = col;
    if (cut_back) r.line += "...";
    return r;
}

// Where the text being parsed came from.
struct Source {
    const std::string &text;
    std::string file;  // empty: the text is the spec itself
};

[[noreturn]] void fail_at(const Source &src, size_t pos, const std::string &what) {
    const std::string &t = src.text;
    pos = std::min(pos, t.size());
    if (src.file.empty()) {
        const std::string head = "bad kernel spec '";
        const Rendered r = render(t, 0, t.size(), pos);
        throw SpecError(head + r.line + "': " + what + "\n" + std::string(head.size() + r.caret, ' ') + "^", pos);
    }
    // A kernel file: its name, the line number and that line.
    const size_t newline = pos == 0 ? std::string::npos : t.rfind('\n', pos - 1);
    const size_t line_begin = newline == std::string::npos ? 0 : newline + 1;
    size_t line_end = t.find('\n', pos);
    if (line_end == std::string::npos) line_end = t.size();
    if (line_end > line_begin && t[line_end - 1] == '\r' && pos < line_end - 1) line_end--;
    const size_t line_no = size_t(std::count(t.begin(), t.begin() + line_begin, '\n')) + 1;
    const Rendered r = render(t, line_begin, line_end, pos);
    throw SpecError("bad kernel file '" + src.file + "', line " + std::to_string(line_no) + ": " + what + "\n  " +
                        r.line + "\n  " + std::string(r.caret, ' ') + "^",
                    pos);
}

std::string quote(const std::string &s) { return "'" + s + "'"; }

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

std::string lower(std::string s) {
    for (char &c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

// --- numbers --------------------------------------------------------------

// A strictly decimal number in text[begin, end): [+-]? (D+ (. D*)? | . D+)
// ([eE] [+-]? D+)?, finite and within float range when `as_float`.
double parse_real(const Source &src, size_t begin, size_t end, const std::string &what, bool as_float = false) {
    const std::string &t = src.text;
    if (begin >= end) fail_at(src, begin, "missing " + what);
    size_t i = begin;
    if (t[i] == '+' || t[i] == '-') i++;
    size_t digits = 0;
    while (i < end && std::isdigit(static_cast<unsigned char>(t[i]))) i++, digits++;
    if (i < end && t[i] == '.') {
        i++;
        while (i < end && std::isdigit(static_cast<unsigned char>(t[i]))) i++, digits++;
    }
    if (digits == 0) fail_at(src, begin, what + " must be a number, got " + quote(t.substr(begin, end - begin)));
    if (i < end && (t[i] == 'e' || t[i] == 'E')) {
        size_t j = i + 1;
        if (j < end && (t[j] == '+' || t[j] == '-')) j++;
        const size_t exp_digits = j;
        while (j < end && std::isdigit(static_cast<unsigned char>(t[j]))) j++;
        if (j == exp_digits) fail_at(src, i, "bad exponent in " + what + " " + quote(t.substr(begin, end - begin)));
        i = j;
    }
    if (i < end) {
        fail_at(src, i, "unexpected " + quote(std::string(1, t[i])) + " in " + what + " " +
                            quote(t.substr(begin, end - begin)));
    }
    const std::string token = t.substr(begin, end - begin);
    errno = 0;
    const double v = std::strtod(token.c_str(), nullptr);
    if (!std::isfinite(v) || (as_float && std::fabs(v) > FLT_MAX)) {
        fail_at(src, begin, what + " " + quote(token) + " is out of range");
    }
    return v;
}

// An integer: [+-]? D+, at most 9 digits.
long parse_int(const Source &src, size_t begin, size_t end, const std::string &what) {
    const std::string &t = src.text;
    if (begin >= end) fail_at(src, begin, "missing " + what);
    size_t i = begin;
    if (t[i] == '+' || t[i] == '-') i++;
    const size_t first_digit = i;
    while (i < end && std::isdigit(static_cast<unsigned char>(t[i]))) i++;
    if (i == first_digit) fail_at(src, begin, what + " must be an integer, got " + quote(t.substr(begin, end - begin)));
    if (i < end) {
        fail_at(src, i, what + " must be an integer, got " + quote(t.substr(begin, end - begin)));
    }
    if (i - first_digit > 9) fail_at(src, begin, what + " " + t.substr(begin, end - begin) + " is out of range");
    return std::strtol(t.substr(begin, end - begin).c_str(), nullptr, 10);
}

// An odd size in [1, kMaxKernelSize] (or [1, max]).
int parse_size(const Source &src, size_t begin, size_t end, const std::string &what, int max = kMaxKernelSize) {
    const long v = parse_int(src, begin, end, what);
    if (v <= 0) fail_at(src, begin, what + " must be positive, got " + std::to_string(v));
    if (v % 2 == 0) fail_at(src, begin, what + " must be odd, got " + std::to_string(v));
    if (v > max) fail_at(src, begin, what + " must be at most " + std::to_string(max) + ", got " + std::to_string(v));
    return int(v);
}

// 2 * ceil(3 * sigma) + 1 within kMaxKernelSize, or an error at `pos`.
void check_auto_size(const Source &src, size_t pos, const std::string &who, double sigma, const std::string &hint) {
    const double half = std::ceil(3 * sigma);
    if (!(half <= (kMaxKernelSize - 1) / 2)) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.6g", sigma);
        const double size = 2 * half + 1;
        fail_at(src, pos, who + " sigma " + buf + " needs a " +
                              (size < 1e9 ? std::to_string(long(size)) : std::string("huge")) +
                              "-tap kernel (2 * ceil(3 * sigma) + 1), more than " + std::to_string(kMaxKernelSize) +
                              hint);
    }
}

// --- named filters --------------------------------------------------------

struct Filter {
    const char *name;
    std::vector<const char *> args;  // required, then optional (with a '?' prefix)
};

const std::vector<Filter> &filters() {
    static const std::vector<Filter> list = {
        {"box", {"N"}},
        {"gaussian", {"SIGMA", "?SIZE"}},
        {"binomial", {"N"}},
        {"motion", {"LENGTH", "ANGLE_DEG"}},
        {"shift", {"DX", "DY"}},
        {"sobel", {}},
        {"prewitt", {}},
        {"laplacian", {}},
        {"sharpen", {}},
        {"emboss", {}},
        {"gabor", {"THETA_DEG", "WAVELENGTH", "?SIGMA"}},
    };
    return list;
}

std::string known_filters() {
    std::string s;
    for (const Filter &f : filters()) s += (s.empty() ? "" : ", ") + std::string(f.name);
    return s;
}

std::string usage(const Filter &f) {
    std::string s = f.name;
    bool first = true;
    for (const char *a : f.args) {
        const bool optional = a[0] == '?';
        s += std::string(optional ? "[" : "") + (first ? ":" : ",") + (optional ? a + 1 : a) + (optional ? "]" : "");
        first = false;
    }
    return s;
}

size_t edit_distance(const std::string &a, const std::string &b) {
    std::vector<size_t> d(b.size() + 1);
    for (size_t j = 0; j <= b.size(); j++) d[j] = j;
    for (size_t i = 1; i <= a.size(); i++) {
        size_t diag = d[0];
        d[0] = i;
        for (size_t j = 1; j <= b.size(); j++) {
            const size_t up = d[j];
            d[j] = std::min({d[j] + 1, d[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diag = up;
        }
    }
    return d[b.size()];
}

struct Arg {
    size_t begin, end;  // trimmed
};

ParsedFilter parse_named(const Source &src, const Filter &f, size_t name_begin, size_t name_end, size_t end,
                         bool normalize) {
    (void)normalize;  // the named filters are normalized already
    const std::string &t = src.text;
    const std::string fname = f.name;
    size_t min_args = 0;
    for (const char *a : f.args) min_args += a[0] != '?';

    // The arguments: after ':', separated by ',', spaces around them allowed.
    std::vector<Arg> args;
    size_t i = name_end;
    while (i < end && is_space(t[i])) i++;
    if (i < end) {
        if (t[i] != ':') fail_at(src, i, "expected ':' after " + quote(t.substr(name_begin, name_end - name_begin)));
        if (f.args.empty()) fail_at(src, i, fname + " takes no arguments");
        size_t start = i + 1;
        while (true) {
            size_t stop = start;
            while (stop < end && t[stop] != ',') stop++;
            size_t b = start, e = stop;
            while (b < e && is_space(t[b])) b++;
            while (e > b && is_space(t[e - 1])) e--;
            if (args.size() == f.args.size()) {
                fail_at(src, start - 1, fname + " takes " + (min_args == f.args.size() ? "" : "at most ") +
                                            std::to_string(f.args.size()) + " argument" +
                                            (f.args.size() == 1 ? "" : "s") + " (" + usage(f) + ")");
            }
            args.push_back({b, e});
            if (stop >= end) break;
            start = stop + 1;
        }
    }
    if (args.size() < min_args) {
        if (args.empty()) {
            fail_at(src, end, fname + " needs " + (min_args == 1 ? "an argument" : std::to_string(min_args) + " arguments") +
                                  " (" + usage(f) + ")");
        }
        // An empty argument reads better as "missing X" from parse_*.
        fail_at(src, end, fname + " needs " + std::to_string(min_args) + " arguments (" + usage(f) + "), got " +
                              std::to_string(args.size()));
    }
    auto arg_name = [&](size_t k) {
        const char *a = f.args[k];
        std::string s = lower(a[0] == '?' ? a + 1 : a);
        if (s == "n") s = "size";
        if (s == "angle_deg") s = "angle";
        if (s == "theta_deg") s = "theta";
        return fname + " " + s;
    };
    // An explicitly empty optional argument ("gaussian:1,") is an error too.
    for (size_t k = 0; k < args.size(); k++) {
        if (args[k].begin >= args[k].end) fail_at(src, args[k].begin, "missing " + arg_name(k));
    }
    auto real = [&](size_t k) { return parse_real(src, args[k].begin, args[k].end, arg_name(k)); };
    auto size = [&](size_t k, int max = kMaxKernelSize) {
        return parse_size(src, args[k].begin, args[k].end, arg_name(k), max);
    };
    auto positive = [&](size_t k) {
        const double v = real(k);
        if (!(v > 0)) fail_at(src, args[k].begin, arg_name(k) + " must be positive, got " + t.substr(args[k].begin, args[k].end - args[k].begin));
        return v;
    };

    ParsedFilter out;
    const size_t args_pos = args.empty() ? name_begin : args[0].begin;
    try {
        if (fname == "box") {
            out.kernel = FilterKernel::box(size(0));
        } else if (fname == "gaussian") {
            const double sigma = positive(0);
            int n = 0;
            if (args.size() > 1) {
                n = size(1);
            } else {
                check_auto_size(src, args[0].begin, "gaussian", sigma, "; give a SIZE (gaussian:SIGMA,SIZE)");
            }
            out.kernel = FilterKernel::gaussian(sigma, n);
        } else if (fname == "binomial") {
            out.kernel = FilterKernel::binomial(size(0, kMaxBinomial));
        } else if (fname == "motion") {
            const int length = size(0);
            out.kernel = FilterKernel::motion(length, real(1));
        } else if (fname == "shift") {
            double d[2];
            for (size_t k = 0; k < 2; k++) {
                d[k] = real(k);
                if (std::fabs(d[k]) > kMaxShift) {
                    fail_at(src, args[k].begin, arg_name(k) + " must be within [-127, 127] pixels, got " +
                                                    t.substr(args[k].begin, args[k].end - args[k].begin));
                }
            }
            out.kernel = FilterKernel::shift(d[0], d[1]);
        } else if (fname == "sobel" || fname == "prewitt") {
            out.kind = ParsedFilter::Kind::Gradient;
            out.gradient = fname == "sobel" ? halconv::GradientOperator::Sobel : halconv::GradientOperator::Prewitt;
            out.name = fname;
            return out;
        } else if (fname == "laplacian") {
            out.kernel = FilterKernel::laplacian();
            out.default_absolute = true;
        } else if (fname == "sharpen") {
            out.kernel = FilterKernel::sharpen();
        } else if (fname == "emboss") {
            out.kernel = FilterKernel::emboss();
        } else if (fname == "gabor") {
            const double theta = real(0);
            const double wavelength = positive(1);
            double sigma = 0;
            if (args.size() > 2) {
                sigma = real(2);
                if (sigma < 0) {
                    fail_at(src, args[2].begin, "gabor sigma must be positive (or 0 for 0.56 * WAVELENGTH), got " +
                                                    t.substr(args[2].begin, args[2].end - args[2].begin));
                }
            }
            if (sigma > 0) {
                check_auto_size(src, args[2].begin, "gabor", sigma, "");
            } else {
                check_auto_size(src, args[1].begin, "gabor", 0.56 * wavelength,
                                " (sigma = 0.56 * WAVELENGTH); give a smaller SIGMA (gabor:THETA,WAVELENGTH,SIGMA)");
            }
            out.kernel = FilterKernel::gabor(theta, wavelength, sigma);
            out.default_absolute = true;
        }
    } catch (const halconv::Error &e) {
        // What the checks above let through (e.g. a Gabor filter narrower
        // than a pixel): the factory's own message.
        fail_at(src, args_pos, e.what());
    }
    out.name = out.kernel.name;
    return out;
}

// --- custom kernels -------------------------------------------------------

// Rows separated by ';' or newlines, taps by spaces or commas, '#' to the
// end of the line is a comment; blank rows are skipped.
ParsedFilter parse_custom(const Source &src, size_t begin, size_t end, bool normalize) {
    const std::string &t = src.text;
    std::vector<std::vector<float>> rows;
    std::vector<size_t> row_begin, row_end;  // position of the first tap / after the last
    std::vector<std::vector<size_t>> tap_pos;
    std::vector<float> row;
    std::vector<size_t> pos;
    size_t pending_comma = std::string::npos;  // a ',' still waiting for its tap
    auto end_row = [&](size_t at) {
        if (pending_comma != std::string::npos) fail_at(src, pending_comma, "missing tap after ','");
        if (row.empty()) return;
        if (rows.size() == size_t(kMaxKernelSize)) {
            fail_at(src, pos[0], "a kernel has at most " + std::to_string(kMaxKernelSize) + " rows");
        }
        rows.push_back(std::move(row));
        tap_pos.push_back(std::move(pos));
        row_begin.push_back(tap_pos.back()[0]);
        row_end.push_back(at);
        row.clear();
        pos.clear();
    };
    size_t i = begin;
    while (i < end) {
        const char c = t[i];
        if (c == '#') {
            while (i < end && t[i] != '\n') i++;
        } else if (c == ';' || c == '\n') {
            // the row ends where its last tap ends
            size_t at = i;
            while (at > begin && is_space(t[at - 1])) at--;
            end_row(at);
            i++;
        } else if (is_space(c)) {
            i++;
        } else if (c == ',') {
            if (pending_comma != std::string::npos) fail_at(src, pending_comma, "missing tap after ','");
            if (row.empty()) fail_at(src, i, "missing tap before ','");
            pending_comma = i++;
        } else {
            size_t j = i;
            while (j < end && !is_space(t[j]) && t[j] != ',' && t[j] != ';' && t[j] != '\n' && t[j] != '#') j++;
            if (row.size() == size_t(kMaxKernelSize)) {
                fail_at(src, i, "a kernel row has at most " + std::to_string(kMaxKernelSize) + " taps");
            }
            const bool looks_numeric = std::isdigit(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.';
            if (!looks_numeric) {
                fail_at(src, i, "expected a number (a kernel tap), got " + quote(t.substr(i, std::min<size_t>(j - i, 20))));
            }
            row.push_back(float(parse_real(src, i, j, "tap", true)));
            pos.push_back(i);
            pending_comma = std::string::npos;
            i = j;
        }
    }
    {
        size_t at = end;
        while (at > begin && is_space(t[at - 1])) at--;
        end_row(at);
    }
    if (rows.empty()) fail_at(src, begin, "no kernel taps");
    const size_t width = rows[0].size();
    for (size_t r = 1; r < rows.size(); r++) {
        if (rows[r].size() != width) {
            const size_t at = rows[r].size() > width ? tap_pos[r][width] : row_end[r];
            fail_at(src, at, "row " + std::to_string(r + 1) + " has " + std::to_string(rows[r].size()) + " taps, row 1 has " +
                                 std::to_string(width) + " (all rows must have the same length)");
        }
    }
    if (width % 2 == 0) {
        fail_at(src, row_end[0], "the kernel is " + std::to_string(width) +
                                     " taps wide; widths must be odd (the anchor is the centre tap)");
    }
    if (rows.size() % 2 == 0) {
        fail_at(src, row_begin.back(), "the kernel has " + std::to_string(rows.size()) +
                                           " rows; heights must be odd (the anchor is the centre tap)");
    }
    std::vector<float> taps;
    taps.reserve(rows.size() * width);
    double sum = 0, magnitude = 0;
    for (const auto &r : rows) {
        for (float v : r) {
            taps.push_back(v);
            sum += v;
            magnitude += std::fabs(v);
        }
    }
    ParsedFilter out;
    try {
        out.kernel = FilterKernel::custom(int(rows.size()), int(width), std::move(taps), normalize);
    } catch (const halconv::Error &e) {
        fail_at(src, row_begin[0], e.what());
    }
    // Zero-sum kernels (edge detectors) show |response| by default; the same
    // tolerance as FilterKernel::custom's normalization.
    out.default_absolute = std::fabs(sum) <= 1e-6 * magnitude;
    out.name = out.kernel.name;
    return out;
}

// Reads a kernel file; errors point at the file name in the spec.
ParsedFilter parse_file(const Source &spec_src, const std::string &path, size_t path_pos, bool normalize) {
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::file_status st = fs::status(path, ec);
    if (ec || !fs::exists(st)) {
        fail_at(spec_src, path_pos, "cannot read kernel file " + quote(path) + ": " +
                                        (ec ? ec.message() : std::string("no such file")));
    }
    if (fs::is_directory(st)) fail_at(spec_src, path_pos, "kernel file " + quote(path) + " is a directory");
    if (!fs::is_regular_file(st)) fail_at(spec_src, path_pos, "kernel file " + quote(path) + " is not a regular file");
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        fail_at(spec_src, path_pos, "cannot read kernel file " + quote(path) + ": " + std::strerror(errno));
    }
    std::string text;
    char buf[65536];
    while (in.read(buf, sizeof buf) || in.gcount() > 0) {
        text.append(buf, size_t(in.gcount()));
        if (text.size() > kMaxFileBytes) {
            fail_at(spec_src, path_pos, "kernel file " + quote(path) + " is too large (more than " +
                                            std::to_string(kMaxFileBytes >> 20) + " MiB)");
        }
    }
    if (in.bad()) fail_at(spec_src, path_pos, "cannot read kernel file " + quote(path) + ": read error");
    const Source src{text, path};
    ParsedFilter out = parse_custom(src, 0, text.size(), normalize);
    out.name += " from " + path;
    return out;
}

}  // namespace

ParsedFilter parse_filter_spec(const std::string &spec, bool normalize) {
    const Source src{spec, ""};
    size_t begin = 0, end = spec.size();
    while (begin < end && (is_space(spec[begin]) || spec[begin] == '\n')) begin++;
    while (end > begin && (is_space(spec[end - 1]) || spec[end - 1] == '\n')) end--;
    if (begin == end) {
        fail_at(src, 0, "empty kernel spec (expected e.g. box:5, gaussian:2, \"1 2 1; 2 4 2; 1 2 1\" or @FILE)");
    }
    const std::string trimmed = spec.substr(begin, end - begin);
    if (const size_t nul = trimmed.find('\0'); nul != std::string::npos) {
        fail_at(src, begin + nul, "unexpected NUL character");
    }

    // @FILE
    if (spec[begin] == '@') {
        if (begin + 1 == end) fail_at(src, end, "missing file name after '@'");
        return parse_file(src, trimmed.substr(1), begin + 1, normalize);
    }

    // A named filter: the word before ':' (or the whole spec).
    size_t name_end = begin;
    while (name_end < end && spec[name_end] != ':' && !is_space(spec[name_end]) && spec[name_end] != '\n') name_end++;
    const std::string word = lower(spec.substr(begin, name_end - begin));
    for (const Filter &f : filters()) {
        if (word == f.name) return parse_named(src, f, begin, name_end, end, normalize);
    }

    // A path to an existing file.
    {
        std::error_code ec;
        if (trimmed.find_first_of(";\n") == std::string::npos && std::filesystem::is_regular_file(trimmed, ec)) {
            return parse_file(src, trimmed, begin, normalize);
        }
    }

    // Inline kernels start with a number; anything else is an unknown name.
    const char c = spec[begin];
    const bool numeric = std::isdigit(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.' || c == ';' ||
                         c == ',' || c == '#';
    if (!numeric) {
        if (word.find('/') != std::string::npos) {
            fail_at(src, begin, "no such kernel file " + quote(trimmed) + " (known filters: " + known_filters() + ")");
        }
        std::string hint;
        for (const Filter &f : filters()) {
            if (word.size() >= 3 && edit_distance(word, f.name) <= 2) {
                hint = "did you mean " + quote(f.name) + "? ";
                break;
            }
        }
        fail_at(src, begin, "unknown filter " + quote(spec.substr(begin, name_end - begin)) + " (" + hint +
                                "known: " + known_filters() +
                                "; or an inline kernel like '1 2 1; 2 4 2; 1 2 1', or @FILE)");
    }
    return parse_custom(src, begin, end, normalize);
}

}  // namespace halconv_cli
