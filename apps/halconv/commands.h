// The subcommands of `halconv`. Each takes the arguments after its name
// and returns the exit status; errors are thrown (see common.h for which
// exception gives which status) and reported by main().
#pragma once

#include <ostream>

namespace halconv_cli {

int cmd_filter(int argc, char **argv, int first);
int cmd_gabor_bank(int argc, char **argv, int first);
int cmd_demo(int argc, char **argv, int first);
int cmd_sampling_points(int argc, char **argv, int first);
int cmd_tune(int argc, char **argv, int first);
int cmd_tune_report(int argc, char **argv, int first);

void usage_main(std::ostream &os);
void usage_filter(std::ostream &os);
void usage_gabor_bank(std::ostream &os);
void usage_demo(std::ostream &os);
void usage_sampling_points(std::ostream &os);
void usage_tune(std::ostream &os);
void usage_tune_report(std::ostream &os);

}  // namespace halconv_cli
