/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cli.h - command-line plumbing every hmtrace tool shares: the --version
 * text, the --help layout, usage errors, and option values checked the same
 * way everywhere.
 *
 * Ownership: nothing here allocates; strings passed in are only read.
 */
#ifndef HM_CLI_H
#define HM_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* A trace format as --version lists it (the reader's hm_formats[] gives them). */
struct hm_cli_format {
	const char *name;
	const char *description;
};

/**
 * hm_cli_print_version() - the --version text
 * @fp: the stream
 * @formats: the trace formats compiled in
 * @nr_formats: how many
 *
 * Prints "PROG VERSION", then the formats and the optional features
 * (compressed input, CTF) this build has, one per line.
 */
void hm_cli_print_version(FILE *fp, const struct hm_cli_format *formats, size_t nr_formats);

/**
 * hm_cli_print_feature() - one more line of the --version feature list
 * @fp: the stream
 * @name: the feature ("gnuplot")
 * @state: "yes (...)" or "no (...)"
 *
 * For a tool with a feature of its own: call right after
 * hm_cli_print_version(), so the line lands in its "features:" list, in the
 * same columns.
 */
void hm_cli_print_feature(FILE *fp, const char *name, const char *state);

/**
 * hm_cli_usage() - report a bad command line
 * @fmt: what is wrong, e.g. "unknown option '--frob'"
 *
 * Prints "PROG: MSG" and "Try 'PROG --help' for more information." to
 * stderr (and the JSON error object to stdout in --json mode).
 *
 * Return: HM_EXIT_USAGE, for `return hm_cli_usage(...)`.
 */
int hm_cli_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/**
 * hm_cli_bad_option() - the usage error for what getopt_long() rejected
 * @argv: the arguments
 * @ret: what getopt_long() returned ('?' or ':'; use an optstring starting with ':')
 * @opts: the long options
 *
 * Call right after getopt_long() returned @ret; names the option as the
 * user wrote it.
 *
 * Return: HM_EXIT_USAGE.
 */
int hm_cli_bad_option(char **argv, int ret, const struct option *opts);

/**
 * hm_cli_u32() - parse an option's unsigned value within [@min, @max]
 * @opt: the option's name for the message ("--top")
 * @arg: the value
 * @min: smallest allowed
 * @max: largest allowed
 * @out: filled on success
 *
 * Return: 0, or HM_EXIT_USAGE after printing the usage error.
 */
int hm_cli_u32(const char *opt, const char *arg, uint32_t min, uint32_t max, uint32_t *out);

/**
 * hm_cli_time() - parse a trace time: "12345" (ns), "1.5s", "200us"; a
 * leading '+' makes it relative to the first event
 * @opt: the option's name for the message
 * @arg: the value
 * @out: filled with ns
 * @relative: set when the value started with '+'
 *
 * Return: 0, or HM_EXIT_USAGE after printing the usage error.
 */
int hm_cli_time(const char *opt, const char *arg, uint64_t *out, bool *relative);

/* --help layout: a heading, then options two columns wide. */
void hm_cli_help_heading(FILE *fp, const char *title);
void hm_cli_help_option(FILE *fp, const char *names, const char *text);

#endif /* HM_CLI_H */
