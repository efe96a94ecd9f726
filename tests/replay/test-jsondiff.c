// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-jsondiff.c - the JSON fast path (src/replay/json-scan.c) against the
 * jansson path it must agree with.
 *
 * Every trace is read three ways: HM_JSON_SLOWPATH=1 (jansson only, the
 * reference), HM_JSON_THREAD=0 (the fast path in the caller's thread) and
 * HM_JSON_THREAD=1 (JSON Lines read ahead in a thread from the first event,
 * not only in long traces as by default), each strict and with
 * --lenient.  The three must give the same events (every field), the same
 * string table (same ids for the same strings), meta and counters -- or the
 * same error, message and line:col alike.
 *
 * The traces: every JSON and JSON Lines file under the directories on the
 * command line (the fixtures, traces/, the bad-input and fuzz corpora); hand-
 * made event lines, each also checked for which path takes it (so the fast
 * path cannot quietly give everything to jansson); and lines mutated at
 * random from valid ones (HM_JSONDIFF_MUTATIONS of them, default 1500; one
 * in 32 also read with the thread, the documents without).
 *
 * Usage: test-jsondiff DIR|FILE...
 */
#include <dirent.h>
#include <sys/stat.h>

#include "json-scan.h"
#include "rt-util.h"

enum mode { SLOW, FAST, THREAD, NR_MODES };

static const char *const mode_names[NR_MODES] = { "jansson", "fast", "threaded" };

static void set_mode(enum mode m)
{
	setenv("HM_JSON_SLOWPATH", m == SLOW ? "1" : "0", 1);
	setenv("HM_JSON_THREAD", m == FAST ? "0" : "1", 1);
}

static struct rt_trace *read_as(const char *path, enum mode m, bool lenient)
{
	struct hm_reader_opts opts = { .lenient = lenient };

	set_mode(m);
	return rt_read(path, &opts);
}

/* The first difference between @a and @b, or NULL. */
static const char *differ(const struct rt_trace *a, const struct rt_trace *b, char *buf,
			  size_t size)
{
	if (strcmp(a->format, b->format))
		return "format";
	if (a->rc != b->rc || strcmp(a->err, b->err)) {
		snprintf(buf, size, "error: rc %d \"%s\" vs rc %d \"%s\"", a->rc, a->err, b->rc,
			 b->err);
		return buf;
	}
	if (memcmp(&a->meta, &b->meta, sizeof(a->meta)))
		return "meta";
	if (a->n != b->n) {
		snprintf(buf, size, "%zu events vs %zu", a->n, b->n);
		return buf;
	}
	for (size_t i = 0; i < a->n; i++) {
		const struct hm_event *x = &a->ev[i], *y = &b->ev[i];

		if (x->ts != y->ts || x->ret_ts != y->ret_ts || x->pfn != y->pfn ||
		    x->page != y->page || x->vaddr != y->vaddr || x->index != y->index ||
		    x->line != y->line || x->pid != y->pid || x->next_pid != y->next_pid ||
		    x->cpu != y->cpu || x->dest_cpu != y->dest_cpu || x->comm != y->comm ||
		    x->site != y->site || x->op != y->op || x->ctx != y->ctx ||
		    x->flags != y->flags) {
			snprintf(buf, size, "event %zu (line %llu)", i,
				 (unsigned long long)x->line);
			return buf;
		}
	}
	if (a->nstr != b->nstr)
		return "string count";
	for (uint32_t i = 0; i < a->nstr; i++)
		if (strcmp(a->str[i], b->str[i])) {
			snprintf(buf, size, "string %u: \"%s\" vs \"%s\"", i, a->str[i], b->str[i]);
			return buf;
		}
	if (a->skipped != b->skipped)
		return "skipped count";
	if (a->backwards != b->backwards)
		return "backwards count";
	return NULL;
}

/*
 * Read @path every way (@modes: up to THREAD or FAST); 1 when all agree (a
 * diagnostic says where not).
 */
static int agree_modes(const char *path, const char *name, uint64_t *events, enum mode modes)
{
	int ok = 1;

	for (int lenient = 0; lenient < 2 && ok; lenient++) {
		struct rt_trace *ref = read_as(path, SLOW, lenient);

		if (events && !lenient)
			*events += ref->n;
		for (enum mode m = FAST; m <= modes && ok; m++) {
			struct rt_trace *t;

			/*
			 * Only JSON Lines are read ahead, and a thread takes a while to
			 * get a CPU on a busy machine: strict runs of those only.
			 */
			if (m == THREAD && (lenient || strcmp(ref->format, "jsonl") != 0))
				continue;
			t = read_as(path, m, lenient);
			char buf[1600];
			const char *d = differ(ref, t, buf, sizeof(buf));

			if (d) {
				tap_diag("%s: %s%s differs from jansson: %s", name, mode_names[m],
					 lenient ? " --lenient" : "", d);
				ok = 0;
			}
			rt_free(t);
		}
		rt_free(ref);
	}
	return ok;
}

static int agree(const char *path, const char *name, uint64_t *events)
{
	return agree_modes(path, name, events, THREAD);
}

/* ------------------------------------------------------- fixture files --- */

static char **files;
static size_t nfiles, capfiles;

static bool wanted(const char *name)
{
	static const char *const suffixes[] = { ".json", ".jsonl", ".json.zst", ".jsonl.zst",
						".json.gz", ".jsonl.gz" };
	size_t len = strlen(name);

	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		size_t sl = strlen(suffixes[i]);

		if (len > sl && strcmp(name + len - sl, suffixes[i]) == 0)
			return true;
	}
	return false;
}

static void add_file(const char *path)
{
	if (nfiles == capfiles) {
		capfiles = capfiles ? capfiles * 2 : 64;
		files = realloc(files, capfiles * sizeof(*files));
		if (!files)
			exit(99);
	}
	files[nfiles] = strdup(path);
	if (!files[nfiles])
		exit(99);
	nfiles++;
}

static void walk(const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *de;

	if (stat(path, &st) < 0)
		return;
	if (!S_ISDIR(st.st_mode)) {
		if (S_ISREG(st.st_mode))
			add_file(path);
		return;
	}
	d = opendir(path);
	if (!d)
		return;
	while ((de = readdir(d))) {
		char sub[4096];

		if (de->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
		if (stat(sub, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode))
			walk(sub);
		else if (S_ISREG(st.st_mode) && wanted(de->d_name))
			add_file(sub);
	}
	closedir(d);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_files(int argc, char **argv)
{
	uint64_t events = 0;
	size_t bad = 0;

	for (int i = 1; i < argc; i++)
		walk(argv[i]);
	qsort(files, nfiles, sizeof(*files), cmp_str);
	for (size_t i = 0; i < nfiles; i++) {
		bad += !agree(files[i], files[i], &events);
		free(files[i]);
	}
	free(files);
	tap_ok(nfiles > 0 && bad == 0, "%zu fixture files (%llu events): every path agrees "
	       "(%zu differ)", nfiles, (unsigned long long)events, bad);
}

/* ------------------------------------------------------- hand-made lines --- */

#define HDR "{\"format\":\"hmtrace\",\"version\":1,\"meta\":{\"nr_cpus\":4}}\n"
#define OK_EVENT "{\"ts\":1,\"cpu\":0,\"pid\":1,\"op\":\"task_exit\"}\n"

struct line_case {
	bool fast;		/* the fast path takes it itself */
	const char *line;
};

static const struct line_case cases[] = {
	/* what hm-replay --convert writes */
	{ true, "{\"ts\":9894899513,\"cpu\":0,\"pid\":1,\"comm\":\"init\",\"op\":\"kunmap_local\","
		"\"vaddr\":\"0xc1eba000\",\"irqs_off\":false,\"preempt_off\":false}" },
	{ true, "{\"ts\":9895872084,\"cpu\":3,\"pid\":1,\"comm\":\"init\",\"op\":\"kmap_local\","
		"\"pfn\":784522,\"vaddr\":\"0xfffbb000\",\"ret_ts\":9895879108,"
		"\"site\":\"__kmap_local_page_prot+0x51/0x60\",\"irqs_off\":false,"
		"\"preempt_off\":true}" },
	/* other orders, white space, nulls, the other members */
	{ true, " \t{ \"op\" : \"kmap\" , \"ret_ts\":5,\"ts\" :1, \"cpu\": 1,\"pid\":2,\r\t"
		"\"page\":\"0XDEADbeef\", \"site\": null, \"comm\": \"\", \"ctx\":\"softirq\"} \t" },
	{ true, "{\"ts\":0,\"cpu\":0,\"pid\":2147483647,\"op\":\"sched_switch\",\"next_pid\":0}" },
	{ true, "{\"ts\": 2000, \"ret_ts\": 2050, \"cpu\": 0, \"pid\": 300, \"comm\": \"cp\", "
		"\"op\": \"kmap_local\", \"pfn\": 262160, \"vaddr\": \"0xfffbb000\", "
		"\"site\": \"copy_page_to_iter+0x40\"}" },
	{ true, "{\"ts\":999999999999999999,\"cpu\":3,\"pid\":0,\"op\":\"migrate\",\"dest_cpu\":3}" },
	{ true, "{\"ts\":1,\"cpu\":0,\"pid\":0,\"op\":\"irq_enter\",\"ctx\":\"nmi\","
		"\"irqs_off\":true,\"preempt_off\":null}" },
	{ true, "{\"ts\":1,\"cpu\":0,\"pid\":0,\"op\":\"fork\",\"next_pid\":5,\"dest_cpu\":77}" },
	{ true, "{\"ts\":1,\"cpu\":0,\"pid\":0,\"op\":\"kunmap\",\"pfn\":\"0x1\","
		"\"vaddr\":\"0xfffffffffffffffe\"}" },
	/* numbers of every length around the eight-at-a-time reads */
	{ true, "{\"ts\":12345678,\"cpu\":0,\"pid\":1,\"op\":\"kmap\",\"pfn\":87654321,"
		"\"ret_ts\":123456789}" },
	{ true, "{\"ts\":123456789012345,\"cpu\":0,\"pid\":1,\"op\":\"kmap\","
		"\"pfn\":1234567890123456,\"ret_ts\":12345678901234567}" },
	{ true, "{\"ts\":1234567,\"cpu\":0,\"pid\":1,\"op\":\"kmap\",\"pfn\":9,"
		"\"ret_ts\":1234567890123456}" },
	{ true, "{\"ts\":10000000,\"cpu\":0,\"pid\":10,\"op\":\"kmap\",\"pfn\":0,"
		"\"ret_ts\":100000000000000000}" },
	{ false, "{\"ts\":12345678901234567890,\"cpu\":0,\"pid\":1,\"op\":\"task_exit\"}" },
	{ false, "{\"ts\":1234567812345678.5,\"cpu\":0,\"pid\":1,\"op\":\"task_exit\"}" },
	{ false, "{\"ts\":12345678e1,\"cpu\":0,\"pid\":1,\"op\":\"task_exit\"}" },
	/* members nobody reads: plain forms are skipped */
	{ true, "{\"x\":\"y\",\"ts\":1,\"cpu\":0,\"pid\":0,\"op\":\"task_exit\",\"n\":-12,"
		"\"z\":[],\"w\":{ },\"t\":true,\"f\":false,\"u\":null,\"\":0}" },
	{ true, "{\"ts\":1,\"cpu\":0,\"pid\":0,\"op\":\"task_exit\",\"comm\":\"caf\xc3\xa9 \xe2\x82\xac "
		"\xf0\x9f\x98\x80\"}" },
	/* escapes, exotic numbers, nesting: jansson decides (and may accept) */
	{ false, "{\"ts\":1,\"cpu\":0,\"pid\":0,\"op\":\"task_exit\",\"comm\":\"a\\\"b\"}" },
	{ false, "{\"ts\":1,\"cpu\":0,\"pid\":0,\"op\":\"task_\\u0065xit\"}" },
	{ false, "{\"t\\u0073\":1,\"cpu\":0,\"pid\":0,\"op\":\"task_exit\"}" },
	{ false, "{\"ts\":1,\"cpu\":0,\"pid\":0,\"op\":\"task_exit\",\"comm\":\"a\\u0000b\"}" },
	{ false, "{\"ts\":1,\"cpu\":0,\"pid\":0,\"op\":\"task_exit\",\"x\":{\"a\":1}}" },
	{ false, "{\"ts\":1,\"cpu\":0,\"pid\":0,\"op\":\"task_exit\",\"x\":[1,2]}" },
	{ false, "{\"ts\":1,\"cpu\":0,\"pid\":0,\"op\":\"task_exit\",\"x\":{\"a\":1,\"a\":2}}" },
	{ false, "{\"ts\":1,\"cpu\":0,\"pid\":0,\"op\":\"task_exit\",\"x\":1.5}" },
	{ false, "{\"ts\":1,\"cpu\":0,\"pid\":0,\"op\":\"task_exit\",\"x\":1e999}" },
	{ false, "{\"ts\":1,\"cpu\":0,\"pid\":0,\"op\":\"task_exit\",\"x\":123456789012345678901234}" },
	{ false, "{\"ts\":1000000000000000000,\"cpu\":0,\"pid\":0,\"op\":\"task_exit\"}" },
	{ false, "{\"ts\":9223372036854775807,\"cpu\":0,\"pid\":0,\"op\":\"task_exit\"}" },
	{ false, "{\"ts\":9223372036854775808,\"cpu\":0,\"pid\":0,\"op\":\"task_exit\"}" },
	{ false, "{\"ts\":1.0,\"cpu\":0,\"pid\":0,\"op\":\"task_exit\"}" },
	{ false, "{\"ts\":1e3,\"cpu\":0,\"pid\":0,\"op\":\"task_exit\"}" },
	{ false, "{\"ts\":01,\"cpu\":0,\"pid\":0,\"op\":\"task_exit\"}" },
	{ false, "{\"ts\":-0,\"cpu\":0,\"pid\":0,\"op\":\"task_exit\"}" },
	{ false, "{\"ts\":\"1\",\"cpu\":0,\"pid\":0,\"op\":\"task_exit\"}" },
	/* duplicates, known and not */
	{ false, "{\"ts\":1,\"ts\":1,\"cpu\":0,\"pid\":0,\"op\":\"task_exit\"}" },
	{ false, "{\"ts\":1,\"cpu\":0,\"pid\":0,\"comm\":null,\"comm\":\"x\",\"op\":\"task_exit\"}" },
	{ false, "{\"ts\":1,\"cpu\":0,\"pid\":0,\"op\":\"task_exit\",\"x\":1,\"x\":1}" },
	{ false, "{\"a\":1,\"b\":1,\"c\":1,\"d\":1,\"e\":1,\"f\":1,\"g\":1,\"h\":1,\"i\":1,"
		 "\"ts\":1,\"cpu\":0,\"pid\":0,\"op\":\"task_exit\"}" },
	/* values event_parse() refuses */
	{ false, "{\"ts\":1,\"cpu\":4,\"pid\":0,\"op\":\"task_exit\"}" },
	{ false, "{\"ts\":1,\"cpu\":0,\"pid\":2147483648,\"op\":\"task_exit\"}" },
	{ false, "{\"ts\":1,\"cpu\":0,\"pid\":-1,\"op\":\"task_exit\"}" },
	{ false, "{\"ts\":1,\"cpu\":0,\"pid\":0,\"op\":\"kmap\"}" },
	{ false, "{\"ts\":1,\"cpu\":0,\"pid\":0,\"op\":\"kmap\",\"pfn\":\"0xffffffffffffffff\"}" },
	{ false, "{\"ts\":1,\"cpu\":0,\"pid\":0,\"op\":\"kmap\",\"pfn\":\"0x\"}" },
	{ false, "{\"ts\":1,\"cpu\":0,\"pid\":0,\"op\":\"kmap\",\"pfn\":\"0x00000000000000001\"}" },
	{ false, "{\"ts\":1,\"cpu\":0,\"pid\":0,\"op\":\"kmap\",\"pfn\":\"12\"}" },
	{ false, "{\"ts\":1,\"cpu\":0,\"pid\":0,\"op\":\"kmap\",\"pfn\":true}" },
	{ false, "{\"ts\":5,\"ret_ts\":4,\"cpu\":0,\"pid\":0,\"op\":\"kmap\",\"pfn\":1}" },
	{ false, "{\"ts\":1,\"cpu\":0,\"pid\":0,\"op\":\"sched_switch\"}" },
	{ false, "{\"ts\":1,\"cpu\":0,\"pid\":0,\"op\":\"migrate\"}" },
	{ false, "{\"ts\":1,\"cpu\":0,\"pid\":0,\"op\":\"migrate\",\"dest_cpu\":4}" },
	{ false, "{\"ts\":1,\"cpu\":0,\"pid\":0,\"op\":\"irq_enter\"}" },
	{ false, "{\"ts\":1,\"cpu\":0,\"pid\":0,\"op\":\"irq_exit\",\"ctx\":\"task\"}" },
	{ false, "{\"ts\":1,\"cpu\":0,\"pid\":0,\"op\":\"task_exit\",\"ctx\":\"irq\"}" },
	{ false, "{\"ts\":1,\"cpu\":0,\"pid\":0,\"op\":\"task_exit\",\"irqs_off\":1}" },
	{ false, "{\"ts\":1,\"cpu\":0,\"pid\":0,\"op\":\"kmap_what\",\"pfn\":1}" },
	{ false, "{\"ts\":1,\"cpu\":0,\"pid\":0,\"op\":null}" },
	{ false, "{\"ts\":1,\"cpu\":0,\"pid\":0}" },
	{ false, "{}" },
	/* not JSON, or not only */
	{ false, "{\"ts\":1,\"cpu\":0,\"pid\":0,\"op\":\"task_exit\"} x" },
	{ false, "{\"ts\":1,\"cpu\":0,\"pid\":0,\"op\":\"task_exit\"}{}" },
	{ false, "{\"ts\":1,\"cpu\":0,\"pid\":0,\"op\":\"task_exit\",}" },
	{ false, "{\"ts\":1,\"cpu\":0,\"pid\":0,\"op\":\"task_exit\"" },
	{ false, "{\"ts\":1,\"cpu\":0,\"pid\":0,\"op\":\"task_exit\",\"x\":tru}" },
	{ false, "{\"ts\":1,\"cpu\":0,\"pid\":0,\"op\":\"task_exit\",\"x\":truex}" },
	{ false, "{\"ts\":1 2,\"cpu\":0,\"pid\":0,\"op\":\"task_exit\"}" },
	{ false, "{\"ts\":1,\"cpu\":0,\"pid\":0,\"op\":\"task_exit\",\"comm\":\"a\tb\"}" },
	{ false, "{\"ts\":1,\"cpu\":0,\"pid\":0,\"op\":\"task_exit\",\"comm\":\"\xc3\"}" },
	{ false, "{\"ts\":1,\"cpu\":0,\"pid\":0,\"op\":\"task_exit\",\"comm\":\"\xc0\xaf\"}" },
	{ false, "{\"ts\":1,\"cpu\":0,\"pid\":0,\"op\":\"task_exit\",\"comm\":\"\xed\xa0\x80\"}" },
	{ false, "{\"ts\":1,\"cpu\":0,\"pid\":0,\"op\":\"task_exit\",\"comm\":\"\xf4\x90\x80\x80\"}" },
	{ false, "{\"ts\":1,\"cpu\":0,\"pid\":0,\"op\":\"task_exit\",\"comm\":\"\xe0\x80\xaf\"}" },
	{ false, "[1]" },
	{ false, "\"x\"" },
	{ false, "{\"ts\":1,\"cpu\":0,\"pid\":0,\"op\":\"task_exit\"}\xc2\xa0" },
};

/*
 * rt_file() after unlink(): truncating a file that still has data waiting to
 * be written makes ext4 write it out first, which costs milliseconds a file
 * on a busy disk.
 */
static const char *fresh_file(const char *name, const void *data, size_t len)
{
	unlink(rt_path(name));
	return rt_file(name, data, len);
}

/* The JSON Lines trace of @line between two good events, and the document with it. */
static void write_traces(const char *line, size_t len, const char **jsonl, const char **json)
{
	static const char doc_head[] = "{\"format\":\"hmtrace\",\"version\":1,\"meta\":{\"nr_cpus\":4},\n"
				       "\"events\":[" "{\"ts\":1,\"cpu\":0,\"pid\":1,\"op\":\"task_exit\"},\n";
	static const char doc_tail[] = ",\n{\"ts\":1,\"cpu\":0,\"pid\":1,\"op\":\"task_exit\"}]}\n";
	size_t hl = strlen(HDR) + strlen(OK_EVENT), dl = strlen(doc_head);
	char *buf = malloc(hl + len + strlen(OK_EVENT) + dl + strlen(doc_tail) + 2);

	if (!buf)
		exit(99);
	memcpy(buf, HDR OK_EVENT, hl);
	memcpy(buf + hl, line, len);
	buf[hl + len] = '\n';
	memcpy(buf + hl + len + 1, OK_EVENT, strlen(OK_EVENT));
	*jsonl = fresh_file("case.jsonl", buf, hl + len + 1 + strlen(OK_EVENT));
	memcpy(buf, doc_head, dl);
	memcpy(buf + dl, line, len);
	memcpy(buf + dl + len, doc_tail, strlen(doc_tail));
	*json = fresh_file("case.json", buf, dl + len + strlen(doc_tail));
	free(buf);
}

static int fast_takes(const char *line, size_t len)
{
	struct hm_strtab *tab = hm_strtab_new();
	struct hm_jscan *js = hm_jscan_new(tab);
	struct hm_event ev;
	size_t end;
	int rc;

	if (!tab || !js)
		exit(99);
	rc = hm_jscan_event(js, line, len, 4, true, &ev, &end);
	hm_jscan_free(js);
	hm_strtab_free(tab);
	return rc;
}

static void test_cases(void)
{
	size_t bad_path = 0, bad_agree = 0;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *line = cases[i].line, *jsonl, *json;
		size_t len = strlen(line);
		int rc = fast_takes(line, len);
		char name[64];

		if ((rc == HM_JSCAN_EVENT) != cases[i].fast) {
			tap_diag("case %zu: the fast path %s it: %s", i,
				 rc == HM_JSCAN_EVENT ? "takes" : "does not take", line);
			bad_path++;
		}
		write_traces(line, len, &jsonl, &json);
		snprintf(name, sizeof(name), "case %zu (JSON Lines)", i);
		bad_agree += !agree(jsonl, name, NULL);
		/* documents are never read ahead: no thread to compare */
		snprintf(name, sizeof(name), "case %zu (document)", i);
		bad_agree += !agree_modes(json, name, NULL, FAST);
	}
	tap_ok(bad_path == 0, "hand-made lines: the fast path takes the plain forms and only "
	       "them (%zu wrong)", bad_path);
	tap_ok(bad_agree == 0, "hand-made lines: every path agrees (%zu differ)", bad_agree);
}

/* Events of @path in mode @m, and how many of them the fast path gave. */
static uint64_t fast_count(const char *path, enum mode m, uint64_t *events)
{
	struct hm_error err = { 0 };
	struct hm_reader *r;
	struct hm_event ev;
	uint64_t fast;

	set_mode(m);
	*events = 0;
	r = hm_reader_open(path, NULL, &err);
	if (!r)
		return UINT64_MAX;
	while (hm_reader_next(r, &ev) == 1)
		(*events)++;
	fast = hm_json_fast_events(r);
	hm_reader_close(r);
	return fast;
}

/* ------------------------------------------------------ line layouts --- */

/*
 * JSON Lines whose events the fast path reads where they lie in the input's
 * buffer: blank lines, CR LF, spaces around objects, a last line without a
 * newline, a NUL after an object, and enough lines of changing length that
 * objects straddle the 1 MiB reads.
 */
static void test_layouts(void)
{
	static const char small[] =
		HDR
		"\n"
		"{\"ts\":1,\"cpu\":0,\"pid\":1,\"op\":\"task_exit\"}\r\n"
		"  {\"ts\":2,\"cpu\":0,\"pid\":1,\"op\":\"task_exit\"}  \n"
		"\t\r\n"
		"{\"ts\":3,\"cpu\":0,\"pid\":1,\"op\":\"task_exit\"} \t\r\n"
		"{\"ts\":4,\"cpu\":0,\"pid\":1,\"op\":\"task_exit\"}";
	static const char nul[] =
		HDR
		"{\"ts\":1,\"cpu\":0,\"pid\":1,\"op\":\"task_exit\"}\n"
		"{\"ts\":2,\"cpu\":0,\"pid\":1,\"op\":\"task_exit\"}\0\n"
		"{\"ts\":3,\"cpu\":0,\"pid\":1,\"op\":\"task_exit\"}\n";
	size_t cap = 3u << 20, len = 0;
	char *big = malloc(cap + 1024);
	struct rt_trace *t;
	int ok;

	if (!big)
		exit(99);
	ok = agree(rt_file("layout.jsonl", small, sizeof(small) - 1), "layout", NULL);
	t = read_as(rt_path("layout.jsonl"), THREAD, false);
	ok &= t->n == 4 && t->rc == 0 && t->ev[3].line == 7;
	rt_free(t);
	ok &= agree(rt_file("nul.jsonl", nul, sizeof(nul) - 1), "nul", NULL);
	len = (size_t)snprintf(big, cap, "%s", HDR);
	for (uint32_t i = 0; len < cap; i++)
		len += (size_t)snprintf(big + len, 1024,
					"{\"ts\":%u,\"cpu\":%u,\"pid\":%u,\"comm\":\"%.*s\","
					"\"op\":\"kmap\",\"pfn\":%u,\"ret_ts\":%u}\n", i, i % 4,
					i % 1000, (int)(i % 37),
					"abcdefghijklmnopqrstuvwxyz0123456789x",
					i * 7, i + 3);
	ok &= agree(rt_file("big.jsonl", big, len), "big", NULL);
	t = read_as(rt_path("big.jsonl"), THREAD, false);
	ok &= t->rc == 0 && t->n > 30000 && t->ev[t->n - 1].line == t->n + 1;
	rt_free(t);
	free(big);
	tap_ok(ok, "JSON Lines layouts (blank lines, CR LF, a NUL, 3 MiB of lines): every path "
	       "agrees");

	/* and the modes are what they say: jansson only, or the fast path for all */
	for (enum mode m = SLOW; m < NR_MODES; m++) {
		uint64_t n, fast = fast_count(rt_path("big.jsonl"), m, &n);

		tap_ok(n > 30000 && fast == (m == SLOW ? 0 : n),
		       "%s: %llu of %llu events from the fast path", mode_names[m],
		       (unsigned long long)fast, (unsigned long long)n);
	}
}

/* ---------------------------------------------------------- mutations --- */

static uint64_t seed = 0x243f6a8885a308d3ull;

static uint32_t rnd(uint32_t n)
{
	seed ^= seed << 13;
	seed ^= seed >> 7;
	seed ^= seed << 17;
	return (uint32_t)(seed % n);
}

static void test_mutations(void)
{
	static const char pool[] = "\"\\,:{}[] \t09-.exntfu\x80\xc3\xa9\xff\x01";
	const char *env = getenv("HM_JSONDIFF_MUTATIONS");
	long n = env ? strtol(env, NULL, 0) : 1500;
	size_t bad = 0, fast = 0;

	for (long i = 0; i < n; i++) {
		const struct line_case *base = &cases[rnd(10)];
		char line[1024], name[64];
		size_t len = strlen(base->line);
		const char *jsonl, *json;
		int edits = 1 + (int)rnd(3);

		memcpy(line, base->line, len);
		for (int k = 0; k < edits; k++) {
			uint32_t at = rnd((uint32_t)len), what = rnd(4);

			if (what == 0 && len > 1) {
				memmove(line + at, line + at + 1, len - at - 1);	/* delete */
				len--;
			} else if (what == 1 && len + 1 < sizeof(line)) {
				memmove(line + at + 1, line + at, len - at);	/* insert */
				line[at] = pool[rnd(sizeof(pool) - 1)];
				len++;
			} else {
				line[at] = pool[rnd(sizeof(pool) - 1)];		/* replace */
			}
		}
		/* a newline would make two lines of it: JSON Lines cannot say that */
		for (size_t k = 0; k < len; k++)
			if (line[k] == '\n')
				line[k] = ' ';
		fast += fast_takes(line, len) == HM_JSCAN_EVENT;
		write_traces(line, len, &jsonl, &json);
		/* a thread takes a while to get a CPU on a busy machine: one in 32 */
		snprintf(name, sizeof(name), "mutation %ld (JSON Lines)", i);
		bad += !agree_modes(jsonl, name, NULL, i % 32 ? FAST : THREAD);
		if (i % 4 == 0) {
			snprintf(name, sizeof(name), "mutation %ld (document)", i);
			bad += !agree_modes(json, name, NULL, FAST);
		}
	}
	tap_ok(bad == 0, "%ld mutated lines (%zu taken by the fast path): every path agrees "
	       "(%zu differ)", n, fast, bad);
}

int main(int argc, char **argv)
{
	test_files(argc, argv);
	test_cases();
	test_layouts();
	test_mutations();
	unsetenv("HM_JSON_SLOWPATH");
	unsetenv("HM_JSON_THREAD");
	return tap_done();
}
