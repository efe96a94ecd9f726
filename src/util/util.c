// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * util.c - the one error shape, signals, and small parsers shared by all tools.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hm_util.h"
#include "hm_version.h"

static const char *progname = "hmtrace";
static bool json_errors;
volatile int hm_interrupted;

void hm_set_progname(const char *name)
{
	const char *slash = strrchr(name, '/');

	progname = slash ? slash + 1 : name;
}

const char *hm_progname(void)
{
	return progname;
}

void hm_set_json_errors(bool on)
{
	json_errors = on;
}

const char *hm_version(void)
{
	return HM_VERSION;
}

int hm_error_set(struct hm_error *err, int status, const struct hm_where *where,
		 const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return -EINVAL;
	err->status = status;
	if (where)
		err->where = *where;
	else
		memset(&err->where, 0, sizeof(err->where));
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* JSON string body escaping for error objects; the message is ours but may quote input. */
static void json_escape(FILE *fp, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(fp, "\\%c", c);
		else if (c < 0x20)
			fprintf(fp, "\\u%04x", c);
		else
			fputc(c, fp);
	}
}

/*
 * Text for one line of stderr: a control character a user value brought in
 * (a newline in a file name or an option) is shown escaped, so that every
 * message stays one line in the error shape.
 */
static void put_line_text(FILE *fp, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f)
			fprintf(fp, "\\x%02x", c);
		else
			fputc(c, fp);
	}
}

void hm_error_print(const struct hm_error *err)
{
	const struct hm_where *w = &err->where;

	if (json_errors) {
		fputs("{\"error\": {\"program\": \"", stdout);
		json_escape(stdout, progname);
		fputs("\", \"file\": ", stdout);
		if (w->file) {
			fputc('"', stdout);
			json_escape(stdout, w->file);
			fputc('"', stdout);
		} else {
			fputs("null", stdout);
		}
		fprintf(stdout, ", \"line\": %llu, \"column\": %llu, \"status\": %d, \"message\": \"",
			(unsigned long long)w->line, (unsigned long long)w->col, err->status);
		json_escape(stdout, err->msg);
		fputs("\"}}\n", stdout);
		fflush(stdout);
	}
	fprintf(stderr, "%s: ", progname);
	if (w->file) {
		put_line_text(stderr, w->file);
		fputc(':', stderr);
		if (w->line) {
			fprintf(stderr, "%llu:", (unsigned long long)w->line);
			if (w->col)
				fprintf(stderr, "%llu:", (unsigned long long)w->col);
		}
		fputc(' ', stderr);
	}
	put_line_text(stderr, err->msg);
	fputc('\n', stderr);
}

void hm_err(const char *fmt, ...)
{
	struct hm_error e;
	va_list ap;

	memset(&e, 0, sizeof(e));
	e.status = HM_EXIT_SYSTEM;
	va_start(ap, fmt);
	vsnprintf(e.msg, sizeof(e.msg), fmt, ap);
	va_end(ap);
	hm_error_print(&e);
}

void hm_warn(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: warning: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

#define HM_MAX_CLEANUP 16
static char *cleanup_paths[HM_MAX_CLEANUP];

void hm_cleanup_register(const char *path)
{
	for (int i = 0; i < HM_MAX_CLEANUP; i++) {
		if (!cleanup_paths[i]) {
			cleanup_paths[i] = strdup(path);
			return;
		}
	}
}

void hm_cleanup_unregister(const char *path)
{
	for (int i = 0; i < HM_MAX_CLEANUP; i++) {
		if (cleanup_paths[i] && strcmp(cleanup_paths[i], path) == 0) {
			free(cleanup_paths[i]);
			cleanup_paths[i] = NULL;
		}
	}
}

/*
 * The first signal asks the replay loop to stop (it polls hm_interrupted and
 * exits 130 after removing its temporary files); a second one exits at once,
 * still removing them: unlink() is async-signal-safe.
 */
static void on_signal(int sig)
{
	if (hm_interrupted) {
		for (int i = 0; i < HM_MAX_CLEANUP; i++)
			if (cleanup_paths[i])
				unlink(cleanup_paths[i]);
		_exit(128 + sig);
	}
	hm_interrupted = sig;
}

void hm_signals_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

int hm_parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end)
		return -EINVAL;
	*out = v;
	return 0;
}

int hm_parse_duration_ns(const char *s, uint64_t *out)
{
	static const struct {
		const char *suffix;
		double mult;
	} units[] = {
		{ "ns", 1 }, { "us", 1e3 }, { "ms", 1e6 }, { "s", 1e9 }, { "", 1 },
	};
	char *end;
	double v;

	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || v < 0)
		return -EINVAL;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(end, units[i].suffix) == 0) {
			double ns = v * units[i].mult;

			if (ns >= 1.8e19)
				return -EINVAL;
			*out = (uint64_t)(ns + 0.5);
			return 0;
		}
	}
	return -EINVAL;
}
