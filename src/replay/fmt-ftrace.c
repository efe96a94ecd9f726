// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fmt-ftrace.c - ftrace text as tracefs prints it (`trace`, `trace_pipe`),
 * and the same lines from `trace-cmd report` and `perf script`:
 *
 *	TASK-PID [CPU] FLAGS TIMESTAMP: EVENT: FIELDS
 *
 * Which event is which op is data (ftrace-map.c).  A kprobe entry whose op
 * also has a kretprobe mapped (kmap_high, __kmap_local_pfn_prot) is held
 * until its return arrives and delivered as one event: ts of the entry,
 * ret_ts, vaddr and call site of the return.  Returns pair with entries per
 * task (per CPU for the idle task, pid 0) in LIFO order, as kretprobes
 * return; an event waiting for its return holds back the events after it,
 * so events still come out in entry order.  The hold-back is bounded: past
 * HM_FTRACE_HOLD_MAX waiting events, or when the task exits, or at the end
 * of the trace, the entry goes out without a return.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ftrace-map.h"
#include "input.h"
#include "reader_priv.h"
#include "reader_util.h"

/* Events held back waiting for a return, at most (HMTRACE_FTRACE_HOLD overrides, for tests). */
#define HM_FTRACE_HOLD_MAX (1u << 20)

struct ft_slot {
	struct hm_event ev;
	bool pending;		/* an entry waiting for its return */
};

/* Entries waiting for their return, per (task, op), innermost last. */
struct ft_stack {
	int64_t task;		/* pid, or -(cpu + 1) for pid 0 */
	int op;			/* -1: hash slot unused */
	uint32_t n, cap;
	uint64_t *seq;
	uint8_t *ctx;
};

struct ftrace_priv {
	struct hm_fmap map;

	struct ft_slot *ring;	/* events in trace order: seq in [head, tail) */
	uint64_t ring_cap;	/* power of two */
	uint64_t head, tail;
	uint64_t hold_max;

	struct ft_stack *stacks;	/* open addressing */
	size_t nstacks, stack_cap;

	bool eof;
	bool cpus_from_header;
	uint64_t tsc_khz;	/* integer timestamps are cycles at this rate; 0: ns */

	/* what the pairing did, for tests and --verbose */
	uint64_t paired;	/* entry + return delivered as one event */
	uint64_t unmatched;	/* returns whose entry predates the capture */
	uint64_t abandoned;	/* entries whose return never came (task exit, lost) */
	uint64_t forced;	/* entries sent on without a return: hold-back limit */
	uint64_t late;		/* returns of entries already sent on: dropped */
	uint64_t open_at_end;	/* entries still waiting when the trace ended */
};

struct ft_head {
	size_t comm_off, comm_len;
	int64_t pid;
	uint32_t cpu;
	size_t cpu_off;
	size_t flags_off, flags_len;	/* flags_len 0: no flags column */
	uint64_t ts;
	bool ts_int;			/* a bare integer: a counter, not seconds */
	size_t name_off, name_len;
	size_t body_off;
};

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_sp(char c)
{
	return c == ' ' || c == '\t';
}

static bool parse_dec(const char *s, size_t len, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (!len || len > 20)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (!is_digit(s[i]))
			return false;
		if (v > (max - (uint64_t)(s[i] - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return true;
}

/* A field's number: 0x hex or decimal, as kprobe fetch types print them. */
static bool parse_num(const char *s, size_t len, uint64_t max, uint64_t *out)
{
	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		return hm_parse_hex(s, len, out) == 0 && *out <= max;
	return parse_dec(s, len, max, out);
}

/* "SECONDS.FRACTION" (up to 9 digits) or a bare counter -> ns. */
static bool parse_ts(const char *s, size_t len, uint64_t *ns)
{
	const char *dot = memchr(s, '.', len);
	size_t ilen = dot ? (size_t)(dot - s) : len;
	size_t flen = dot ? len - ilen - 1 : 0;
	uint64_t sec, frac = 0;

	if (!dot)
		return parse_dec(s, len, INT64_MAX, ns);
	if (!parse_dec(s, ilen, 9000000000ull, &sec))
		return false;
	if (flen < 1 || flen > 9 || !parse_dec(dot + 1, flen, 999999999, &frac))
		return false;
	for (size_t i = flen; i < 9; i++)
		frac *= 10;
	*ns = sec * 1000000000ull + frac;
	return true;
}

/* Length of a "TIMESTAMP:" token at @s, or 0; *is_int when it has no '.'. */
static size_t ts_token(const char *s, size_t len, uint64_t *ns, bool *is_int)
{
	size_t i = 0;

	while (i < len && (is_digit(s[i]) || s[i] == '.'))
		i++;
	if (i == 0 || i >= len || s[i] != ':' || !parse_ts(s, i, ns))
		return 0;
	*is_int = !memchr(s, '.', i);
	return i + 1;
}

/*
 * Cut the fixed part of an event line.  The task name may hold spaces and
 * dashes: the PID is the number after the last '-' before " [CPU]".
 * Returns 0, or -1 with *eoff and *why saying what is wrong where.
 */
static int head_parse(const char *s, size_t len, struct ft_head *h, size_t *eoff,
		      const char **why)
{
	size_t i = 0, start, b, j, k;

	memset(h, 0, sizeof(*h));
	while (i < len && is_sp(s[i]))
		i++;
	start = i;
	for (b = start; b < len; b++) {
		size_t d, e, p;
		uint64_t v;

		if (s[b] != '[')
			continue;
		for (d = b + 1; d < len && is_digit(s[d]); d++)
			;
		if (d == b + 1 || d >= len || s[d] != ']' || (d + 1 < len && !is_sp(s[d + 1])))
			continue;
		e = b;
		while (e > start && is_sp(s[e - 1]))
			e--;
		if (e > start && s[e - 1] == ')') {
			/* "(TGID)" column of options/record-tgid */
			p = e - 1;
			while (p > start && s[p] != '(')
				p--;
			if (s[p] != '(')
				continue;
			e = p;
			while (e > start && is_sp(s[e - 1]))
				e--;
		}
		p = e;
		while (p > start && is_digit(s[p - 1]))
			p--;
		if (p == e || !parse_dec(s + p, e - p, INT32_MAX, &v))
			continue;
		h->pid = (int64_t)v;
		h->comm_off = start;
		if (p > start && s[p - 1] == '-') {
			h->comm_len = p - 1 - start;
		} else if (p > start && s[p - 1] == '/') {
			/* perf script "COMM PID/TID": the TID is the kernel's pid */
			size_t q = p - 1;

			while (q > start && is_digit(s[q - 1]))
				q--;
			if (q == p - 1 || (q > start && !is_sp(s[q - 1])))
				continue;
			while (q > start && is_sp(s[q - 1]))
				q--;
			h->comm_len = q - start;
		} else if (p == start || is_sp(s[p - 1])) {
			/* perf script "COMM PID" */
			size_t q = p;

			while (q > start && is_sp(s[q - 1]))
				q--;
			h->comm_len = q - start;
		} else {
			continue;
		}
		if (!parse_dec(s + b + 1, d - b - 1, UINT32_MAX, &v)) {
			*eoff = b + 1;
			*why = "CPU number out of range";
			return -1;
		}
		h->cpu = (uint32_t)v;
		h->cpu_off = b + 1;
		j = d + 1;
		goto found;
	}
	*eoff = start;
	*why = "expected an event line: TASK-PID [CPU] FLAGS TIMESTAMP: EVENT: FIELDS";
	return -1;

found:
	while (j < len && is_sp(s[j]))
		j++;
	k = ts_token(s + j, len - j, &h->ts, &h->ts_int);
	if (!k) {
		/* a flags column first */
		h->flags_off = j;
		while (j < len && !is_sp(s[j]))
			j++;
		h->flags_len = j - h->flags_off;
		while (j < len && is_sp(s[j]))
			j++;
		k = ts_token(s + j, len - j, &h->ts, &h->ts_int);
		if (!k) {
			*eoff = j;
			*why = "expected a timestamp like \"123.456789:\"";
			return -1;
		}
		if (h->flags_len < 4) {
			*eoff = h->flags_off;
			*why = "expected a flags column like \"d.h1.\" before the timestamp";
			return -1;
		}
	}
	j += k;
	while (j < len && is_sp(s[j]))
		j++;
	h->name_off = j;
	/* the name ends at ": " (perf's "group:name:" keeps its inner colon) */
	while (j < len && !is_sp(s[j]) && !(s[j] == ':' && (j + 1 == len || is_sp(s[j + 1]))))
		j++;
	h->name_len = j - h->name_off;
	if (!h->name_len) {
		*eoff = j;
		*why = "expected an event name after the timestamp";
		return -1;
	}
	if (j < len && s[j] == ':')
		j++;
	while (j < len && is_sp(s[j]))
		j++;
	h->body_off = j;
	return 0;
}

/*
 * Find "NAME=" in the fields; the value runs to the next " WORD=" so that
 * task names with spaces ("prev_comm=Web Content") come out whole.
 */
static bool find_field(const char *s, size_t len, const char *name, size_t nlen, size_t *voff,
		       size_t *vlen)
{
	for (size_t i = 0; i + nlen < len; i++) {
		size_t v, k;

		if ((i > 0 && !is_sp(s[i - 1])) || s[i + nlen] != '=' ||
		    memcmp(s + i, name, nlen) != 0)
			continue;
		v = i + nlen + 1;
		for (k = v; k < len; k++) {
			size_t m = k + 1;

			if (!is_sp(s[k]))
				continue;
			while (m < len && (is_digit(s[m]) || s[m] == '_' ||
					   (s[m] >= 'a' && s[m] <= 'z') ||
					   (s[m] >= 'A' && s[m] <= 'Z')))
				m++;
			if (m > k + 1 && m < len && s[m] == '=')
				break;
		}
		while (k > v && is_sp(s[k - 1]))
			k--;
		*voff = v;
		*vlen = k - v;
		return true;
	}
	return false;
}

/* Length of a valid UTF-8 sequence at @s, or 0. */
static size_t utf8_len(const unsigned char *s, size_t len)
{
	size_t n;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (n > len)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return n;
}

/* Intern a name from the trace; bytes that are not UTF-8 become '?' so JSON can carry it. */
static int intern(struct hm_reader *r, const char *s, size_t len, uint32_t *id)
{
	char buf[256];
	size_t i = 0, o = 0;

	if (len > sizeof(buf))
		len = sizeof(buf);
	while (i < len) {
		size_t n = utf8_len((const unsigned char *)s + i, len - i);

		if (n == 0 || (unsigned char)s[i] < 0x20) {
			buf[o++] = '?';
			i++;
			continue;
		}
		memcpy(buf + o, s + i, n);
		o += n;
		i += n;
	}
	*id = hm_strtab_intern(r->strtab, buf, o);
	return *id == UINT32_MAX ? hm_reader_nomem(r) : 0;
}

/* ------------------------------------------------------ pairing machinery --- */

static struct ft_slot *slot_at(struct ftrace_priv *st, uint64_t seq)
{
	return &st->ring[seq & (st->ring_cap - 1)];
}

static int ring_push(struct hm_reader *r, struct ftrace_priv *st, const struct hm_event *ev,
		     bool pending, uint64_t *seq)
{
	struct ft_slot *sl;

	if (st->tail - st->head == st->ring_cap) {
		uint64_t ncap = st->ring_cap ? st->ring_cap * 2 : 1024;
		struct ft_slot *nr = malloc(ncap * sizeof(*nr));

		if (!nr)
			return hm_reader_nomem(r);
		for (uint64_t q = st->head; q < st->tail; q++)
			nr[q & (ncap - 1)] = *slot_at(st, q);
		free(st->ring);
		st->ring = nr;
		st->ring_cap = ncap;
	}
	sl = slot_at(st, st->tail);
	sl->ev = *ev;
	sl->pending = pending;
	if (seq)
		*seq = st->tail;
	st->tail++;
	return 0;
}

static size_t stack_hash(int64_t task, int op, size_t cap)
{
	uint64_t h = (uint64_t)task * 0x9e3779b97f4a7c15ull;

	h ^= (uint64_t)op * 0xc2b2ae3d27d4eb4full;

	return (size_t)(h >> 32) & (cap - 1);
}

static struct ft_stack *stack_get(struct hm_reader *r, struct ftrace_priv *st, int64_t task,
				  int op, bool create)
{
	size_t i;

	if (create && (st->nstacks + 1) * 2 > st->stack_cap) {
		size_t ncap = st->stack_cap ? st->stack_cap * 2 : 64;
		struct ft_stack *ns = calloc(ncap, sizeof(*ns));

		if (!ns) {
			hm_reader_nomem(r);
			return NULL;
		}
		for (i = 0; i < ncap; i++)
			ns[i].op = -1;
		for (size_t k = 0; k < st->stack_cap; k++) {
			if (st->stacks[k].op < 0)
				continue;
			i = stack_hash(st->stacks[k].task, st->stacks[k].op, ncap);
			while (ns[i].op >= 0)
				i = (i + 1) & (ncap - 1);
			ns[i] = st->stacks[k];
		}
		free(st->stacks);
		st->stacks = ns;
		st->stack_cap = ncap;
	}
	if (!st->stack_cap)
		return NULL;
	i = stack_hash(task, op, st->stack_cap);
	while (st->stacks[i].op >= 0) {
		if (st->stacks[i].task == task && st->stacks[i].op == op)
			return &st->stacks[i];
		i = (i + 1) & (st->stack_cap - 1);
	}
	if (!create)
		return NULL;
	memset(&st->stacks[i], 0, sizeof(st->stacks[i]));
	st->stacks[i].task = task;
	st->stacks[i].op = op;
	st->nstacks++;
	return &st->stacks[i];
}

static int stack_push(struct hm_reader *r, struct ft_stack *s, uint64_t seq, uint8_t ctx)
{
	if (s->n == s->cap) {
		uint32_t ncap = s->cap ? s->cap * 2 : 4;
		uint64_t *nseq = realloc(s->seq, ncap * sizeof(*nseq));
		uint8_t *nctx;

		if (!nseq)
			return hm_reader_nomem(r);
		s->seq = nseq;
		nctx = realloc(s->ctx, ncap);
		if (!nctx)
			return hm_reader_nomem(r);
		s->ctx = nctx;
		s->cap = ncap;
	}
	s->seq[s->n] = seq;
	s->ctx[s->n] = ctx;
	s->n++;
	return 0;
}

/* The entry @seq will get no return: let it go out as it is. */
static void entry_abandon(struct ftrace_priv *st, uint64_t seq)
{
	if (seq >= st->head && seq < st->tail && slot_at(st, seq)->pending) {
		slot_at(st, seq)->pending = false;
		st->abandoned++;
	}
}

static int64_t task_key(const struct hm_event *ev)
{
	return ev->pid ? ev->pid : -(int64_t)ev->cpu - 1;
}

static int entry_add(struct hm_reader *r, struct ftrace_priv *st, const struct hm_event *ev)
{
	struct ft_stack *s;
	uint64_t seq;
	int rc;

	rc = ring_push(r, st, ev, true, &seq);
	if (rc < 0)
		return rc;
	s = stack_get(r, st, task_key(ev), ev->op, true);
	if (!s)
		return -ENOMEM;
	return stack_push(r, s, seq, ev->ctx);
}

/*
 * A return: pair it with the innermost waiting entry of the same task, op
 * and context.  Entries of a more deeply nested context (an interrupt that
 * must have finished by now) lost their return and go out without one.
 */
static int return_add(struct hm_reader *r, struct ftrace_priv *st, const struct hm_event *ret)
{
	struct ft_stack *s = stack_get(r, st, task_key(ret), ret->op, false);
	struct hm_event ev;

	if (s) {
		while (s->n && s->ctx[s->n - 1] > ret->ctx)
			entry_abandon(st, s->seq[--s->n]);
		if (s->n && s->ctx[s->n - 1] == ret->ctx) {
			uint64_t seq = s->seq[--s->n];
			struct ft_slot *sl = slot_at(st, seq);

			if (seq >= st->head && seq < st->tail && sl->pending) {
				sl->ev.ret_ts = ret->ts;
				sl->ev.vaddr = ret->vaddr;
				sl->ev.site = ret->site;
				sl->pending = false;
				st->paired++;
			} else {
				st->late++;
			}
			return 0;
		}
	}
	/* the capture began inside the call: an event at the return */
	ev = *ret;
	ev.ret_ts = HM_NONE;
	st->unmatched++;
	return ring_push(r, st, &ev, false, NULL);
}

static void task_gone(struct ftrace_priv *st, const struct hm_event *ev)
{
	for (int op = 0; op < HM_OP__COUNT; op++) {
		struct ft_stack *s;

		if (!st->map.has_return[op])
			continue;
		s = stack_get(NULL, st, task_key(ev), op, false);
		while (s && s->n)
			entry_abandon(st, s->seq[--s->n]);
	}
}

/* ------------------------------------------------------------------ lines --- */

static bool starts(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && memcmp(s, prefix, n) == 0;
}

/* @needle in @s[0..len), or NULL (memmem() without its nonnull trouble on empty lines). */
static const char *find_str(const char *s, size_t len, const char *needle)
{
	size_t n = strlen(needle);

	for (size_t i = 0; i + n <= len; i++)
		if (s[i] == needle[0] && memcmp(s + i, needle, n) == 0)
			return s + i;
	return NULL;
}

/* "2599.993" -> 2599993 (kHz); false if not a positive decimal. */
static bool parse_mhz(const char *s, size_t len, uint64_t *khz)
{
	const char *dot = memchr(s, '.', len);
	size_t ilen = dot ? (size_t)(dot - s) : len, flen = dot ? len - ilen - 1 : 0;
	uint64_t mhz, frac = 0;

	if (!parse_dec(s, ilen, 1000000, &mhz) || flen > 3 ||
	    (flen && !parse_dec(dot + 1, flen, 999, &frac)))
		return false;
	for (size_t i = flen; i < 3; i++)
		frac *= 10;
	*khz = mhz * 1000 + frac;
	return *khz > 0;
}

/*
 * "# hmtrace: KEY=VALUE ..." lines: what the recorder knew that tracefs does
 * not print (man hm-trace 5).  Unknown keys are ignored.
 */
static int hmtrace_line(struct hm_reader *r, struct ftrace_priv *st, const char *s, size_t len,
			uint64_t lineno, size_t base)
{
	static const char *const keys[] = { "arch", "nr_cpus", "last_pkmap", "km_max_idx",
					    "debug_kmap_local", "highmem_start_pfn", "pkmap_base",
					    "fixaddr_top", "lost_events", "source", "kernel",
					    "clock", "tsc_mhz" };
	struct hm_trace_meta *m = &r->meta;
	char q[64];

	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		size_t voff, vlen;
		uint64_t v = 0;
		const char *val;
		bool num;

		if (!find_field(s, len, keys[k], strlen(keys[k]), &voff, &vlen))
			continue;
		val = s + voff;
		num = parse_num(val, vlen, HM_NONE - 1, &v);
		switch (k) {
		case 0:
			hm_quote(q, sizeof(q), val, vlen);
			if (vlen >= sizeof(m->arch) || !hm_profile_find(q)) {
				char names[400];

				hm_profile_names(names, sizeof(names));
				return hm_reader_fail(r, lineno, hm_text_col(s, voff) + base,
						      "unknown \"arch\" \"%s\" (known: %s)", q, names);
			}
			memcpy(m->arch, val, vlen);
			m->arch[vlen] = '\0';
			continue;
		case 1:
			if (!num || v < 1 || v > HM_MAX_CPUS)
				break;
			/* events already out were checked against no count: keep none */
			if (r->next_index)
				continue;
			m->nr_cpus = (uint32_t)v;
			st->cpus_from_header = true;
			continue;
		case 2:
			if (!num || v < 1 || v > (1u << 20))
				break;
			m->last_pkmap = (uint32_t)v;
			continue;
		case 3:
			if (!num || (v != 16 && v != 33))
				break;
			m->km_max_idx = (uint32_t)v;
			continue;
		case 4:
			if (vlen == 4 && !memcmp(val, "true", 4))
				m->debug_kmap_local = 1;
			else if (vlen == 5 && !memcmp(val, "false", 5))
				m->debug_kmap_local = 0;
			else
				break;
			continue;
		case 5:
		case 6:
		case 7:
		case 8:
			if (!num)
				break;
			if (k == 5)
				m->highmem_start_pfn = v;
			else if (k == 6)
				m->pkmap_base = v;
			else if (k == 7)
				m->fixaddr_top = v;
			else
				m->lost_events += v;
			continue;
		case 9:
			snprintf(m->source, sizeof(m->source), "%.*s", (int)vlen, val);
			continue;
		case 10:
			snprintf(m->kernel, sizeof(m->kernel), "%.*s", (int)vlen, val);
			continue;
		case 11:
			snprintf(m->clock, sizeof(m->clock), "%.*s", (int)vlen, val);
			continue;
		default:
			if (!parse_mhz(val, vlen, &v))
				return hm_reader_fail(r, lineno, hm_text_col(s, voff) + base,
						      "\"tsc_mhz\" must be a rate in MHz like 2599.993");
			if (!st->tsc_khz)
				st->tsc_khz = v;
			continue;
		}
		return hm_reader_fail(r, lineno, hm_text_col(s, voff) + base,
				      "\"%s\" has a bad value \"%s\" (see hm-trace(5))", keys[k],
				      hm_quote(q, sizeof(q), val, vlen));
	}
	return 0;
}

/* The "#" header of tracefs' trace file: CPU count and overwritten events. */
static int header_line(struct hm_reader *r, struct ftrace_priv *st, const char *s, size_t len,
		       uint64_t lineno)
{
	const char *p = find_str(s, len, "#P:");
	const char *q = find_str(s, len, "entries-in-buffer/entries-written:");
	uint64_t v, a, b;

	if (starts(s, len, "# hmtrace:"))
		return hmtrace_line(r, st, s + 10, len - 10, lineno, 10);
	if (p) {
		size_t off = (size_t)(p - s) + 3, e = off;

		while (e < len && is_digit(s[e]))
			e++;
		if (!parse_dec(s + off, e - off, HM_MAX_CPUS, &v) || v == 0)
			return hm_reader_fail(r, lineno, hm_text_col(s, off),
					      "\"#P:\" must give a CPU count from 1 to %u", HM_MAX_CPUS);
		if (!r->meta.nr_cpus && !r->next_index) {
			r->meta.nr_cpus = (uint32_t)v;
			st->cpus_from_header = true;
		}
	}
	if (q) {
		size_t off = (size_t)(q - s) + 34, e;

		while (off < len && is_sp(s[off]))
			off++;
		for (e = off; e < len && is_digit(s[e]); e++)
			;
		if (parse_dec(s + off, e - off, INT64_MAX, &a) && e < len && s[e] == '/') {
			size_t f = e + 1;

			for (e = f; e < len && is_digit(s[e]); e++)
				;
			/* the ring buffer overwrote what does not fit */
			if (parse_dec(s + f, e - f, INT64_MAX, &b) && b > a)
				r->meta.lost_events += b - a;
		}
	}
	return 0;
}

/* Lines that are not events: 1 if @s is one (handled), 0 if not, negative on error. */
static int other_line(struct hm_reader *r, struct ftrace_priv *st, const char *s, size_t len,
		      uint64_t lineno)
{
	size_t i = 0;
	uint64_t v;

	while (i < len && is_sp(s[i]))
		i++;
	s += i;
	len -= i;
	if (len == 0)
		return 1;
	if (s[0] == '#') {
		int rc = header_line(r, st, s, len, lineno);

		return rc < 0 ? rc : 1;
	}
	/* trace_pipe/trace: "CPU:1 [LOST 123 EVENTS]" */
	if (starts(s, len, "CPU:") && find_str(s, len, "[LOST ")) {
		const char *p = find_str(s, len, "[LOST ") + 6;
		size_t n = (size_t)(s + len - p), e = 0;

		while (e < n && is_digit(p[e]))
			e++;
		if (parse_dec(p, e, INT64_MAX, &v))
			r->meta.lost_events += v;
		return 1;
	}
	/* trace-cmd report's preamble */
	if (starts(s, len, "cpus=")) {
		if (!parse_dec(s + 5, len - 5, HM_MAX_CPUS, &v) || v == 0)
			return hm_reader_fail(r, lineno, i + 6,
					      "\"cpus=\" must give a CPU count from 1 to %u", HM_MAX_CPUS);
		if (!r->meta.nr_cpus && !r->next_index) {
			r->meta.nr_cpus = (uint32_t)v;
			st->cpus_from_header = true;
		}
		return 1;
	}
	if (starts(s, len, "version = ") ||
	    (starts(s, len, "CPU ") && find_str(s, len, " is empty")))
		return 1;
	return 0;
}

/* The flags column: irqs-off, need-resched, hardirq/softirq, preempt-depth[, migrate-disable]. */
static void flags_apply(struct hm_event *ev, const char *f, size_t len)
{
	char hs = f[2], pd = f[3];

	ev->flags |= HM_EVF_CTX_KNOWN;
	if (f[0] == 'd' || f[0] == 'D')
		ev->flags |= HM_EVF_IRQS_OFF;
	if (hs == 'h' || hs == 'H')
		ev->ctx = HM_CTX_HARDIRQ;
	else if (hs == 's')
		ev->ctx = HM_CTX_SOFTIRQ;
	else if (hs == 'z' || hs == 'Z')
		ev->ctx = HM_CTX_NMI;
	if ((pd >= '1' && pd <= '9') || (pd >= 'a' && pd <= 'f'))
		ev->flags |= HM_EVF_PREEMPT_OFF;
	(void)len;
}

static int event_line(struct hm_reader *r, struct ftrace_priv *st, const char *s, size_t len,
		      uint64_t lineno)
{
	uint32_t limit = r->meta.nr_cpus ? r->meta.nr_cpus : HM_MAX_CPUS;
	const struct hm_fmap_entry *e;
	struct ft_head h;
	struct hm_event ev;
	const char *why, *body;
	char q[64], name[64];
	size_t eoff, blen;
	int rc;

	if (head_parse(s, len, &h, &eoff, &why) < 0)
		return hm_reader_fail(r, lineno, hm_text_col(s, eoff), "%s", why);
	if (h.cpu >= limit)
		return hm_reader_fail(r, lineno, hm_text_col(s, h.cpu_off),
				      "CPU %u is not below the CPU count %u%s", h.cpu, limit,
				      st->cpus_from_header ? " of the header" : "");
	e = hm_fmap_find(&st->map, s + h.name_off, h.name_len);
	if (!e) {
		r->skipped++;
		return 0;
	}
	if (e->op == HM_FMAP_IGNORE)
		return 0;
	hm_quote(name, sizeof(name), e->event, e->event_len);

	hm_event_init(&ev);
	ev.ts = h.ts;
	if (h.ts_int && st->tsc_khz) {
		/* TSC cycles -> ns */
		ev.ts = (uint64_t)((unsigned __int128)h.ts * 1000000u / st->tsc_khz);
		if (!r->meta.clock[0])
			snprintf(r->meta.clock, sizeof(r->meta.clock), "x86-tsc");
	} else if (h.ts_int && !r->meta.clock[0]) {
		/* a counter of unknown rate: kept as it is, and said so */
		snprintf(r->meta.clock, sizeof(r->meta.clock), "cycles");
	}
	ev.cpu = h.cpu;
	ev.pid = (int32_t)h.pid;
	ev.op = (uint16_t)e->op;
	ev.line = lineno;
	if (h.comm_len && !(h.comm_len == 5 && memcmp(s + h.comm_off, "<...>", 5) == 0)) {
		rc = intern(r, s + h.comm_off, h.comm_len, &ev.comm);
		if (rc < 0)
			return rc;
	}
	if (h.flags_len)
		flags_apply(&ev, s + h.flags_off, h.flags_len);
	if (e->ctx >= 0)
		ev.ctx = (uint8_t)e->ctx;

	body = s + h.body_off;
	blen = len - h.body_off;
	if (blen && body[0] == '(') {
		/* kprobe "(sym+0x0/0x260)", kretprobe "(caller+off/size [mod] <- func)" */
		const char *close = NULL;

		for (size_t k = 1; k < blen; k++) {
			if (body[k] == ')' && (k + 1 == blen || is_sp(body[k + 1]))) {
				close = body + k;
				break;
			}
		}
		if (!close)
			return hm_reader_fail(r, lineno, hm_text_col(s, h.body_off),
					      "event \"%s\": unbalanced \"(\" in the fields", name);
		if (e->ret) {
			const char *arrow = find_str(body, (size_t)(close - body), " <- ");

			if (!arrow)
				return hm_reader_fail(r, lineno, hm_text_col(s, h.body_off),
						      "event \"%s\": expected \"(CALLER <- FUNCTION)\" of a return probe",
						      name);
			rc = intern(r, body + 1, (size_t)(arrow - body - 1), &ev.site);
			if (rc < 0)
				return rc;
		}
		blen -= (size_t)(close + 1 - body);
		body = close + 1;
	} else if (e->ret) {
		return hm_reader_fail(r, lineno, hm_text_col(s, h.body_off),
				      "event \"%s\": expected \"(CALLER <- FUNCTION)\" of a return probe",
				      name);
	}

	for (unsigned int o = 0; o < HM_FMAP__COUNT; o++) {
		size_t voff, vlen, col_off;
		uint64_t v, max;

		if (!e->field[o])
			continue;
		if (!find_field(body, blen, e->field[o], e->field_len[o], &voff, &vlen))
			return hm_reader_fail(r, lineno, hm_text_col(s, h.body_off),
					      "event \"%s\": missing field \"%s=\"", name, e->field[o]);
		col_off = (size_t)(body - s) + voff;
		if (o == HM_FMAP_COMM) {
			rc = intern(r, body + voff, vlen, &ev.comm);
			if (rc < 0)
				return rc;
			continue;
		}
		switch (o) {
		case HM_FMAP_PID:
		case HM_FMAP_NEXT_PID:
			max = INT32_MAX;
			break;
		case HM_FMAP_CPU:
		case HM_FMAP_DEST_CPU:
			max = limit - 1;
			break;
		default:
			max = HM_NONE - 1;
			break;
		}
		if (!parse_num(body + voff, vlen, HM_NONE - 1, &v))
			return hm_reader_fail(r, lineno, hm_text_col(s, col_off),
					      "event \"%s\": field \"%s\" must be a number, not \"%s\"",
					      name, e->field[o],
					      hm_quote(q, sizeof(q), body + voff, vlen));
		if (v > max)
			return hm_reader_fail(r, lineno, hm_text_col(s, col_off),
					      "event \"%s\": field \"%s\" is %llu, above %llu", name,
					      e->field[o], (unsigned long long)v,
					      (unsigned long long)max);
		switch (o) {
		case HM_FMAP_PFN:
			ev.pfn = v;
			break;
		case HM_FMAP_PAGE:
			ev.page = v;
			break;
		case HM_FMAP_VADDR:
			ev.vaddr = v;
			break;
		case HM_FMAP_PID:
			ev.pid = (int32_t)v;
			break;
		case HM_FMAP_NEXT_PID:
			ev.next_pid = (int32_t)v;
			break;
		case HM_FMAP_CPU:
			ev.cpu = (uint32_t)v;
			break;
		case HM_FMAP_DEST_CPU:
			ev.dest_cpu = (uint32_t)v;
			break;
		default:
			break;
		}
	}

	if (e->ret)
		return return_add(r, st, &ev);
	if (st->map.has_return[ev.op])
		rc = entry_add(r, st, &ev);
	else
		rc = ring_push(r, st, &ev, false, NULL);
	if (rc == 0 && ev.op == HM_OP_TASK_EXIT)
		task_gone(st, &ev);
	return rc;
}

static int process_line(struct hm_reader *r, struct ftrace_priv *st, const char *s, size_t len,
			uint64_t lineno)
{
	int rc = other_line(r, st, s, len, lineno);

	if (rc != 0)
		return rc < 0 ? rc : 0;
	rc = event_line(r, st, s, len, lineno);
	return rc < 0 ? rc : 1;
}

/* ------------------------------------------------------------- format ops --- */

static int ftrace_open(struct hm_reader *r)
{
	struct ftrace_priv *st = calloc(1, sizeof(*st));
	const char *env = getenv("HMTRACE_FTRACE_HOLD");
	int rc;

	if (!st)
		return hm_reader_nomem(r);
	r->priv = st;
	st->hold_max = HM_FTRACE_HOLD_MAX;
	if (env && *env) {
		uint64_t v;

		if (parse_dec(env, strlen(env), HM_FTRACE_HOLD_MAX, &v) && v > 0)
			st->hold_max = v;
	}
	if (r->opts.tsc_mhz > 0) {
		st->tsc_khz = (uint64_t)(r->opts.tsc_mhz * 1000.0 + 0.5);
		if (!st->tsc_khz)
			st->tsc_khz = 1;
	}
	rc = hm_fmap_load(&st->map, r->opts.map_file, &r->err);
	if (rc < 0)
		return rc;
	snprintf(r->meta.source, sizeof(r->meta.source), "ftrace");
	/* read the header, up to and including the first event line, for meta */
	for (;;) {
		const char *line;
		size_t len;

		rc = hm_input_getline(r->in, &line, &len, &r->err);
		if (rc < 0)
			return rc;
		if (rc == 0) {
			st->eof = true;
			return 0;
		}
		if (hm_input_lineno(r->in) == 1 && len >= 3 &&
		    memcmp(line, "\xef\xbb\xbf", 3) == 0) {
			line += 3;
			len -= 3;
		}
		rc = process_line(r, st, line, len, hm_input_lineno(r->in));
		if (rc < 0)
			return rc;
		if (rc == 1)
			return 0;
	}
}

static int ftrace_next(struct hm_reader *r, struct hm_event *ev)
{
	struct ftrace_priv *st = r->priv;

	for (;;) {
		const char *line;
		size_t len;
		int rc;

		if (st->head < st->tail) {
			struct ft_slot *sl = slot_at(st, st->head);

			if (!sl->pending) {
				*ev = sl->ev;
				st->head++;
				return 1;
			}
			if (st->tail - st->head >= st->hold_max) {
				sl->pending = false;
				st->forced++;
				continue;
			}
		}
		if (st->eof) {
			if (st->head == st->tail)
				return 0;
			for (uint64_t q = st->head; q < st->tail; q++) {
				if (slot_at(st, q)->pending) {
					slot_at(st, q)->pending = false;
					st->open_at_end++;
				}
			}
			continue;
		}
		rc = hm_input_getline(r->in, &line, &len, &r->err);
		if (rc < 0)
			return rc;
		if (rc == 0) {
			st->eof = true;
			continue;
		}
		rc = process_line(r, st, line, len, hm_input_lineno(r->in));
		if (rc < 0)
			return rc;
	}
}

static void ftrace_close(struct hm_reader *r)
{
	struct ftrace_priv *st = r->priv;

	if (!st)
		return;
	hm_fmap_free(&st->map);
	for (size_t i = 0; i < st->stack_cap; i++) {
		if (st->stacks[i].op < 0)
			continue;
		free(st->stacks[i].seq);
		free(st->stacks[i].ctx);
	}
	free(st->stacks);
	free(st->ring);
	free(st);
	r->priv = NULL;
}

static int ftrace_probe(const unsigned char *buf, size_t len)
{
	const char *s = (const char *)buf;
	bool header = false;
	size_t off = 0;

	for (int n = 0; off < len && n < 64; n++) {
		const char *nl = memchr(s + off, '\n', len - off);
		size_t l = nl ? (size_t)(nl - (s + off)) : len - off;
		const char *line = s + off;
		struct ft_head h;
		size_t eoff;
		const char *why;

		if (!nl && off > 0)
			break;		/* a cut line: judge by what came before */
		off += l + 1;
		if (l && line[l - 1] == '\r')
			l--;
		if (n == 0 && l >= 3 && memcmp(line, "\xef\xbb\xbf", 3) == 0) {
			line += 3;
			l -= 3;
		}
		while (l && is_sp(*line)) {
			line++;
			l--;
		}
		if (!l)
			continue;
		if (starts(line, l, "# tracer:"))
			return 100;
		if (line[0] == '#' || starts(line, l, "cpus=") || starts(line, l, "version = ")) {
			header = true;
			continue;
		}
		if (head_parse(line, l, &h, &eoff, &why) == 0)
			return header ? 90 : 80;
		return 0;
	}
	return header ? 40 : 0;
}

const struct hm_format_ops hm_format_ftrace = {
	.name = "ftrace",
	.description = "ftrace text (tracefs trace/trace_pipe, trace-cmd report, perf script)",
	.probe = ftrace_probe,
	.open = ftrace_open,
	.next = ftrace_next,
	.close = ftrace_close,
};
