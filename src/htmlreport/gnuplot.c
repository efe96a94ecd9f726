// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * gnuplot.c - run the real gnuplot on our scripts: found on PATH, started
 * with a fixed argument list and no shell, without its init files, killed
 * after a timeout, its stderr captured for the error message.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hm_htmlreport.h"

#define ERR_MAX 2048	/* stderr kept for the message */

/* The gnuplot on PATH (empty entries, which mean ".", are not searched). */
int hm_gnuplot_find(char *buf, size_t size)
{
	const char *path = getenv("PATH"), *p;

	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (p = path; *p;) {
		size_t len = strcspn(p, ":");
		struct stat st;

		if (len && (size_t)snprintf(buf, size, "%.*s/gnuplot", (int)len, p) < size &&
		    buf[0] == '/' && stat(buf, &st) == 0 && S_ISREG(st.st_mode) &&
		    access(buf, X_OK) == 0)
			return 0;
		p += len;
		if (*p == ':')
			p++;
	}
	return -ENOENT;
}

static bool prefix_ok(const char *s)
{
	for (; *s; s++)
		if (!isascii((unsigned char)*s) ||
		    !(isalnum((unsigned char)*s) || strchr("._/-", *s)))
			return false;
	return true;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

struct run {
	pid_t pid;
	int in;			/* gnuplot's stdin, when it reads commands: -1 otherwise */
	int errfd;		/* its stderr */
	uint64_t started;	/* ms */
	int status;		/* wait status */
	bool timed_out;
	bool interrupted;
	char err[ERR_MAX];
	size_t err_len;
};

static void child(const char *dir, int infd, int errfd, const char *exe, char **argv)
{
	int null = open("/dev/null", O_RDWR);

	if (null < 0 || dup2(infd >= 0 ? infd : null, STDIN_FILENO) < 0 ||
	    dup2(null, STDOUT_FILENO) < 0 || dup2(errfd, STDERR_FILENO) < 0)
		_exit(126);
	if (chdir(dir) != 0) {
		dprintf(STDERR_FILENO, "cannot enter %s: %s\n", dir, strerror(errno));
		_exit(126);
	}
	execv(exe, argv);
	dprintf(STDERR_FILENO, "cannot run %s: %s\n", exe, strerror(errno));
	_exit(127);
}

/* Start gnuplot; with @commands its stdin is a pipe for "load" lines. */
static int spawn_start(const char *exe, const char *dir, char **argv, bool commands,
		       struct run *r, struct hm_error *err)
{
	int fds[2], in[2] = { -1, -1 };

	memset(r, 0, sizeof(*r));
	r->in = -1;
	if (pipe2(fds, O_CLOEXEC) != 0 || (commands && pipe2(in, O_CLOEXEC) != 0))
		return hm_error_set(err, HM_EXIT_SYSTEM, NULL, "cannot run gnuplot: %s",
				    strerror(errno));
	r->started = now_ms();
	r->pid = fork();
	if (r->pid < 0) {
		int e = errno;

		close(fds[0]);
		close(fds[1]);
		if (commands) {
			close(in[0]);
			close(in[1]);
		}
		return hm_error_set(err, HM_EXIT_SYSTEM, NULL, "cannot run gnuplot: %s",
				    strerror(e));
	}
	if (r->pid == 0)
		child(dir, in[0], fds[1], exe, argv);
	close(fds[1]);
	if (commands) {
		close(in[0]);
		r->in = in[1];
	}
	r->errfd = fds[0];
	return 0;
}

/* Let gnuplot finish (stdin closed), reading its stderr, killing it at @timeout_ms. */
static void spawn_wait(struct run *r, uint64_t timeout_ms)
{
	uint64_t deadline = r->started + timeout_ms;

	if (r->in >= 0) {
		close(r->in);
		r->in = -1;
	}
	for (;;) {
		struct pollfd pfd = { .fd = r->errfd, .events = POLLIN };
		uint64_t t = now_ms();
		char buf[512];
		ssize_t got;
		int ret;

		if (hm_interrupted) {
			r->interrupted = true;
			break;
		}
		if (t >= deadline) {
			r->timed_out = true;
			break;
		}
		/* wake now and then to notice a signal */
		ret = poll(&pfd, 1, (int)(deadline - t < 200 ? deadline - t : 200));
		if (ret < 0 && errno != EINTR)
			break;
		if (ret <= 0)
			continue;
		got = read(r->errfd, buf, sizeof(buf));
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;	/* gnuplot closed stderr: it is exiting */
		if (r->err_len < sizeof(r->err) - 1) {
			size_t n = (size_t)got;

			if (n > sizeof(r->err) - 1 - r->err_len)
				n = sizeof(r->err) - 1 - r->err_len;
			memcpy(r->err + r->err_len, buf, n);
			r->err_len += n;
		}
	}
	close(r->errfd);
	if (r->timed_out || r->interrupted)
		kill(r->pid, SIGKILL);
	while (waitpid(r->pid, &r->status, 0) < 0 && errno == EINTR)
		;
	r->err[r->err_len] = '\0';
}

static int spawn(const char *exe, const char *dir, char **argv, uint64_t timeout_ms,
		 struct run *r, struct hm_error *err)
{
	int ret = spawn_start(exe, dir, argv, false, r, err);

	if (!ret)
		spawn_wait(r, timeout_ms);
	return ret;
}

/* gnuplot's stderr on one line: blank lines and caret lines dropped, controls as '?'. */
static void tidy(const char *in, char *out, size_t size)
{
	size_t o = 0;

	while (*in && o + 4 < size) {
		size_t len = strcspn(in, "\n");
		bool keep = false;

		for (size_t i = 0; i < len; i++)
			if (!isspace((unsigned char)in[i]) && in[i] != '^')
				keep = true;
		if (keep) {
			if (o)
				o += (size_t)snprintf(out + o, size - o, " | ");
			for (size_t i = 0; i < len && o + 1 < size; i++) {
				unsigned char c = (unsigned char)in[i];

				if (c == '\t')
					c = ' ';
				out[o++] = c >= 0x20 && c <= 0x7e ? (char)c : '?';
			}
		}
		in += len;
		if (*in == '\n')
			in++;
	}
	if (o >= size)
		o = size - 1;
	out[o] = '\0';
}

static bool run_ok(const struct run *r)
{
	return !r->timed_out && !r->interrupted && WIFEXITED(r->status) &&
	       WEXITSTATUS(r->status) == 0;
}

static int run_failed(const struct run *r, const char *name, unsigned int timeout_s,
		      struct hm_error *err)
{
	char msg[400];

	if (r->interrupted)
		return hm_error_set(err, HM_EXIT_INTERRUPTED, NULL, "interrupted");
	if (r->timed_out)
		return hm_error_set(err, HM_EXIT_SYSTEM, NULL,
				    "gnuplot failed on %s: killed after %u s", name, timeout_s);
	tidy(r->err, msg, sizeof(msg));
	if (WIFSIGNALED(r->status))
		return hm_error_set(err, HM_EXIT_SYSTEM, NULL,
				    "gnuplot failed on %s: killed by signal %d%s%s", name,
				    WTERMSIG(r->status), *msg ? ": " : "", msg);
	return hm_error_set(err, HM_EXIT_SYSTEM, NULL, "gnuplot failed on %s: %s", name,
			    *msg ? msg : "exit status without a message");
}

static void warnings(const struct run *r)
{
	char msg[400];

	tidy(r->err, msg, sizeof(msg));
	if (*msg)
		hm_warn("gnuplot: %s", msg);
}

struct hm_gnuplot {
	char exe[4096];
	char dir[4096];
	char setprefix[300];
	char **scripts;		/* loaded so far, for finding the one that failed */
	unsigned int n, cap;
	bool verbose;
	struct run r;
};

static bool script_ok(const char *s)
{
	return *s && strlen(s) < 200 && prefix_ok(s) && !strstr(s, "..") && s[0] != '/';
}

struct hm_gnuplot *hm_gnuplot_start(const char *dir, const char *outprefix, bool verbose,
				    struct hm_error *err)
{
	struct hm_gnuplot *g;
	char *argv[6];

	if (!prefix_ok(outprefix) || strlen(outprefix) > 256) {
		hm_error_set(err, HM_EXIT_SYSTEM, NULL, "bad image prefix \"%s\"", outprefix);
		return NULL;
	}
	g = calloc(1, sizeof(*g));
	if (!g) {
		hm_error_set(err, HM_EXIT_SYSTEM, NULL, "out of memory");
		return NULL;
	}
	if (hm_gnuplot_find(g->exe, sizeof(g->exe))) {
		free(g);
		hm_error_set(err, HM_EXIT_SYSTEM, NULL,
			     "gnuplot not found: install the gnuplot-nox package");
		return NULL;
	}
	snprintf(g->dir, sizeof(g->dir), "%s", dir);
	snprintf(g->setprefix, sizeof(g->setprefix), "outprefix='%s'", outprefix);
	g->verbose = verbose;
	argv[0] = (char *)"gnuplot";
	argv[1] = (char *)"-d";		/* no ~/.gnuplot or system init file */
	argv[2] = (char *)"-e";
	argv[3] = g->setprefix;
	argv[4] = (char *)"-";		/* then "load" lines, as the scripts are ready */
	argv[5] = NULL;
	if (spawn_start(g->exe, g->dir, argv, true, &g->r, err)) {
		free(g);
		return NULL;
	}
	return g;
}

int hm_gnuplot_load(struct hm_gnuplot *g, const char *script, struct hm_error *err)
{
	char line[256];
	size_t len, off = 0;

	if (!script_ok(script))
		return hm_error_set(err, HM_EXIT_SYSTEM, NULL, "bad script name \"%s\"", script);
	if (g->n == g->cap) {
		unsigned int cap = g->cap ? 2 * g->cap : 16;
		char **p = realloc(g->scripts, cap * sizeof(*p));

		if (!p)
			return hm_error_set(err, HM_EXIT_SYSTEM, NULL, "out of memory");
		g->scripts = p;
		g->cap = cap;
	}
	g->scripts[g->n] = strdup(script);
	if (!g->scripts[g->n])
		return hm_error_set(err, HM_EXIT_SYSTEM, NULL, "out of memory");
	g->n++;
	len = (size_t)snprintf(line, sizeof(line), "load '%s'\n", script);
	/* a gnuplot that died early shows in hm_gnuplot_finish(): ignore EPIPE here */
	while (off < len && g->r.in >= 0) {
		ssize_t w = write(g->r.in, line + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	return 0;
}

static void gnuplot_free(struct hm_gnuplot *g)
{
	for (unsigned int i = 0; i < g->n; i++)
		free(g->scripts[i]);
	free(g->scripts);
	free(g);
}

/* Which script failed: run each again alone, the first to fail names itself. */
static int find_failed(struct hm_gnuplot *g, unsigned int timeout_s, struct hm_error *err)
{
	char *argv[6] = { (char *)"gnuplot", (char *)"-d", (char *)"-e", g->setprefix };
	struct run r;

	for (unsigned int i = 0; i < g->n; i++) {
		argv[4] = g->scripts[i];
		argv[5] = NULL;
		if (spawn(g->exe, g->dir, argv, (uint64_t)timeout_s * 1000, &r, err))
			return -EIO;
		if (!run_ok(&r))
			return run_failed(&r, g->scripts[i], timeout_s, err);
	}
	return hm_error_set(err, HM_EXIT_SYSTEM, NULL,
			    "gnuplot failed on the figures together but not one by one");
}

void hm_gnuplot_abort(struct hm_gnuplot *g)
{
	if (!g)
		return;
	if (g->r.in >= 0)
		close(g->r.in);
	close(g->r.errfd);
	kill(g->r.pid, SIGKILL);
	while (waitpid(g->r.pid, &g->r.status, 0) < 0 && errno == EINTR)
		;
	gnuplot_free(g);
}

int hm_gnuplot_finish(struct hm_gnuplot *g, unsigned int timeout_s, struct hm_error *err)
{
	int ret = 0;

	if (!g)
		return 0;
	spawn_wait(&g->r, (uint64_t)timeout_s * 1000 * (g->n ? g->n : 1));
	if (run_ok(&g->r)) {
		if (g->verbose)
			warnings(&g->r);
	} else if (g->r.interrupted || g->n <= 1) {
		ret = run_failed(&g->r, g->n ? g->scripts[0] : "(none)",
				 timeout_s * (g->n ? g->n : 1), err);
	} else {
		ret = find_failed(g, timeout_s, err);
	}
	gnuplot_free(g);
	return ret;
}

int hm_gnuplot_run(const char *dir, const char *outprefix, const char *const *scripts,
		   unsigned int n, unsigned int timeout_s, bool verbose, struct hm_error *err)
{
	struct hm_gnuplot *g;

	if (!n)
		return 0;
	g = hm_gnuplot_start(dir, outprefix, verbose, err);
	if (!g)
		return -EINVAL;
	for (unsigned int i = 0; i < n; i++) {
		if (hm_gnuplot_load(g, scripts[i], err)) {
			hm_gnuplot_abort(g);
			return -EINVAL;
		}
	}
	return hm_gnuplot_finish(g, timeout_s, err);
}
