// halconv: the command-line face of halconv's image filters, and of its
// schedule autotuning (tune, tune-report).
//
//   halconv filter --kernel SPEC [options] IN.png OUT.png
//   halconv gabor-bank [options] IN.png OUT.png
//   halconv sampling-points [options] IN.png OUT.png
//   halconv demo [options] [photo.png ...]
//   halconv tune OP --shape SHAPE --records FILE [options]
//   halconv tune-report RECORDS... -o DIR [--peers bench/results/*.json]
//   halconv help [COMMAND] | --help | --version
//
// Exit status: 0 ok, 1 runtime error (I/O, PNG, device), 2 bad usage or a
// bad option value, 3 (demo) a result failed its correctness check.
#include "commands.h"
#include "common.h"

#include <cerrno>
#include <cstring>
#include <iostream>
#include <sstream>
#include <string>

#include <unistd.h>

namespace halconv_cli {

void usage_main(std::ostream &os) {
    os << "usage: halconv COMMAND [options] ...\n"
          "\n"
          "Image filters (2-D cross-correlation) on PNG files with halconv, on the CPU,\n"
          "CUDA or OpenCL, and the sampling points of stacked deformable layers.\n"
          "\n"
          "commands:\n"
          "  filter --kernel SPEC IN.png OUT.png   filter an image with one kernel\n"
          "                                       (box, gaussian, motion, shift, sobel, ...,\n"
          "                                       or your own)\n"
          "  gabor-bank IN.png OUT.png            orientation energy of a Gabor filter bank,\n"
          "                                       colour-coded by orientation\n"
          "  sampling-points IN.png OUT.png       the 9^L sampling points of L stacked 3x3\n"
          "                                       deformable layers (points collection),\n"
          "                                       regular vs deformable, drawn over the image\n"
          "  demo [photo.png ...]                 contact sheets of the lecture's filters on\n"
          "                                       the bundled photos, plus a timing table\n"
          "  tune OP --shape S --records F        autotune a pipeline's schedule (JIT),\n"
          "                                       records one JSON line per trial\n"
          "  tune-report RECORDS -o DIR           plots and a markdown table of records\n"
          "  help [COMMAND]                       this text, or a command's options\n"
          "\n"
          "  -h, --help      this text\n"
          "  -V, --version   print the version\n"
          "\n"
          "Exit status: 0 ok, 1 error (missing/unreadable/corrupt input, output directory\n"
          "missing, device not available), 2 bad usage or option value (kernel spec\n"
          "included), 3 (demo) a result failed its correctness check.\n";
}

}  // namespace halconv_cli

namespace {

using namespace halconv_cli;

struct Command {
    const char *name;
    int (*run)(int, char **, int);
    void (*usage)(std::ostream &);
};

// (halconv-tune, HALCONV_TUNE_TOOL: the tuning commands only; see
// exec_tune_tool.)
const Command kCommands[] = {
#ifdef HALCONV_TUNE_TOOL
    {"tune", cmd_tune, usage_tune},
    {"tune-report", cmd_tune_report, usage_tune_report},
#else
    {"filter", cmd_filter, usage_filter},
    {"gabor-bank", cmd_gabor_bank, usage_gabor_bank},
    {"sampling-points", cmd_sampling_points, usage_sampling_points},
    {"demo", cmd_demo, usage_demo},
#endif
};

const Command *find_command(const std::string &name) {
    for (const Command &c : kCommands)
        if (name == c.name) return &c;
    return nullptr;
}

// "halconv: error: MESSAGE"; continuation lines are indented by the
// prefix's width, so that a caret line under a kernel spec stays aligned.
void print_error(const std::string &message) {
    const std::string prefix = "halconv: error: ";
    std::string text = prefix;
    for (char ch : message) {
        text += ch;
        if (ch == '\n') text += std::string(prefix.size(), ' ');
    }
    std::cerr << text << "\n";
}

int error(const std::string &message) {
    print_error(message);
    return kExitError;
}

int run_command(const Command &cmd, int argc, char **argv) {
    const std::string hint = std::string("Try 'halconv ") + cmd.name + " --help'.\n";
    try {
        return cmd.run(argc, argv, 2);
    } catch (const UsageError &e) {
        // The message, the command's synopsis (its usage text up to the
        // first blank line) and where to find the rest.
        std::ostringstream usage;
        cmd.usage(usage);
        const std::string text = usage.str();
        std::cerr << "halconv " << cmd.name << ": " << e.what() << "\n" << text.substr(0, text.find("\n\n") + 1)
                  << hint;
        return kExitUsage;
    } catch (const ArgError &e) {
        print_error(e.what());
        std::cerr << hint;
        return kExitUsage;
    } catch (const SpecError &e) {
        print_error(e.what());
        std::cerr << hint;
        return kExitUsage;
    } catch (const pngio::PngError &e) {
        return error(e.what());
    } catch (const halconv::Error &e) {
        return error(e.what());
    } catch (const std::bad_alloc &) {
        return error("out of memory");
    } catch (const std::exception &e) {
        return error(e.what());
    }
}

#ifdef HALCONV_TUNE_FORWARD
bool is_tune_command(const std::string &name) { return name == "tune" || name == "tune-report"; }

// `tune` and `tune-report` run in halconv-tune, beside this executable: exec
// it with the same arguments (the same process: signals and exit status are
// its own). The tuner JIT-compiles with libHalide, whose LLVM 14 must not be
// loaded in a process whose OpenCL driver brings its own LLVM: PoCL (LLVM 15)
// crashed compiling kernels for `filter --device opencl` when it was.
int exec_tune_tool(char **argv) {
    std::string self(4096, '\0');
    const ssize_t n = readlink("/proc/self/exe", self.data(), self.size() - 1);
    std::string tool = "halconv-tune";
    if (n > 0) {
        self.resize(size_t(n));
        tool = self.substr(0, self.rfind('/') + 1) + tool;
    }
    argv[0] = const_cast<char *>(tool.c_str());
    execv(tool.c_str(), argv);
    print_error("cannot run " + tool + " (" + std::strerror(errno) +
                "): `halconv tune` and `halconv tune-report` run in it; it is installed beside halconv when "
                "halconv is built with the tuner (HALCONV_BUILD_TUNE)");
    return kExitError;
}
#endif

}  // namespace

int main(int argc, char **argv) {
#ifdef HALCONV_TUNE_FORWARD
    if (argc >= 2 && (is_tune_command(argv[1]) ||
                      (std::string(argv[1]) == "help" && argc >= 3 && is_tune_command(argv[2]))))
        return exec_tune_tool(argv);
#endif
    if (argc < 2) {
        std::cerr << "halconv: missing command\n\n";
        usage_main(std::cerr);
        return kExitUsage;
    }
    const std::string first = argv[1];
    if (first == "-h" || first == "--help") {
        usage_main(std::cout);
        return kExitOk;
    }
    if (first == "help") {
        if (argc == 2) {
            usage_main(std::cout);
            return kExitOk;
        }
        const Command *cmd = find_command(argv[2]);
        if (!cmd) {
            std::cerr << "halconv: unknown command '" << argv[2] << "'\n\n";
            usage_main(std::cerr);
            return kExitUsage;
        }
        cmd->usage(std::cout);
        return kExitOk;
    }
    if (first == "--version" || first == "-V") {
        std::cout << "halconv " << halconv::version() << "\n";
        return kExitOk;
    }
    const Command *cmd = find_command(first);
    if (!cmd) {
        if (first.size() > 1 && first[0] == '-') {
            std::cerr << "halconv: unknown option '" << first << "'\n\n";
        } else {
            std::cerr << "halconv: unknown command '" << first << "'\n\n";
        }
        usage_main(std::cerr);
        return kExitUsage;
    }
    return run_command(*cmd, argc, argv);
}
