// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-ctf.c - the CTF reader against the JSON Lines trace its input was
 * generated from (gen-ctf.py), and against damaged CTF.
 *
 *   test-ctf same SHAPE SOURCE.jsonl CTFDIR
 *	every event read from CTFDIR equals the event of SOURCE.jsonl at the
 *	same position, field by field (lttng/perf: after entry/return pairing),
 *	and the meta equals the source's header
 *   test-ctf damaged CTFDIR WORKDIR
 *	copies of CTFDIR with a truncated stream, a stream of zeros, garbage in
 *	an event header, a metadata syntax error, no metadata: each one a
 *	precise "CTF: ..." error, never a crash
 *   test-ctf probe
 *	what the format's probe accepts
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hm_model.h"
#include "hm_reader.h"
#include "tap.h"

extern const struct hm_format_ops hm_format_ctf;

/* Detect the format, or with --format ctf when the name is set. */
static const char *t_force;

static struct hm_reader *t_open(const char *path, struct hm_error *err)
{
	struct hm_reader_opts opts = { .format = t_force };

	return hm_reader_open(path, &opts, err);
}
#define t_next hm_reader_next
#define t_close hm_reader_close
#define t_meta hm_reader_meta
#define t_strtab hm_reader_strtab
#define t_error hm_reader_error
#define t_format hm_reader_format

/* ------------------------------------------------------------ source --- */

static uint64_t j_u64(json_t *obj, const char *key, uint64_t dflt)
{
	json_t *v = json_object_get(obj, key);

	if (json_is_integer(v))
		return (uint64_t)json_integer_value(v);
	if (json_is_string(v))
		return strtoull(json_string_value(v), NULL, 0);
	return dflt;
}

static const char *j_str(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	return json_is_string(v) ? json_string_value(v) : "";
}

struct source {
	json_t *meta;
	json_t **events;
	size_t nr;
};

static int source_read(const char *path, struct source *src)
{
	FILE *f = fopen(path, "r");
	char line[4096];

	memset(src, 0, sizeof(*src));
	if (!f) {
		tap_diag("%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		json_error_t jerr;
		json_t *o = json_loads(line, 0, &jerr);

		if (!o) {
			tap_diag("%s: %s", path, jerr.text);
			fclose(f);
			return -1;
		}
		if (!json_object_get(o, "op")) {
			json_t *m = json_object_get(o, "meta");

			src->meta = json_incref(m ? m : o);
			json_decref(o);
			continue;
		}
		src->events = realloc(src->events, (src->nr + 1) * sizeof(*src->events));
		if (!src->events)
			abort();
		src->events[src->nr++] = o;
	}
	fclose(f);
	return 0;
}

/* HM_EVF_* the shape can carry for source event @o. */
static unsigned int want_flags(const char *shape, json_t *o)
{
	bool known = json_object_get(o, "irqs_off") || json_object_get(o, "preempt_off");
	unsigned int f = 0;

	if (!strcmp(shape, "lttng") || !known)
		return strcmp(shape, "perf") ? 0 : HM_EVF_CTX_KNOWN;
	f = HM_EVF_CTX_KNOWN;
	if (json_is_true(json_object_get(o, "irqs_off")))
		f |= HM_EVF_IRQS_OFF;
	if (json_is_true(json_object_get(o, "preempt_off")))
		f |= HM_EVF_PREEMPT_OFF;
	return f;
}

/*
 * The same again, but against what the JSON Lines reader makes of the source:
 * both readers must hand the model identical events.  The lttng shape has no
 * irqs-off/preempt flags to carry.
 */
static void same_as_jsonl_reader(const char *shape, const char *jsonl, const char *dir)
{
	struct hm_error err1 = { 0 }, err2 = { 0 };
	struct hm_reader *a = t_open(jsonl, &err1), *b = t_open(dir, &err2);
	const struct hm_strtab *ta, *tb;
	struct hm_event x, y;
	uint64_t n = 0, bad = 0;
	int ra = 0, rb = 0;

	if (!tap_ok(a && b, "%s: open the source with the jsonl reader and the CTF", shape)) {
		tap_diag("%s / %s", err1.msg, err2.msg);
		goto out;
	}
	tap_is_str(hm_reader_format(a), "jsonl", "the source is JSON Lines");
	ta = t_strtab(a);
	tb = t_strtab(b);
	for (;;) {
		ra = t_next(a, &x);
		rb = t_next(b, &y);
		if (ra <= 0 || rb <= 0)
			break;
		if (!strcmp(shape, "lttng"))
			x.flags = 0;
		if (x.ts != y.ts || x.ret_ts != y.ret_ts || x.pfn != y.pfn || x.page != y.page ||
		    x.vaddr != y.vaddr || x.index != y.index || x.pid != y.pid ||
		    x.next_pid != y.next_pid || x.cpu != y.cpu || x.dest_cpu != y.dest_cpu ||
		    x.op != y.op || x.ctx != y.ctx || x.flags != y.flags ||
		    strcmp(hm_strtab_get(ta, x.comm), hm_strtab_get(tb, y.comm)) ||
		    strcmp(hm_strtab_get(ta, x.site), hm_strtab_get(tb, y.site))) {
			if (!bad++)
				tap_diag("first difference at event %" PRIu64, n);
		}
		n++;
	}
	tap_ok(ra == 0 && rb == 0 && n > 0 && bad == 0,
	       "%s: all %" PRIu64 " events equal the jsonl reader's", shape, n);
	if (ra < 0 || rb < 0)
		tap_diag("%s / %s", ra < 0 ? t_error(a)->msg : "", rb < 0 ? t_error(b)->msg : "");
out:
	if (a)
		t_close(a);
	if (b)
		t_close(b);
}

static int test_same(const char *shape, const char *jsonl, const char *dir)
{
	const struct hm_trace_meta *m;
	struct hm_error err = { 0 };
	struct hm_event ev;
	struct source src;
	struct hm_reader *r;
	size_t i, bad = 0;
	int rc = 0;
	char name[96];

	if (source_read(jsonl, &src) || !src.meta || !src.nr) {
		tap_ok(0, "read source %s", jsonl);
		return tap_done();
	}
	r = t_open(dir, &err);
	if (!tap_ok(r != NULL, "%s: open %s", shape, dir)) {
		tap_diag("error: %s", err.msg);
		return tap_done();
	}
	tap_is_str(t_format(r), "ctf", "detected as ctf");

	m = t_meta(r);
	tap_is_str(m->arch, j_str(src.meta, "arch"), "meta arch");
	tap_is_u64(m->nr_cpus, j_u64(src.meta, "nr_cpus", 0), "meta nr_cpus");
	tap_is_str(m->source, j_str(src.meta, "source"), "meta source (hostname)");
	tap_is_str(m->kernel, j_str(src.meta, "kernel"), "meta kernel");
	tap_is_str(m->clock, !strcmp(shape, "lttng") ? "monotonic" :
			     !strcmp(shape, "perf") ? "perf_clock" :
			     *j_str(src.meta, "clock") ? j_str(src.meta, "clock") : "monotonic",
		   "meta clock");

	for (i = 0; i < src.nr; i++) {
		json_t *o = src.events[i];
		const struct hm_strtab *tab = t_strtab(r);
		const char *ops = j_str(o, "op"), *ctxs = j_str(o, "ctx");
		unsigned int op = (unsigned int)hm_op_from_name(ops, strlen(ops));
		/* no "ctx" means task context */
		unsigned int ctx = *ctxs ? (unsigned int)hm_ctx_from_name(ctxs, strlen(ctxs)) :
					   HM_CTX_TASK;
		int32_t next_pid = (int32_t)j_u64(o, "next_pid", (uint64_t)(int64_t)HM_PID_NONE);
		uint64_t line = 0;
		int ok = 1;

		rc = t_next(r, &ev);
		if (rc <= 0)
			break;
		line = i + 1;
#define CHECK(cond, what, got, want)                                                      \
	do {                                                                               \
		if (!(cond)) {                                                             \
			ok = 0;                                                            \
			tap_diag("event %zu (source event %" PRIu64 ") %s: got %" PRIu64      \
				 " (0x%" PRIx64 "), want %" PRIu64 " (0x%" PRIx64 ")", i, line, \
				 what, (uint64_t)(got), (uint64_t)(got), (uint64_t)(want),  \
				 (uint64_t)(want));                                         \
		}                                                                          \
	} while (0)
		CHECK(ev.index == i, "index", ev.index, i);
		CHECK(ev.ts == j_u64(o, "ts", 0), "ts", ev.ts, j_u64(o, "ts", 0));
		CHECK(ev.ret_ts == j_u64(o, "ret_ts", HM_NONE), "ret_ts", ev.ret_ts,
		      j_u64(o, "ret_ts", HM_NONE));
		CHECK(ev.op == op, "op", ev.op, op);
		CHECK(ev.cpu == j_u64(o, "cpu", 0), "cpu", ev.cpu, j_u64(o, "cpu", 0));
		CHECK(ev.pid == (int32_t)j_u64(o, "pid", 0), "pid", ev.pid, j_u64(o, "pid", 0));
		CHECK(ev.next_pid == next_pid, "next_pid", ev.next_pid, next_pid);
		CHECK(ev.dest_cpu == j_u64(o, "dest_cpu", 0), "dest_cpu", ev.dest_cpu,
		      j_u64(o, "dest_cpu", 0));
		CHECK(ev.pfn == j_u64(o, "pfn", HM_NONE), "pfn", ev.pfn, j_u64(o, "pfn", HM_NONE));
		CHECK(ev.page == j_u64(o, "page", HM_NONE), "page", ev.page,
		      j_u64(o, "page", HM_NONE));
		CHECK(ev.vaddr == j_u64(o, "vaddr", HM_NONE), "vaddr", ev.vaddr,
		      j_u64(o, "vaddr", HM_NONE));
		CHECK(ev.ctx == ctx, "ctx", ev.ctx, ctx);
		CHECK(ev.flags == want_flags(shape, o), "flags", ev.flags, want_flags(shape, o));
		if (strcmp(hm_strtab_get(tab, ev.comm), j_str(o, "comm"))) {
			ok = 0;
			tap_diag("event %zu comm: got \"%s\", want \"%s\"", i,
				 hm_strtab_get(tab, ev.comm), j_str(o, "comm"));
		}
		if (strcmp(hm_strtab_get(tab, ev.site), j_str(o, "site"))) {
			ok = 0;
			tap_diag("event %zu site: got \"%s\", want \"%s\"", i,
				 hm_strtab_get(tab, ev.site), j_str(o, "site"));
		}
#undef CHECK
		if (!ok)
			bad++;
	}
	snprintf(name, sizeof(name), "%s: every field of %zu events equals the source", shape,
		 src.nr);
	tap_ok(rc > 0 && bad == 0 && i == src.nr, "%s", name);
	if (rc < 0)
		tap_diag("error: %s", t_error(r)->msg);
	tap_ok(i == src.nr && t_next(r, &ev) == 0, "%s: end of trace after %zu events", shape,
	       src.nr);
	tap_ok(t_next(r, &ev) == 0, "%s: end stays the end", shape);
	tap_is_u64(hm_reader_backwards(r), 0, "no timestamp went backwards");
	t_close(r);
	same_as_jsonl_reader(shape, jsonl, dir);
	for (i = 0; i < src.nr; i++)
		json_decref(src.events[i]);
	free(src.events);
	json_decref(src.meta);
	return tap_done();
}

/* ----------------------------------------------------------- damaged --- */

static int copy_file(const char *from, const char *to)
{
	char buf[65536];
	ssize_t n;
	int in = open(from, O_RDONLY), out;

	if (in < 0)
		return -1;
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (out < 0) {
		close(in);
		return -1;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			n = -1;
	close(in);
	close(out);
	return n < 0 ? -1 : 0;
}

/* A fresh copy of the trace in @work/@name; returns its path (static). */
static const char *fresh_copy(const char *good, const char *work, const char *name)
{
	static char dir[1024];
	char from[2048], to[2048];
	struct dirent *d;
	DIR *dp;

	snprintf(dir, sizeof(dir), "%s/%s", work, name);
	mkdir(work, 0755);
	mkdir(dir, 0755);
	dp = opendir(good);
	if (!dp)
		return NULL;
	while ((d = readdir(dp))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(from, sizeof(from), "%s/%s", good, d->d_name);
		snprintf(to, sizeof(to), "%s/%s", dir, d->d_name);
		if (copy_file(from, to)) {
			closedir(dp);
			return NULL;
		}
	}
	closedir(dp);
	return dir;
}

/*
 * Open and read @dir to the end; return the error message (static), or NULL
 * when it read without one.  *events counts what came before the error.
 */
static const char *read_all(const char *dir, size_t *events, int *at_open)
{
	static char msg[sizeof(((struct hm_error *)0)->msg)];
	struct hm_error err = { 0 };
	struct hm_reader *r = t_open(dir, &err);
	struct hm_event ev;
	int rc;

	*events = 0;
	*at_open = !r;
	if (!r) {
		snprintf(msg, sizeof(msg), "%s", err.msg);
		return msg;
	}
	while ((rc = t_next(r, &ev)) > 0)
		++*events;
	snprintf(msg, sizeof(msg), "%s", rc < 0 ? t_error(r)->msg : "");
	/* after an error, the reader keeps saying so */
	if (rc < 0 && t_next(r, &ev) >= 0)
		snprintf(msg, sizeof(msg), "next() after an error did not fail again");
	t_close(r);
	return rc < 0 ? msg : NULL;
}

static bool has(const char *msg, const char *part)
{
	return msg && strstr(msg, part);
}

static int write_at(const char *path, off_t off, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = pwrite(fd, data, len, off);
	close(fd);
	return n == (ssize_t)len ? 0 : -1;
}

static int test_damaged(const char *good, const char *work)
{
	char path[2048], stream[2048];
	const char *dir, *msg;
	struct stat sb;
	size_t n, full;
	int at_open;
	FILE *f;

	/* the undamaged trace, for reference */
	msg = read_all(good, &full, &at_open);
	if (!tap_ok(msg == NULL && full > 4, "the good trace reads (%zu events)", full))
		tap_diag("error: %s", msg);

	/* a stream cut short: src.ctf.fs indexes packets at open */
	dir = fresh_copy(good, work, "truncated");
	snprintf(stream, sizeof(stream), "%s/stream_0", dir ? dir : "");
	if (!tap_ok(dir && stat(stream, &sb) == 0 && sb.st_size > 200, "copy with a stream_0"))
		return tap_done();
	if (truncate(stream, sb.st_size / 2))
		return tap_done();
	msg = read_all(dir, &n, &at_open);
	tap_ok(msg && at_open && !strncmp(msg, "CTF: ", 5), "truncated stream: error at open");
	tap_ok(has(msg, "stream_0") && has(msg, "Invalid packet size") && has(msg, "file-size="),
	       "truncated stream: names the file and the size mismatch");
	tap_ok(!strchr(msg ? msg : "", '\n'), "truncated stream: one line");
	tap_diag("%s", msg ? msg : "(none)");

	/* a stream of zeros: no CTF magic */
	dir = fresh_copy(good, work, "zeros");
	snprintf(stream, sizeof(stream), "%s/stream_0", dir ? dir : "");
	f = dir ? fopen(stream, "r+") : NULL;
	if (f) {
		static const char zeros[64];

		fwrite(zeros, 1, sizeof(zeros), f);
		fclose(f);
	}
	msg = read_all(dir ? dir : "", &n, &at_open);
	tap_ok(has(msg, "CTF: ") && has(msg, "stream_0") && has(msg, "magic"),
	       "zeroed packet header: bad magic in stream_0");
	tap_diag("%s", msg ? msg : "(none)");

	/*
	 * Garbage over the header of CPU 1's second event: CPU 1's first event
	 * (the sched_switch of rcu_preempt, basic.jsonl line 11) is decoded as
	 * soon as the muxer looks at the stream, its second only when its turn
	 * comes, so decoding fails while reading, after the events before it.
	 * It starts after the switch's payload: cpu, pid, "rcu_preempt", "task",
	 * next_pid.
	 */
	dir = fresh_copy(good, work, "garbage");
	snprintf(stream, sizeof(stream), "%s/stream_1", dir ? dir : "");
	{
		static const unsigned char ff[8] = {
			0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff
		};
		static const char sw[] = "rcu_preempt\0task";
		unsigned char buf[4096];
		ssize_t len = -1;
		off_t at = -1;
		int fd = open(stream, O_RDONLY);

		if (fd >= 0) {
			len = read(fd, buf, sizeof(buf));
			close(fd);
		}
		for (ssize_t i = 0; i + (ssize_t)sizeof(sw) <= len; i++) {
			if (!memcmp(buf + i, sw, sizeof(sw))) {
				at = (off_t)(i + (ssize_t)sizeof(sw) + 4);
				break;
			}
		}
		if (!tap_ok(at > 0 && !write_at(stream, at, ff, sizeof(ff)),
			    "found CPU 1's second event in %s", stream))
			return tap_done();
	}
	msg = read_all(dir, &n, &at_open);
	tap_ok(msg && !at_open && !strncmp(msg, "CTF: ", 5) && n == 10,
	       "garbage event header: error while reading, after the 10 events before it (%zu)",
	       n);
	tap_ok(has(msg, "event class"), "garbage event header: says the event class is unknown");
	tap_ok(has(msg, ", after the event at 6158381000 ns"),
	       "garbage event header: says after which event");
	tap_diag("%s", msg ? msg : "(none)");

	/* metadata that does not parse: the parser's line number comes through */
	dir = fresh_copy(good, work, "badmeta");
	snprintf(path, sizeof(path), "%s/metadata", dir ? dir : "");
	f = dir ? fopen(path, "a") : NULL;
	if (f) {
		fputs("\nevent { name = \"x\"; ;;; }\n", f);
		fclose(f);
	}
	msg = read_all(dir ? dir : "", &n, &at_open);
	tap_ok(msg && at_open && has(msg, "CTF: ") && has(msg, "metadata") &&
	       has(msg, "syntax error"), "metadata syntax error: says so");
	tap_ok(has(msg, "At line "), "metadata syntax error: with its line");
	tap_diag("%s", msg ? msg : "(none)");

	/* no metadata at all: nothing to detect, so with --format ctf */
	dir = fresh_copy(good, work, "nometa");
	snprintf(path, sizeof(path), "%s/metadata", dir ? dir : "");
	if (dir)
		unlink(path);
	t_force = "ctf";
	msg = read_all(dir ? dir : "", &n, &at_open);
	t_force = NULL;
	tap_ok(msg && at_open && has(msg, "CTF: ") && has(msg, "metadata"),
	       "no metadata file (--format ctf): says so");
	tap_diag("%s", msg ? msg : "(none)");

	/* the metadata file named instead of its directory (--format ctf) */
	snprintf(path, sizeof(path), "%s/metadata", good);
	t_force = "ctf";
	msg = read_all(path, &n, &at_open);
	t_force = NULL;
	tap_ok(!msg && n == full, "DIR/metadata (--format ctf) reads the trace in DIR");
	if (msg)
		tap_diag("%s", msg);

	/* a path that is not there */
	snprintf(path, sizeof(path), "%s/does-not-exist", work);
	msg = read_all(path, &n, &at_open);
	tap_ok(msg && at_open && has(msg, strerror(ENOENT)), "missing directory: %s",
	       strerror(ENOENT));
	tap_diag("%s", msg ? msg : "(none)");

	return tap_done();
}

static int test_probe(void)
{
	static const unsigned char le[] = { 0x57, 0x1d, 0xd1, 0x75, 0x2e, 0x00 };
	static const unsigned char be[] = { 0x75, 0xd1, 0x1d, 0x57, 0x2e, 0x00 };
	static const char text[] = "/* CTF 1.8 */\n\ntrace {\n\tmajor = 1;\n";
	static const char bare[] = "typealias integer { size = 8; } := uint8_t;\n"
				   "trace {\n\tmajor = 1;\n\tpacket.header := struct { };\n};\n";
	static const char json[] = "{\"hmtrace\": 1, \"meta\": {\"arch\": \"x86-32\"}}\n";
	static const char ftrace[] = "# tracer: nop\n#\n";
	int (*probe)(const unsigned char *, size_t) = hm_format_ctf.probe;

	tap_ok(hm_format_ctf.path_based, "probe: the ctf format is path based");
	tap_is_u64(probe((const unsigned char *)text, sizeof(text) - 1), 100,
		   "probe: \"/* CTF 1.8\" text metadata");
	tap_is_u64(probe(le, sizeof(le)), 100, "probe: packetized metadata, little endian");
	tap_is_u64(probe(be, sizeof(be)), 100, "probe: packetized metadata, big endian");
	tap_ok(probe((const unsigned char *)bare, sizeof(bare) - 1) > 0,
	       "probe: text metadata without the version comment");
	tap_is_u64(probe((const unsigned char *)json, sizeof(json) - 1), 0, "probe: not JSON");
	tap_is_u64(probe((const unsigned char *)ftrace, sizeof(ftrace) - 1), 0,
		   "probe: not ftrace text");
	tap_is_u64(probe((const unsigned char *)"", 0), 0, "probe: not an empty file");
	return tap_done();
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "probe"))
		return test_probe();
	if (argc == 5 && !strcmp(argv[1], "same"))
		return test_same(argv[2], argv[3], argv[4]);
	if (argc == 4 && !strcmp(argv[1], "damaged"))
		return test_damaged(argv[2], argv[3]);
	fprintf(stderr,
		"usage: %s same SHAPE SOURCE.jsonl CTFDIR | damaged CTFDIR WORKDIR | probe\n",
		argv[0]);
	return 2;
}
