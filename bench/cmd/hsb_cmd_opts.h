/*
 * hsb_cmd_opts.h - the command layer's option parsing (opts.c) and the
 * common shape of a suite command.
 */
#ifndef HSB_CMD_OPTS_H
#define HSB_CMD_OPTS_H

#include "hsb_opts.h"
#include "hsb_report.h"

/*
 * Each command says which options it takes (a mask of HSB_OPT_*); any other
 * option is a usage error. Parsing never exits the process: it returns the
 * exit status the command should return (0 after --help, 2 on a bad option
 * or value, with a message on stderr naming the option and what is valid),
 * or -1 to carry on.
 */
/* Defaults the command sets before parsing (lists are replaced, not
 * appended to, when the option is given). */
void hsb_opts_defaults(hsb_opts *o, const char *cmd);

/* Parse argv[1..argc) (argv[0] is the command's name). accept is a mask of
 * HSB_OPT_*; usage is printed for --help. Returns -1 to carry on, else the
 * exit status. */
int hsb_opts_parse(hsb_opts *o, int argc, char **argv, unsigned accept, const char *usage);

/* Parse "500ms", "3s", "1.5", "250us", "2m": seconds in *out. 0 or error. */
int hsb_parse_duration(const char *s, double *out);

/* Checks the --json and --csv targets (their folder exists and takes new
 * files; the path is not a folder) before anything is measured, so that a
 * long run does not end on a bad path. -1 when both can be written or are
 * not given, else 2 after a message naming the option. */
int hsb_opts_check_outputs(const hsb_opts *o);

/* 0 when a result file can be written at path, else the errno that says
 * why not. in_place: the writer opens path itself (an existing file must be
 * writable), rather than writing beside it and renaming. */
int hsb_output_unwritable(const char *path, int in_place);

/* The usage lines of the common options in accept, for help texts. */
void hsb_opts_help(FILE *to, unsigned accept);

/*
 * A suite's command after its defaults are set in *o: parse the options
 * (accept: HSB_OPT_* mask; usage: the text before the options), run suite
 * into a fresh report and write it (hsb_report_output). The exit status:
 * the parser's, hsb_opts_check_outputs', the suite's when not 0, else the
 * report's.
 */
int hsb_suite_command(hsb_opts *o, int argc, char **argv, unsigned accept, const char *usage,
                      hsb_rc (*suite)(hsb_report *r, const hsb_opts *o));
/* The exit status of what measure/ returned: 0 HSB_OK, 2 HSB_E_USAGE, else 1. */
int hsb_exit_status(hsb_rc rc);

#endif
