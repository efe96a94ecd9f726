/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rt-util.h - helpers for the reader tests: temporary files, reading a whole
 * trace into an array, errors as "line:col: message" strings.
 *
 * Ownership: rt_read() returns a struct rt_trace the caller frees with
 * rt_free(); temporary files live under a directory removed at exit.
 */
#ifndef HM_RT_UTIL_H
#define HM_RT_UTIL_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hm_reader.h"
#include "tap.h"

static char rt_dir[256];

static void rt_cleanup(void)
{
	char cmd[300];

	if (rt_dir[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", rt_dir);
		if (system(cmd) != 0)
			fprintf(stderr, "# could not remove %s\n", rt_dir);
	}
}

/* A path for @name in this test's private temporary directory. */
static __attribute__((unused)) const char *rt_path(const char *name)
{
	static char buf[8][512];
	static int next;
	char *p = buf[next++ % 8];

	if (!rt_dir[0]) {
		const char *tmp = getenv("TMPDIR");

		snprintf(rt_dir, sizeof(rt_dir), "%s/hm-rt-XXXXXX", tmp && *tmp ? tmp : "/tmp");
		if (!mkdtemp(rt_dir)) {
			perror("mkdtemp");
			exit(99);
		}
		atexit(rt_cleanup);
	}
	snprintf(p, 512, "%s/%s", rt_dir, name);
	return p;
}

/* Write @len bytes (or strlen when @len is (size_t)-1) to a temporary file. */
static __attribute__((unused)) const char *rt_file(const char *name, const void *data, size_t len)
{
	const char *path = rt_path(name);
	FILE *fp = fopen(path, "wb");

	if (len == (size_t)-1)
		len = strlen(data);
	if (!fp || fwrite(data, 1, len, fp) != len || fclose(fp) != 0) {
		perror(path);
		exit(99);
	}
	return path;
}

struct rt_trace {
	struct hm_event *ev;
	size_t n, cap;
	struct hm_trace_meta meta;
	struct hm_strtab *strtab;	/* a copy of the reader's strings, by id */
	char **str;
	uint32_t nstr;
	uint64_t skipped, backwards;
	char format[16];
	int rc;				/* 0 ok, else the error's exit status */
	char err[700];			/* "line:col: message", or "file: message" */
};

static __attribute__((unused)) void rt_free(struct rt_trace *t)
{
	for (uint32_t i = 0; i < t->nstr; i++)
		free(t->str[i]);
	free(t->str);
	free(t->ev);
	free(t);
}

/* The string of id @id as the reader had it. */
static __attribute__((unused)) const char *rt_str(const struct rt_trace *t, uint32_t id)
{
	return id < t->nstr ? t->str[id] : "(bad id)";
}

static void rt_error(struct rt_trace *t, const struct hm_error *e)
{
	t->rc = e->status;
	if (e->where.line)
		snprintf(t->err, sizeof(t->err), "%llu:%llu: %s",
			 (unsigned long long)e->where.line, (unsigned long long)e->where.col,
			 e->msg);
	else
		snprintf(t->err, sizeof(t->err), "%s", e->msg);
}

/* Read every event of @path; errors end up in ->rc and ->err. */
static __attribute__((unused)) struct rt_trace *rt_read(const char *path,
							 const struct hm_reader_opts *opts)
{
	struct rt_trace *t = calloc(1, sizeof(*t));
	struct hm_error err = { 0 };
	struct hm_reader *r;
	struct hm_event ev;
	int rc;

	if (!t)
		exit(99);
	r = hm_reader_open(path, opts, &err);
	if (!r) {
		rt_error(t, &err);
		return t;
	}
	snprintf(t->format, sizeof(t->format), "%s", hm_reader_format(r));
	t->meta = *hm_reader_meta(r);
	while ((rc = hm_reader_next(r, &ev)) == 1) {
		if (t->n == t->cap) {
			t->cap = t->cap ? t->cap * 2 : 64;
			t->ev = realloc(t->ev, t->cap * sizeof(*t->ev));
			if (!t->ev)
				exit(99);
		}
		t->ev[t->n++] = ev;
	}
	if (rc < 0)
		rt_error(t, hm_reader_error(r));
	t->meta = *hm_reader_meta(r);
	t->skipped = hm_reader_skipped(r);
	t->backwards = hm_reader_backwards(r);
	t->nstr = hm_strtab_count(hm_reader_strtab(r));
	t->str = calloc(t->nstr + 1, sizeof(*t->str));
	for (uint32_t i = 0; i < t->nstr; i++)
		t->str[i] = strdup(hm_strtab_get(hm_reader_strtab(r), i));
	hm_reader_close(r);
	return t;
}

/* Write @text to a file named @name and read it. */
static __attribute__((unused)) struct rt_trace *rt_text(const char *name, const char *text,
							 const struct hm_reader_opts *opts)
{
	return rt_read(rt_file(name, text, (size_t)-1), opts);
}

/* Check a read failed with exactly @want ("line:col: message"). */
static __attribute__((unused)) void rt_is_err(struct rt_trace *t, const char *want,
					      const char *name)
{
	if (!tap_ok(t->rc != 0 && strcmp(t->err, want) == 0, "%s", name))
		printf("#   got:  rc %d \"%s\"\n#   want: \"%s\"\n", t->rc, t->err, want);
	rt_free(t);
}

#endif /* HM_RT_UTIL_H */
