/*
 * hsb_cmd.h - the hsbench subcommands. Each takes the arguments after its
 * name (argv[0] is the subcommand) and returns the process exit status:
 * 0 success, 1 a failure in what was run (a failed test, an error counted),
 * 2 a usage error (bad option or value, with a message on stderr).
 */
#ifndef HSB_CMD_H
#define HSB_CMD_H

int hsb_cmd_list(int argc, char **argv);
int hsb_cmd_selftest(int argc, char **argv);
int hsb_cmd_handshake(int argc, char **argv);
int hsb_cmd_modexp(int argc, char **argv);
int hsb_cmd_bulk(int argc, char **argv);
int hsb_cmd_server(int argc, char **argv);
int hsb_cmd_client(int argc, char **argv);
int hsb_cmd_load(int argc, char **argv);
int hsb_cmd_tcp(int argc, char **argv);
/* The default suite (what `hsbench` with no arguments runs). */
int hsb_cmd_suite(int argc, char **argv);

#endif
