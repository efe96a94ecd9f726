/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz-args.h - fuzz bytes as a command line, and a tool's standard error
 * caught while it runs, for the option-parsing targets.
 *
 * Ownership: a struct fuzz_argv owns its strings until fuzz_argv_free(); the
 * caught standard error lives in a memfd the target keeps for its life.
 */
#ifndef HM_FUZZ_ARGS_H
#define HM_FUZZ_ARGS_H

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"

#define FUZZ_MAX_ARGS 24

struct fuzz_argv {
	int argc;
	char *argv[FUZZ_MAX_ARGS + 2];
};

/*
 * Split @data at NUL bytes into arguments after @prog (an empty last piece
 * is dropped).  Return: false for input that does not fit (too many
 * arguments), which the target then skips.
 */
static inline bool fuzz_argv_make(struct fuzz_argv *a, const char *prog, const uint8_t *data,
				  size_t size)
{
	size_t start = 0;

	a->argc = 0;
	a->argv[a->argc++] = strdup(prog);
	for (size_t i = 0; i <= size; i++) {
		if (i < size && data[i])
			continue;
		if (i == size && i == start)
			break;
		if (a->argc > FUZZ_MAX_ARGS)
			return false;
		a->argv[a->argc] = strndup((const char *)data + start, i - start);
		FUZZ_CHECK(a->argv[a->argc], "out of memory");
		a->argc++;
		start = i + 1;
	}
	a->argv[a->argc] = NULL;
	return true;
}

static inline void fuzz_argv_free(struct fuzz_argv *a)
{
	for (int i = 0; i < a->argc; i++)
		free(a->argv[i]);
	a->argc = 0;
}

/* The sanitizers' reports keep going to the real stderr while fd 2 is caught. */
void __sanitizer_set_report_fd(void *fd) __attribute__((weak));

struct fuzz_stderr {
	int saved;		/* the real stderr */
	int mem;		/* where fd 2 points while caught */
	char buf[4096];		/* what was caught, NUL-terminated, cut to fit */
	size_t len;
};

static inline void fuzz_stderr_init(struct fuzz_stderr *c)
{
	c->saved = dup(STDERR_FILENO);
	c->mem = memfd_create("fuzz-stderr", MFD_CLOEXEC);
	FUZZ_CHECK(c->saved >= 0 && c->mem >= 0, "dup/memfd_create: %s", strerror(errno));
	if (__sanitizer_set_report_fd)
		__sanitizer_set_report_fd((void *)(long)c->saved);
}

static inline void fuzz_stderr_catch(struct fuzz_stderr *c)
{
	fflush(stderr);
	FUZZ_CHECK(ftruncate(c->mem, 0) == 0 && lseek(c->mem, 0, SEEK_SET) == 0, "memfd reset");
	FUZZ_CHECK(dup2(c->mem, STDERR_FILENO) == STDERR_FILENO, "dup2");
}

static inline void fuzz_stderr_release(struct fuzz_stderr *c)
{
	ssize_t n;

	fflush(stderr);
	FUZZ_CHECK(dup2(c->saved, STDERR_FILENO) == STDERR_FILENO, "dup2");
	n = pread(c->mem, c->buf, sizeof(c->buf) - 1, 0);
	c->len = n > 0 ? (size_t)n : 0;
	c->buf[c->len] = '\0';
}

/*
 * Every line a tool wrote to stderr has its error shape: "PROG: ..." or
 * the "Try 'PROG --help'" hint.  The last line may be cut by the buffer.
 */
static inline void fuzz_stderr_check_shape(const struct fuzz_stderr *c, const char *prog)
{
	size_t plen = strlen(prog);
	const char *line = c->buf;

	while (*line) {
		const char *nl = strchr(line, '\n');

		FUZZ_CHECK((strncmp(line, prog, plen) == 0 && line[plen] == ':') ||
			   strncmp(line, "Try '", 5) == 0,
			   "stderr line not in the error shape: %.*s",
			   (int)(nl ? nl - line : (long)strlen(line)), line);
		if (!nl)
			break;
		line = nl + 1;
	}
}

#endif /* HM_FUZZ_ARGS_H */
