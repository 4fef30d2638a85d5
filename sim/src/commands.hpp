// The npusim subcommands. Each returns the process exit code; user errors are thrown as
// cli::UsageError or workloads::NetworkInputError and become one line on stderr, exit 2.
#pragma once

namespace npusim::cli {

int cmd_list(int argc, char** argv);
int cmd_info(int argc, char** argv);
int cmd_dram(int argc, char** argv);
int cmd_map(int argc, char** argv);
int cmd_run(int argc, char** argv);
int cmd_sweep(int argc, char** argv);
int cmd_compare(int argc, char** argv);
int cmd_config(int argc, char** argv);

}  // namespace npusim::cli
