/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hm_util.h - plumbing shared by every hmtrace tool: exit statuses, the one
 * error shape, the string table, and files written whole or not at all.
 *
 * Ownership: a struct hm_strtab owns every string interned in it until
 * hm_strtab_free(); a struct hm_outfile owns its temporary file until
 * hm_outfile_commit() renames it into place or hm_outfile_abort() removes it.
 */
#ifndef HM_UTIL_H
#define HM_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Exit statuses, shared by all tools and listed in every man page. */
enum hm_exit {
	HM_EXIT_OK = 0,		/* success, nothing found */
	HM_EXIT_FINDINGS = 1,	/* hm-lint: violations found */
	HM_EXIT_USAGE = 2,	/* bad command line */
	HM_EXIT_INPUT = 3,	/* bad input data */
	HM_EXIT_SYSTEM = 4,	/* I/O, memory, external program failed */
	HM_EXIT_INTERRUPTED = 130,	/* SIGINT */
};

/**
 * struct hm_where - a place in an input, for error messages
 * @file: file name as the user gave it ("-" shows as "<stdin>")
 * @line: 1-based line, 0 if not known
 * @col: 1-based column, 0 if not known
 */
struct hm_where {
	const char *file;
	uint64_t line;
	uint64_t col;
};

/**
 * struct hm_error - an error a library hands back to a tool to print
 * @where: the place
 * @msg: what was expected, e.g. "event 10: \"cpu\" must be a non-negative integer"
 * @status: the exit status it implies (enum hm_exit)
 */
struct hm_error {
	struct hm_where where;
	int status;
	char msg[512];
};

/* Fill @err; returns -EINVAL so callers can `return hm_error_set(...)`. */
int hm_error_set(struct hm_error *err, int status, const struct hm_where *where,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Program name used as the prefix of every message ("hm-replay"). */
void hm_set_progname(const char *name);
const char *hm_progname(void);

/* When set, errors are printed to stdout as {"error": {...}} objects. */
void hm_set_json_errors(bool on);

/* Print "prog: file:line:col: msg" (or its JSON form) to stderr. */
void hm_error_print(const struct hm_error *err);

/* Print "prog: msg" for errors without a place. */
void hm_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print "prog: warning: msg". */
void hm_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * String table: interns strings to small ids, id 0 is the empty/absent
 * string.  Lookups hash; ids are stable for the table's life.
 */
struct hm_strtab;
struct hm_strtab *hm_strtab_new(void);
void hm_strtab_free(struct hm_strtab *tab);
/* Return the id of @s[0..len), adding it; 0 for len 0; UINT32_MAX on ENOMEM. */
uint32_t hm_strtab_intern(struct hm_strtab *tab, const char *s, size_t len);
/* Return the string of @id ("" for 0 or an unknown id). */
const char *hm_strtab_get(const struct hm_strtab *tab, uint32_t id);
uint32_t hm_strtab_count(const struct hm_strtab *tab);

/*
 * Output files: written to "DIR/.NAME.XXXXXX" and renamed into place on
 * commit, so a reader never sees half a file.  "-" means stdout.
 */
struct hm_outfile {
	FILE *fp;
	char *path;
	char *tmp;
	bool is_stdout;
};

/* Open @path for writing; refuses when @path names the same file as @input. */
int hm_outfile_open(struct hm_outfile *of, const char *path, const char *input,
		    struct hm_error *err);
/* Flush, fsync and rename; an I/O error (full disk, closed stdout) fails. */
int hm_outfile_commit(struct hm_outfile *of, struct hm_error *err);
void hm_outfile_abort(struct hm_outfile *of);

/* Register a temporary file to unlink if the process is interrupted. */
void hm_cleanup_register(const char *path);
void hm_cleanup_unregister(const char *path);
/* Install SIGINT/SIGTERM handlers that set hm_interrupted. */
void hm_signals_install(void);
extern volatile int hm_interrupted;

/* Parse helpers for option values: 0 on success, -EINVAL otherwise. */
int hm_parse_u64(const char *s, uint64_t *out);
/* Durations: "10", "10ns", "3us", "2ms", "1.5s" -> ns. */
int hm_parse_duration_ns(const char *s, uint64_t *out);

/* Version string: from git when built in a checkout, else meson's. */
const char *hm_version(void);

#endif /* HM_UTIL_H */
