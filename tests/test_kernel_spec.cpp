// Tests of the `halconv filter --kernel SPEC` parser (apps/common/kernel_spec.cpp):
// every accepted form, and malformed specs with their messages and caret
// positions, kernel files included.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "kernel_spec.h"

namespace {

namespace fs = std::filesystem;
using halconv::FilterKernel;
using halconv_cli::parse_filter_spec;
using halconv_cli::ParsedFilter;
using halconv_cli::SpecError;

// How the message shows the spec: newlines as "\n".
std::string escaped(const std::string &s) {
    std::string out;
    for (char c : s) {
        if (c == '\n') out += "\\n";
        else if (c == '\t') out += ' ';
        else if ((unsigned char)c < 0x20) out += '?';
        else out += c;
    }
    return out;
}

// Parses a bad spec and checks the SpecError: position, message text and
// that the caret line points at that position.
void expect_spec_error(const std::string &spec, size_t pos, const std::string &needle, bool normalize = false) {
    SCOPED_TRACE("spec '" + escaped(spec) + "'");
    try {
        parse_filter_spec(spec, normalize);
    } catch (const SpecError &e) {
        const std::string msg = e.what();
        EXPECT_EQ(e.position(), pos) << msg;
        if (spec.size() > 100) {  // shown cut around the caret (LongSpecsAreCutAroundTheCaret)
            EXPECT_NE(msg.find(needle), std::string::npos) << "message: " << msg << "\nexpected: " << needle;
            return;
        }
        const std::string head = "bad kernel spec '" + escaped(spec) + "': ";
        EXPECT_EQ(msg.rfind(head, 0), 0u) << msg;
        const size_t nl = msg.find('\n');
        ASSERT_NE(nl, std::string::npos) << msg;
        EXPECT_NE(msg.substr(0, nl).find(needle), std::string::npos) << "message: " << msg << "\nexpected: " << needle;
        const std::string caret = msg.substr(nl + 1);
        const size_t column = std::string("bad kernel spec '").size() + escaped(spec.substr(0, pos)).size();
        EXPECT_EQ(caret, std::string(column, ' ') + "^") << msg;
        return;
    } catch (const std::exception &e) {
        ADD_FAILURE() << "wrong exception type: " << e.what();
        return;
    }
    ADD_FAILURE() << "accepted";
}

class TempDir {
public:
    TempDir() : path_(fs::temp_directory_path() / ("kernel_spec_test-" + std::to_string(::getpid()))) {
        fs::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    std::string write(const std::string &name, const std::string &text) const {
        const fs::path p = path_ / name;
        std::ofstream(p, std::ios::binary) << text;
        return p.string();
    }
    std::string path() const { return path_.string(); }

private:
    fs::path path_;
};

// --- accepted specs ---------------------------------------------------------

TEST(KernelSpec, NamedFilters) {
    struct Case {
        const char *spec;
        const char *name;
        int width, height;
        bool absolute;
    };
    for (const Case &c : {Case{"box:5", "box:5", 5, 5, false},
                          Case{"  gaussian:1.5  ", "gaussian:1.5,11", 11, 11, false},
                          Case{"gaussian: 2 , 7", "gaussian:2,7", 7, 7, false},
                          Case{"GAUSSIAN:1", "gaussian:1,7", 7, 7, false},
                          Case{"gaussian:0.5e1,3", "gaussian:5,3", 3, 3, false},
                          Case{"binomial:5", "binomial:5", 5, 5, false},
                          Case{"binomial:15", "binomial:15", 15, 15, false},
                          Case{"motion:15,30", "motion:15,30", 15, 15, false},
                          Case{"motion:9,-90", "motion:9,-90", 1, 9, false},
                          Case{"motion:9,180", "motion:9,180", 9, 1, false},
                          Case{"shift:2,-1", "shift:2,-1", 5, 3, false},
                          Case{"shift:+0.5,.25", "shift:0.5,0.25", 3, 3, false},
                          Case{"shift:127,-127", "shift:127,-127", 255, 255, false},
                          Case{"laplacian", "laplacian", 3, 3, true},
                          Case{"sharpen", "sharpen", 3, 3, false},
                          Case{"emboss", "emboss", 3, 3, false},
                          Case{"gabor:30,8", "gabor:30,8,4.48", 29, 29, true},
                          Case{"gabor:30,8,2", "gabor:30,8,2", 13, 13, true},
                          Case{"gabor:-45,6,0", "gabor:-45,6,3.36", 23, 23, true},
                          Case{"box:255", "box:255", 255, 255, false}}) {
        SCOPED_TRACE(c.spec);
        const ParsedFilter p = parse_filter_spec(c.spec);
        EXPECT_EQ(p.kind, ParsedFilter::Kind::Kernel);
        EXPECT_EQ(p.name, c.name);
        EXPECT_EQ(p.kernel.name, c.name);
        EXPECT_EQ(p.kernel.width, c.width);
        EXPECT_EQ(p.kernel.height, c.height);
        EXPECT_EQ(p.default_absolute, c.absolute);
        // normalize is for custom kernels only
        const ParsedFilter n = parse_filter_spec(c.spec, true);
        EXPECT_EQ(n.kernel.taps, p.kernel.taps);
        EXPECT_EQ(n.kernel.divisor, p.kernel.divisor);
    }
    EXPECT_EQ(parse_filter_spec("box:3").kernel.divisor, 9.0);
    EXPECT_TRUE(parse_filter_spec("gaussian:1").kernel.fixed_row.size() == 7);
}

TEST(KernelSpec, GradientOperators) {
    const ParsedFilter s = parse_filter_spec("sobel");
    EXPECT_EQ(s.kind, ParsedFilter::Kind::Gradient);
    EXPECT_EQ(s.gradient, halconv::GradientOperator::Sobel);
    EXPECT_EQ(s.name, "sobel");
    const ParsedFilter p = parse_filter_spec(" Prewitt\n");
    EXPECT_EQ(p.kind, ParsedFilter::Kind::Gradient);
    EXPECT_EQ(p.gradient, halconv::GradientOperator::Prewitt);
    EXPECT_EQ(p.name, "prewitt");
}

TEST(KernelSpec, InlineKernels) {
    const ParsedFilter a = parse_filter_spec("1 2 1; 2 4 2; 1 2 1");
    EXPECT_EQ(a.kind, ParsedFilter::Kind::Kernel);
    EXPECT_EQ(a.kernel.width, 3);
    EXPECT_EQ(a.kernel.height, 3);
    EXPECT_EQ(a.kernel.taps, (std::vector<float>{1, 2, 1, 2, 4, 2, 1, 2, 1}));
    EXPECT_EQ(a.kernel.divisor, 1.0);
    EXPECT_TRUE(a.kernel.integer);
    EXPECT_FALSE(a.default_absolute);
    EXPECT_EQ(a.name, "custom:3x3");
    EXPECT_EQ(parse_filter_spec("1 2 1; 2 4 2; 1 2 1", true).kernel.divisor, 16.0);

    // separators: commas, newlines, mixed, trailing ';', tabs, CRLF
    for (const char *spec : {"1,2,1;2,4,2;1,2,1", "1 2 1\n2 4 2\n1 2 1\n", "1, 2, 1;\n 2,4 2 ;1\t2 1;",
                             "1 2 1\r\n2 4 2\r\n1 2 1\r\n", "1 2 1\n\n2 4 2\n\n1 2 1"}) {
        SCOPED_TRACE(escaped(spec));
        const ParsedFilter p = parse_filter_spec(spec);
        EXPECT_EQ(p.kernel.taps, a.kernel.taps);
    }
    const ParsedFilter row = parse_filter_spec("1,2,1");
    EXPECT_EQ(row.kernel.height, 1);
    EXPECT_EQ(row.kernel.width, 3);
    const ParsedFilter col = parse_filter_spec("1\n2\n1");
    EXPECT_EQ(col.kernel.height, 3);
    EXPECT_EQ(col.kernel.width, 1);
    const ParsedFilter one = parse_filter_spec("7");
    EXPECT_EQ(one.kernel.taps, std::vector<float>{7});

    // numbers: signs, fractions, exponents
    const ParsedFilter f = parse_filter_spec("+1 -.5e1 0.25e+0 1. -0");
    EXPECT_EQ(f.kernel.taps, (std::vector<float>{1, -5, 0.25f, 1, 0}));
    EXPECT_FALSE(f.kernel.integer);

    // zero-sum kernels: |response| by default; normalized by the positive taps
    const ParsedFilter e = parse_filter_spec("-1 0 1; -2 0 2; -1 0 1");
    EXPECT_TRUE(e.default_absolute);
    EXPECT_TRUE(e.kernel.separable());
    EXPECT_EQ(parse_filter_spec("-1 0 1; -2 0 2; -1 0 1", true).kernel.divisor, 4.0);
    EXPECT_TRUE(parse_filter_spec("0.1 0.2 -0.3").default_absolute);
    EXPECT_FALSE(parse_filter_spec("0.25 0.5 0.25").default_absolute);
    // comments
    EXPECT_EQ(parse_filter_spec("1 1 1 # a row\n").kernel.width, 3);

    // the largest kernel
    std::string big;
    for (int i = 0; i < 255; i++) {
        for (int j = 0; j < 255; j++) big += j ? " 1" : "1";
        big += ";";
    }
    const ParsedFilter b = parse_filter_spec(big);
    EXPECT_EQ(b.kernel.width, 255);
    EXPECT_EQ(b.kernel.height, 255);
}

TEST(KernelSpec, KernelFiles) {
    TempDir dir;
    const std::string sobel = dir.write("sobel.txt", "# Sobel x\n-1 0 1\r\n-2 0 2   # the centre row\n\n-1, 0, 1\n");
    for (const std::string &spec : {"@" + sobel, sobel, "  " + sobel + " "}) {
        SCOPED_TRACE(spec);
        const ParsedFilter p = parse_filter_spec(spec);
        EXPECT_EQ(p.kernel.taps, (std::vector<float>{-1, 0, 1, -2, 0, 2, -1, 0, 1}));
        EXPECT_TRUE(p.default_absolute);
        EXPECT_NE(p.name.find(sobel), std::string::npos);
    }
    // A file named like a filter: only with '@'.
    const std::string named = dir.write("box:3", "1 2 1");
    EXPECT_EQ(parse_filter_spec("@" + named).kernel.width, 3);
    EXPECT_EQ(parse_filter_spec(named).kernel.height, 1);
}

// --- malformed specs --------------------------------------------------------

TEST(KernelSpec, ExampleMessage) {
    try {
        parse_filter_spec("box:4");
        FAIL() << "accepted";
    } catch (const SpecError &e) {
        EXPECT_EQ(std::string(e.what()),
                  "bad kernel spec 'box:4': box size must be odd, got 4\n"
                  "                     ^");
        EXPECT_EQ(e.position(), 4u);
    }
}

TEST(KernelSpec, MalformedNamed) {
    expect_spec_error("box:0", 4, "box size must be positive");
    expect_spec_error("box:-3", 4, "box size must be positive");
    expect_spec_error("box:257", 4, "box size must be at most 255");
    expect_spec_error("box:3.5", 5, "box size must be an integer");
    expect_spec_error("box:99999999999", 4, "out of range");
    expect_spec_error("box", 3, "box needs an argument (box:N)");
    expect_spec_error("box:", 4, "missing box size");
    expect_spec_error("box:3,5", 5, "box takes 1 argument (box:N)");
    expect_spec_error("box 3", 4, "expected ':' after 'box'");
    expect_spec_error("gaussian:-1", 9, "gaussian sigma must be positive");
    expect_spec_error("gaussian:0", 9, "gaussian sigma must be positive");
    expect_spec_error("gaussian:1.5,4", 13, "gaussian size must be odd");
    expect_spec_error("gaussian:1.5, 4", 14, "gaussian size must be odd");
    expect_spec_error("gaussian:1x", 10, "unexpected 'x' in gaussian sigma");
    expect_spec_error("gaussian:1e", 10, "bad exponent");
    expect_spec_error("gaussian:50", 9, "needs a 301-tap kernel");
    expect_spec_error("gaussian:1e999", 9, "out of range");
    expect_spec_error("gaussian:nan", 9, "gaussian sigma must be a number, got 'nan'");
    expect_spec_error("gaussian:inf", 9, "must be a number");
    expect_spec_error("gaussian:0x10", 10, "unexpected 'x'");
    expect_spec_error("gaussian:1,", 11, "missing gaussian size");
    expect_spec_error("gaussian:,5", 9, "missing gaussian sigma");
    expect_spec_error("gaussian:1,5,7", 12, "gaussian takes at most 2 arguments (gaussian:SIGMA[,SIZE])");
    expect_spec_error("binomial:17", 9, "binomial size must be at most 15");
    expect_spec_error("motion:15", 9, "motion needs 2 arguments (motion:LENGTH,ANGLE_DEG), got 1");
    expect_spec_error("motion:14,30", 7, "motion length must be odd");
    expect_spec_error("motion:15,3O", 11, "unexpected 'O'");
    expect_spec_error("shift:200,0", 6, "shift dx must be within [-127, 127] pixels");
    expect_spec_error("shift:0,-127.5", 8, "shift dy must be within");
    expect_spec_error("shift:1,", 8, "missing shift dy");
    expect_spec_error("sobel:3", 5, "sobel takes no arguments");
    expect_spec_error("laplacian:", 9, "laplacian takes no arguments");
    expect_spec_error("gabor:0,0", 8, "gabor wavelength must be positive");
    expect_spec_error("gabor:0,100", 8, "gabor sigma 56 needs a 339-tap kernel");
    expect_spec_error("gabor:0,8,-1", 10, "gabor sigma must be positive");
}

TEST(KernelSpec, UnknownNames) {
    expect_spec_error("blur:3", 0, "unknown filter 'blur' (known: box, gaussian, binomial, motion, shift, sobel");
    expect_spec_error("  median", 2, "unknown filter 'median'");
    expect_spec_error("gausian:2", 0, "did you mean 'gaussian'?");
    expect_spec_error("kernels/none.txt", 0, "no such kernel file 'kernels/none.txt'");
    expect_spec_error("x 1 2", 0, "unknown filter 'x'");
}

TEST(KernelSpec, MalformedInline) {
    expect_spec_error("", 0, "empty kernel spec");
    expect_spec_error("   \n ", 0, "empty kernel spec");
    expect_spec_error("1 2 1; 2 4", 10, "row 2 has 2 taps, row 1 has 3");
    expect_spec_error("1 2 1; 2 4 2 5; 1 2 1", 13, "row 2 has 4 taps, row 1 has 3");
    expect_spec_error("1 2 1\n2 4\n1 2 1", 9, "row 2 has 2 taps");  // caret after "\n" escapes
    expect_spec_error("1 2; 3 4; 5 6", 3, "the kernel is 2 taps wide; widths must be odd");
    expect_spec_error("1 2 1; 2 4 2", 7, "the kernel has 2 rows; heights must be odd");
    expect_spec_error("1 2 x", 4, "expected a number (a kernel tap), got 'x'");
    expect_spec_error("1,,2", 1, "missing tap after ','");
    expect_spec_error("1 2,", 3, "missing tap after ','");
    expect_spec_error(",1", 0, "missing tap before ','");
    expect_spec_error("1 2.5.3 1", 5, "unexpected '.' in tap '2.5.3'");
    expect_spec_error("1 - 1", 2, "tap must be a number, got '-'");
    expect_spec_error("1e39", 0, "tap '1e39' is out of range");
    expect_spec_error(";;", 0, "no kernel taps");
    expect_spec_error("0 0 0", 0, "cannot normalize", /*normalize=*/true);
    expect_spec_error(std::string("1 2\0 1", 6), 3, "unexpected NUL character");
    std::string wide = "1";
    for (int j = 1; j < 256; j++) wide += " 1";
    expect_spec_error(wide, 2 * 255, "a kernel row has at most 255 taps");
    std::string tall;
    for (int i = 0; i < 256; i++) tall += "1;";
    expect_spec_error(tall, 2 * 255, "a kernel has at most 255 rows");
}

TEST(KernelSpec, LongSpecsAreCutAroundTheCaret) {
    std::string spec(300, '1');
    for (size_t i = 1; i < spec.size(); i += 2) spec[i] = ' ';
    spec[201] = 'x';  // "1 1 ... 1x1 ..."
    try {
        parse_filter_spec(spec);
        FAIL() << "accepted";
    } catch (const SpecError &e) {
        const std::string msg = e.what();
        EXPECT_EQ(e.position(), 201u);
        EXPECT_LT(msg.find('\n'), 300u);  // not the whole spec
        const std::string first = msg.substr(0, msg.find('\n'));
        const std::string caret = msg.substr(msg.find('\n') + 1);
        ASSERT_EQ(caret.back(), '^');
        EXPECT_EQ(first[caret.size() - 1], 'x') << msg;
        EXPECT_NE(first.find("..."), std::string::npos);
    }
}

TEST(KernelSpec, FileErrors) {
    TempDir dir;
    const std::string bad = dir.write("bad.txt", "# blur\n1 2 1\n2 4\n1 2 1\n");
    try {
        parse_filter_spec("@" + bad);
        FAIL() << "accepted";
    } catch (const SpecError &e) {
        EXPECT_EQ(std::string(e.what()), "bad kernel file '" + bad +
                                             "', line 3: row 2 has 2 taps, row 1 has 3 (all rows must have the same "
                                             "length)\n  2 4\n     ^");
        EXPECT_EQ(e.position(), 16u);  // offset in the file: after "2 4"
    }
    const std::string junk = dir.write("junk.txt", "1 2 1\n2 four 2\n1 2 1\n");
    try {
        parse_filter_spec(junk);
        FAIL() << "accepted";
    } catch (const SpecError &e) {
        const std::string msg = e.what();
        EXPECT_NE(msg.find("bad kernel file '" + junk + "', line 2: expected a number"), std::string::npos) << msg;
        EXPECT_NE(msg.find("\n  2 four 2\n    ^"), std::string::npos) << msg;
        EXPECT_EQ(e.position(), 8u);
    }
    const std::string empty = dir.write("empty.txt", "# nothing here\n\n");
    try {
        parse_filter_spec("@" + empty);
        FAIL() << "accepted";
    } catch (const SpecError &e) {
        EXPECT_NE(std::string(e.what()).find("line 1: no kernel taps"), std::string::npos) << e.what();
    }
    const std::string missing = dir.path() + "/missing.txt";
    expect_spec_error("@" + missing, 1, "cannot read kernel file '" + missing + "'");
    expect_spec_error("@", 1, "missing file name after '@'");
    expect_spec_error("@" + dir.path(), 1, "is a directory");
    std::string large(5 << 20, ' ');
    large[0] = '1';
    const std::string huge = dir.write("huge.txt", large);
    expect_spec_error("@" + huge, 1, "is too large");
}

TEST(KernelSpec, EverySpecErrorIsASpecError) {
    // Whatever a factory rejects comes back as a SpecError, never as
    // halconv::Error: a small sweep of odd inputs.
    const std::vector<std::string> specs = {"gabor:0,0.001", "gabor:0,1e-300", "gabor:1e308,8", "motion:1,1e308",
                                            "shift:1e-300,0", "gaussian:1e-300", "gaussian:1e-300,255",
                                            "1e-45 0 0", "-0 -0 -0", "3.4028235e38 1 1"};
    for (const std::string &s : specs) {
        SCOPED_TRACE(s);
        try {
            const ParsedFilter p = parse_filter_spec(s, true);
            EXPECT_FALSE(p.name.empty());
        } catch (const SpecError &) {
        } catch (const std::exception &e) {
            ADD_FAILURE() << "not a SpecError: " << e.what();
        }
    }
}

}  // namespace
