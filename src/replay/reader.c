// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * reader.c - the list of trace formats, detection by content, and what every
 * format shares: event numbering, per-CPU timestamp checks, the profile a
 * trace's meta asks for.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hm_config.h"
#include "input.h"
#include "reader_priv.h"
#include "reader_util.h"

extern const struct hm_format_ops hm_format_json;
extern const struct hm_format_ops hm_format_jsonl;
extern const struct hm_format_ops hm_format_ftrace;
#if HM_HAVE_CTF
extern const struct hm_format_ops hm_format_ctf;
#endif

const struct hm_format_ops *const hm_formats[] = {
	&hm_format_json,
	&hm_format_jsonl,
	&hm_format_ftrace,
#if HM_HAVE_CTF
	&hm_format_ctf,
#endif
	NULL,
};

int hm_reader_fail(struct hm_reader *r, uint64_t line, uint64_t col, const char *fmt, ...)
{
	va_list ap;

	r->err.status = HM_EXIT_INPUT;
	r->err.where.file = r->display;
	r->err.where.line = line;
	r->err.where.col = col;
	va_start(ap, fmt);
	vsnprintf(r->err.msg, sizeof(r->err.msg), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

int hm_reader_nomem(struct hm_reader *r)
{
	hm_reader_fail(r, 0, 0, "out of memory");
	r->err.status = HM_EXIT_SYSTEM;
	return -ENOMEM;
}

void hm_event_init(struct hm_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->ret_ts = HM_NONE;
	ev->pfn = HM_NONE;
	ev->page = HM_NONE;
	ev->vaddr = HM_NONE;
	ev->next_pid = HM_PID_NONE;
}

void hm_trace_meta_init(struct hm_trace_meta *meta)
{
	memset(meta, 0, sizeof(*meta));
	meta->debug_kmap_local = -1;
	meta->highmem_start_pfn = HM_NONE;
	meta->pkmap_base = HM_NONE;
	meta->fixaddr_top = HM_NONE;
}

const char *hm_quote(char *buf, size_t size, const char *s, size_t len)
{
	size_t o = 0, chars = 0;

	for (size_t i = 0; i < len && o + 5 < size; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c & 0xc0) != 0x80 && ++chars > 48) {
			memcpy(buf + o, "...", 3);
			o += 3;
			break;
		}
		buf[o++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
	}
	buf[o] = '\0';
	return buf;
}

int hm_parse_hex(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;

	if (len < 3 || len > 18 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
		return -EINVAL;
	for (size_t i = 2; i < len; i++) {
		char c = s[i];
		unsigned int d;

		if (c >= '0' && c <= '9')
			d = (unsigned int)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned int)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (unsigned int)(c - 'A' + 10);
		else
			return -EINVAL;
		v = v << 4 | d;
	}
	*out = v;
	return 0;
}

size_t hm_profile_names(char *buf, size_t size)
{
	size_t used = 0;

	if (size)
		buf[0] = '\0';
	for (unsigned int i = 0; i < hm_profile_count(); i++) {
		const struct hm_profile *p = hm_profile_get(i);
		int n = snprintf(buf + used, size - used, "%s%s", i ? ", " : "", p->name);

		if (n < 0 || (size_t)n >= size - used)
			break;
		used += (size_t)n;
	}
	return used;
}

static const struct hm_format_ops *format_find(const char *name)
{
	for (int i = 0; hm_formats[i]; i++)
		if (strcmp(hm_formats[i]->name, name) == 0)
			return hm_formats[i];
	return NULL;
}

/* A NUL byte in the first bytes: the text formats all refuse it, say where. */
static bool find_nul(const unsigned char *buf, size_t len, uint64_t *line, uint64_t *col)
{
	const unsigned char *nul = memchr(buf, '\0', len);
	const unsigned char *bol = buf;

	if (!nul)
		return false;
	*line = 1;
	for (const unsigned char *p = buf; p < nul; p++) {
		if (*p == '\n') {
			(*line)++;
			bol = p + 1;
		}
	}
	*col = hm_text_col((const char *)bol, (size_t)(nul - bol));
	return true;
}

/* Path-based formats (CTF) see the first bytes of DIR/metadata as their probe input. */
static const struct hm_format_ops *probe_directory(const char *path)
{
	const struct hm_format_ops *best = NULL;
	unsigned char buf[4096];
	char *meta;
	ssize_t len = 0;
	int fd, best_score = 0;

	if (asprintf(&meta, "%s/metadata", path) < 0)
		return NULL;
	fd = open(meta, O_RDONLY | O_CLOEXEC);
	free(meta);
	if (fd < 0)
		return NULL;
	len = read(fd, buf, sizeof(buf));
	close(fd);
	if (len < 0)
		len = 0;
	for (int i = 0; hm_formats[i]; i++) {
		int score;

		if (!hm_formats[i]->path_based)
			continue;
		score = hm_formats[i]->probe(buf, (size_t)len);
		if (score > best_score) {
			best_score = score;
			best = hm_formats[i];
		}
	}
	return best;
}

static char *dup_or_null(const char *s, bool *fail)
{
	char *d;

	if (!s)
		return NULL;
	d = strdup(s);
	if (!d)
		*fail = true;
	return d;
}

struct hm_reader *hm_reader_open(const char *path, const struct hm_reader_opts *opts,
				 struct hm_error *err)
{
	struct hm_where where = { .file = strcmp(path, "-") == 0 ? "<stdin>" : path };
	const struct hm_format_ops *ops = NULL;
	struct hm_reader *r;
	struct stat st;
	bool is_dir = false, nomem = false;

	r = calloc(1, sizeof(*r));
	if (!r) {
		hm_error_set(err, HM_EXIT_SYSTEM, &where, "out of memory");
		return NULL;
	}
	r->path = dup_or_null(path, &nomem);
	r->display = dup_or_null(where.file, &nomem);
	if (opts) {
		r->opts.lenient = opts->lenient;
		r->opts.tsc_mhz = opts->tsc_mhz;
		r->opts.map_file = dup_or_null(opts->map_file, &nomem);
		r->opts.format = dup_or_null(opts->format, &nomem);
	}
	hm_trace_meta_init(&r->meta);
	r->strtab = hm_strtab_new();
	if (nomem || !r->strtab) {
		hm_error_set(err, HM_EXIT_SYSTEM, &where, "out of memory");
		goto fail;
	}
	where.file = r->display;

	if (r->opts.format) {
		ops = format_find(r->opts.format);
		if (!ops) {
			hm_error_set(err, HM_EXIT_USAGE, NULL,
				     "unknown trace format \"%s\" (--version lists the formats built in)",
				     r->opts.format);
			goto fail;
		}
	}

	if (strcmp(path, "-") != 0 && stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		is_dir = true;
	if (is_dir) {
		if (!ops)
			ops = probe_directory(path);
		if (!ops || !ops->path_based) {
			hm_error_set(err, HM_EXIT_INPUT, &where, "is a directory");
			goto fail;
		}
	}

	if (!ops || !ops->path_based) {
		const unsigned char *buf;
		size_t len;
		uint64_t line, col;

		r->in = hm_input_open(path, err);
		if (!r->in)
			goto fail;
		if (hm_input_peek(r->in, &buf, &len, err) < 0)
			goto fail;
		if (len == 0) {
			hm_error_set(err, HM_EXIT_INPUT, &where,
				     "empty input: expected a trace (hmtrace JSON, JSON Lines, ftrace text)");
			goto fail;
		}
		if (find_nul(buf, len, &line, &col)) {
			where.line = line;
			where.col = col;
			hm_error_set(err, HM_EXIT_INPUT, &where, "unexpected NUL byte (binary data?)");
			goto fail;
		}
		if (!ops) {
			int best = 0;

			for (int i = 0; hm_formats[i]; i++) {
				int score;

				if (hm_formats[i]->path_based)
					continue;
				score = hm_formats[i]->probe(buf, len);
				if (score > best) {
					best = score;
					ops = hm_formats[i];
				}
			}
		}
		if (!ops) {
			hm_error_set(err, HM_EXIT_INPUT, &where,
				     "unrecognised trace format: expected hmtrace JSON, JSON Lines or ftrace text");
			goto fail;
		}
	}

	r->ops = ops;
	if (ops->open(r) < 0) {
		*err = r->err;
		goto fail;
	}
	return r;
fail:
	/* the reader's copies of the names go with it: point at the caller's */
	if (err->where.file && (err->where.file == r->display ||
				(r->in && err->where.file == hm_input_display(r->in))))
		err->where.file = strcmp(path, "-") == 0 ? "<stdin>" : path;
	else if (err->where.file && err->where.file == r->opts.map_file)
		err->where.file = opts->map_file;
	hm_reader_close(r);
	return NULL;
}

/* Remember the last timestamp of each CPU; count the ones that go backwards. */
static int check_ts(struct hm_reader *r, const struct hm_event *ev)
{
	if (ev->cpu >= r->nr_last_ts) {
		uint32_t n = r->nr_last_ts ? r->nr_last_ts : 8;
		uint64_t *p;

		while (n <= ev->cpu)
			n *= 2;
		p = realloc(r->last_ts, n * sizeof(*p));
		if (!p)
			return hm_reader_nomem(r);
		memset(p + r->nr_last_ts, 0, (n - r->nr_last_ts) * sizeof(*p));
		r->last_ts = p;
		r->nr_last_ts = n;
	}
	if (ev->ts < r->last_ts[ev->cpu])
		r->backwards++;
	else
		r->last_ts[ev->cpu] = ev->ts;
	return 0;
}

int hm_reader_next(struct hm_reader *r, struct hm_event *ev)
{
	uint32_t limit = r->meta.nr_cpus ? r->meta.nr_cpus : HM_MAX_CPUS;
	int rc;

	if (r->err.msg[0])
		return -EINVAL;
	hm_event_init(ev);
	rc = r->ops->next(r, ev);
	if (rc < 0) {
		if (!r->err.msg[0])
			hm_reader_fail(r, 0, 0, "cannot read the trace (%s)", strerror(-rc));
		return rc;
	}
	if (rc == 0)
		return 0;
	/* formats check this with a column; this is the backstop */
	if (ev->cpu >= limit || (ev->op == HM_OP_MIGRATE && ev->dest_cpu >= limit))
		return hm_reader_fail(r, ev->line, 0, "event %llu: CPU %u is not below the CPU count %u",
				      (unsigned long long)r->next_index,
				      ev->cpu >= limit ? ev->cpu : ev->dest_cpu, limit);
	/* the trace format's range (JSON integers): --convert must write what it read */
	if (ev->ts > INT64_MAX || (ev->ret_ts != HM_NONE && ev->ret_ts > INT64_MAX))
		return hm_reader_fail(r, ev->line, 0,
				      "event %llu: time %llu ns is beyond the trace format's range (2^63 - 1 ns)",
				      (unsigned long long)r->next_index,
				      (unsigned long long)(ev->ts > INT64_MAX ? ev->ts :
							   ev->ret_ts));
	/*
	 * What every format promises of an op (man hm-trace 5), as fmt-json.c
	 * checks it: the map and unmap calls (enum hm_op starts with them) name
	 * a page or an address.
	 */
	if (ev->pfn == HM_NONE && ev->page == HM_NONE && ev->vaddr == HM_NONE &&
	    (ev->op <= HM_OP_KUNMAP_LOCAL || ev->op == HM_OP_KMAP_HIGH_GET))
		return hm_reader_fail(r, ev->line, 0,
				      "event %llu: op \"%s\" needs \"vaddr\", \"pfn\" or \"page\"",
				      (unsigned long long)r->next_index, hm_op_name(ev->op));
	if ((ev->op == HM_OP_SCHED_SWITCH || ev->op == HM_OP_FORK) && ev->next_pid == HM_PID_NONE)
		return hm_reader_fail(r, ev->line, 0, "event %llu: op \"%s\" needs \"next_pid\"",
				      (unsigned long long)r->next_index, hm_op_name(ev->op));
	if ((ev->op == HM_OP_IRQ_ENTER || ev->op == HM_OP_IRQ_EXIT) && ev->ctx == HM_CTX_TASK)
		return hm_reader_fail(r, ev->line, 0,
				      "event %llu: op \"%s\" needs \"ctx\": \"hardirq\", \"softirq\" or \"nmi\"",
				      (unsigned long long)r->next_index, hm_op_name(ev->op));
	/* pids are 0 .. 2^31 - 1 (the model keys idle tasks with negative numbers) */
	if (ev->pid < 0 || (ev->next_pid < 0 && ev->next_pid != HM_PID_NONE))
		return hm_reader_fail(r, ev->line, 0,
				      "event %llu: pid %d is not a task id (0 to 2147483647)",
				      (unsigned long long)r->next_index,
				      ev->pid < 0 ? ev->pid : ev->next_pid);
	/* a return before its call: time went backwards on that CPU, the latency is unknown */
	if (ev->ret_ts != HM_NONE && ev->ret_ts < ev->ts) {
		ev->ret_ts = HM_NONE;
		r->backwards++;
	}
	ev->index = r->next_index++;
	rc = check_ts(r, ev);
	return rc < 0 ? rc : 1;
}

const struct hm_trace_meta *hm_reader_meta(const struct hm_reader *r)
{
	return &r->meta;
}

struct hm_strtab *hm_reader_strtab(const struct hm_reader *r)
{
	return r->strtab;
}

const struct hm_error *hm_reader_error(const struct hm_reader *r)
{
	return &r->err;
}

const char *hm_reader_format(const struct hm_reader *r)
{
	return r->ops ? r->ops->name : "";
}

uint64_t hm_reader_backwards(const struct hm_reader *r)
{
	return r->backwards;
}

uint64_t hm_reader_skipped(const struct hm_reader *r)
{
	return r->skipped;
}

void hm_reader_close(struct hm_reader *r)
{
	if (!r)
		return;
	if (r->ops && r->ops->close)
		r->ops->close(r);
	hm_input_close(r->in);
	hm_strtab_free(r->strtab);
	free(r->last_ts);
	free((char *)r->opts.map_file);
	free((char *)r->opts.format);
	free((char *)r->path);
	free((char *)r->display);
	free(r);
}

int hm_profile_from_meta(const struct hm_trace_meta *meta, struct hm_profile *out,
			 struct hm_error *err)
{
	const char *arch = meta->arch[0] ? meta->arch : "x86-32-pae";
	const struct hm_profile *p = hm_profile_find(arch);
	const char *why = NULL;
	char names[512];

	if (!p) {
		hm_profile_names(names, sizeof(names));
		return hm_error_set(err, HM_EXIT_INPUT, NULL,
				    "meta: unknown \"arch\" \"%s\" (known: %s)", arch, names);
	}
	*out = *p;
	if (meta->nr_cpus)
		out->nr_cpus = meta->nr_cpus;
	if (meta->last_pkmap)
		out->last_pkmap = meta->last_pkmap;
	if (meta->km_max_idx) {
		if (meta->km_max_idx != 16 && meta->km_max_idx != 33)
			return hm_error_set(err, HM_EXIT_INPUT, NULL,
					    "meta: \"km_max_idx\" must be 16 or 33, not %u",
					    meta->km_max_idx);
		out->debug_kmap_local = meta->km_max_idx == 33;
	}
	if (meta->debug_kmap_local >= 0) {
		if (meta->km_max_idx && out->debug_kmap_local != (meta->debug_kmap_local == 1))
			return hm_error_set(err, HM_EXIT_INPUT, NULL,
					    "meta: \"km_max_idx\" %u contradicts \"debug_kmap_local\" %s",
					    meta->km_max_idx,
					    meta->debug_kmap_local ? "true" : "false");
		out->debug_kmap_local = meta->debug_kmap_local == 1;
	}
	if (meta->highmem_start_pfn != HM_NONE)
		out->highmem_start_pfn = meta->highmem_start_pfn;
	if (meta->pkmap_base != HM_NONE)
		out->pkmap_base = meta->pkmap_base;
	if (meta->fixaddr_top != HM_NONE)
		out->fixaddr_top = meta->fixaddr_top;
	if (hm_profile_check(out, &why) < 0)
		return hm_error_set(err, HM_EXIT_INPUT, NULL,
				    "meta: profile \"%s\" with the trace's settings is not usable: %s",
				    out->name, why ? why : "invalid");
	return 0;
}
