// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fmt-json.c - hmtrace trace format v1 (man/hm-trace.5), as one JSON document
 * {"format": "hmtrace", "version": 1, "meta": {...}, "events": [...]} and as
 * JSON Lines (a header object on the first line, then one event per line).
 *
 * The document is read as a stream: the outer object is scanned here, and
 * each member value and each event object is cut out of the input and handed
 * to jansson on its own, so memory does not grow with the trace and every
 * error can name its line and column.  Values jansson accepts are located in
 * the object's text again (find_member()) to point errors at the offending
 * value rather than at the object.
 *
 * Event objects first go through the fast path (json-scan.c), which reads
 * the plain forms of JSON straight into the event; whatever it does not
 * accept comes here and is parsed with jansson, so this file stays the
 * reference for what is accepted and says what is wrong.  A JSON Lines
 * trace of more than a few thousand events is read ahead in a thread (see
 * "JSON Lines read ahead" below).
 *
 * Debugging aids (tests/replay/test-jsondiff reads every fixture all three
 * ways and compares): in the environment, HM_JSON_SLOWPATH=1 turns the fast
 * path off, everything goes through jansson in the caller's thread;
 * HM_JSON_THREAD=0 keeps JSON Lines reading in the caller's thread, and
 * HM_JSON_THREAD=1 starts the read-ahead thread at the first event.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "input.h"
#include "json-scan.h"
#include "reader_priv.h"
#include "reader_util.h"

#define JLOAD_FLAGS (JSON_REJECT_DUPLICATES | JSON_DECODE_ANY)

struct jpos {
	uint64_t line;
	uint64_t col;
};

enum doc_phase {
	DOC_KEYS,		/* reading the outer object's members */
	DOC_EVENTS,		/* inside the "events" array */
	DOC_DONE,
};

struct lookahead;

struct json_priv {
	bool lines;		/* JSON Lines, else the document */
	struct hm_jscan *js;	/* the fast path, NULL when HM_JSON_SLOWPATH is set */
	struct lookahead *la;	/* JSON Lines read ahead in a thread, or NULL */
	uint64_t thread_after;	/* start it after this many events (UINT64_MAX: never) */
	uint64_t fast;		/* events the fast path gave (for tests) */
	uint64_t nevents;	/* event objects seen, for "event N" */
	bool seen_format, seen_version, seen_meta, seen_events;

	/* document only */
	enum doc_phase phase;
	struct jpos pos;	/* of the input's cursor */
	struct jpos doc_pos;	/* of the outer "{" */
	uint64_t members;	/* outer members read */
	bool first_elem;
	bool events_deferred;	/* "events" came before the header: skipped, read later */
	bool tail_done;		/* the members after "events" are already read */
	uint64_t events_off;	/* input offset of the "[" of "events" */
	struct jpos events_pos;
};

/* One parsed object, with its text, so errors can point into it. */
struct jobj {
	struct hm_reader *r;
	json_t *obj;
	const char *text;
	size_t len;
	struct jpos at;		/* of text[0] */
	uint64_t evno;
	bool is_meta;
	bool is_header;
};

static struct jpos pos_in(const char *text, size_t off, struct jpos at)
{
	const char *p = text, *end = text + off, *nl;
	uint64_t col = 0;

	/* whole lines by memchr(), then the characters of the last one */
	while ((nl = memchr(p, '\n', (size_t)(end - p)))) {
		at.line++;
		at.col = 1;
		p = nl + 1;
	}
	for (; p < end; p++)
		col += ((unsigned char)*p & 0xc0) != 0x80;
	at.col += col;
	return at;
}

/*
 * A scanner that finds where one JSON value ends without parsing it: strings
 * with escapes, nesting of objects and arrays, scalars up to a delimiter.
 * jansson then parses exactly that span and reports any real error.
 */
enum { VS_START, VS_CONT, VS_STR, VS_ESC, VS_SCALAR };

struct vscan {
	uint64_t depth;
	int state;
	bool nul;
};

/* Feed @p[0..n); returns the bytes up to the end of the value (*done) or n. */
static size_t vscan_feed(struct vscan *s, const unsigned char *p, size_t n, bool *done)
{
	*done = false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = p[i];

		if (c == '\0') {
			s->nul = true;
			return i;
		}
		switch (s->state) {
		case VS_START:
			if (c == '{' || c == '[') {
				s->depth = 1;
				s->state = VS_CONT;
			} else if (c == '"') {
				s->depth = 0;
				s->state = VS_STR;
			} else {
				s->state = VS_SCALAR;
			}
			break;
		case VS_CONT:
			if (c == '"') {
				s->state = VS_STR;
			} else if (c == '{' || c == '[') {
				s->depth++;
			} else if (c == '}' || c == ']') {
				if (--s->depth == 0) {
					*done = true;
					return i + 1;
				}
			}
			break;
		case VS_STR:
			if (c == '\\') {
				s->state = VS_ESC;
			} else if (c == '"') {
				if (s->depth == 0) {
					*done = true;
					return i + 1;
				}
				s->state = VS_CONT;
			}
			break;
		case VS_ESC:
			s->state = VS_STR;
			break;
		default: /* VS_SCALAR */
			if (c == ',' || c == '}' || c == ']' || c == ' ' || c == '\t' ||
			    c == '\n' || c == '\r') {
				*done = true;
				return i;
			}
			break;
		}
	}
	return n;
}

static bool is_ws(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/*
 * Byte offset of the value of member @key in the (valid) JSON object @t, or
 * -1.  Keys are compared as written; a key spelt with escapes is not found
 * and the error points at the object instead.
 */
static long find_member(const char *t, size_t n, const char *key)
{
	size_t klen = strlen(key), i = 0;

	while (i < n && is_ws(t[i]))
		i++;
	if (i >= n || t[i] != '{')
		return -1;
	i++;
	for (;;) {
		struct vscan vs = { 0 };
		size_t ks, ke;
		bool done;

		while (i < n && is_ws(t[i]))
			i++;
		if (i >= n || t[i] != '"')
			return -1;
		ks = i + 1;
		i += vscan_feed(&vs, (const unsigned char *)t + i, n - i, &done);
		if (!done)
			return -1;
		ke = i - 1;
		while (i < n && is_ws(t[i]))
			i++;
		if (i >= n || t[i] != ':')
			return -1;
		i++;
		while (i < n && is_ws(t[i]))
			i++;
		if (ke - ks == klen && memcmp(t + ks, key, klen) == 0)
			return (long)i;
		memset(&vs, 0, sizeof(vs));
		i += vscan_feed(&vs, (const unsigned char *)t + i, n - i, &done);
		while (i < n && is_ws(t[i]))
			i++;
		if (i >= n || t[i] != ',')
			return -1;
		i++;
	}
}

static __attribute__((format(printf, 3, 4))) int jfail(struct jobj *o, const char *key,
						       const char *fmt, ...)
{
	long off = key ? find_member(o->text, o->len, key) : -1;
	struct jpos p = off >= 0 ? pos_in(o->text, (size_t)off, o->at) : o->at;
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (o->is_meta)
		return hm_reader_fail(o->r, p.line, p.col, "meta: %s", msg);
	if (o->is_header)
		return hm_reader_fail(o->r, p.line, p.col, "%s", msg);
	return hm_reader_fail(o->r, p.line, p.col, "event %llu: %s",
			      (unsigned long long)o->evno, msg);
}

/* Parse @text[0..len), which starts at @at; jansson's errors get our positions. */
static json_t *parse_span(struct hm_reader *r, const char *text, size_t len, struct jpos at)
{
	json_error_t e;
	json_t *j = json_loadb(text, len, JLOAD_FLAGS, &e);
	uint64_t line = at.line, col = at.col;

	if (j)
		return j;
	if (e.line > 1) {
		line = at.line + (uint64_t)e.line - 1;
		col = e.column > 0 ? (uint64_t)e.column : 1;
	} else if (e.column > 0) {
		col = at.col + (uint64_t)e.column - 1;
	}
	hm_reader_fail(r, line, col, "invalid JSON: %s", e.text);
	return NULL;
}

/* Result of a getter: 0 absent, 1 present, negative after an error. */
enum { G_REQ = 1, G_HEX = 2 };

static int get_u64(struct jobj *o, const char *key, unsigned int flags, uint64_t min,
		   uint64_t max, const char *expect, uint64_t *out)
{
	json_t *v = json_object_get(o->obj, key);
	uint64_t u;

	if (!v || json_is_null(v)) {
		if (flags & G_REQ)
			return jfail(o, NULL, "missing required field \"%s\"", key);
		return 0;
	}
	if (json_is_integer(v)) {
		json_int_t i = json_integer_value(v);

		if (i >= 0 && (uint64_t)i >= min && (uint64_t)i <= max) {
			*out = (uint64_t)i;
			return 1;
		}
	} else if ((flags & G_HEX) && json_is_string(v)) {
		if (hm_parse_hex(json_string_value(v), json_string_length(v), &u) == 0 &&
		    u >= min && u <= max) {
			*out = u;
			return 1;
		}
	}
	return jfail(o, key, "\"%s\" must be %s", key, expect);
}

static int get_bool(struct jobj *o, const char *key, bool *out)
{
	json_t *v = json_object_get(o->obj, key);

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_boolean(v))
		return jfail(o, key, "\"%s\" must be true or false", key);
	*out = json_is_true(v);
	return 1;
}

static int get_str(struct jobj *o, const char *key, const char **s, size_t *len)
{
	json_t *v = json_object_get(o->obj, key);

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return jfail(o, key, "\"%s\" must be a string", key);
	*s = json_string_value(v);
	*len = json_string_length(v);
	return 1;
}

static int get_strid(struct jobj *o, const char *key, uint32_t *id)
{
	const char *s = NULL;
	size_t len = 0;
	int rc = get_str(o, key, &s, &len);

	if (rc <= 0)
		return rc;
	*id = hm_strtab_intern(o->r->strtab, s, len);
	if (*id == UINT32_MAX)
		return hm_reader_nomem(o->r);
	return 1;
}

#define EXPECT_U "a non-negative integer"
#define EXPECT_X "a non-negative integer or a hex string like \"0xff001000\""

static bool op_needs_operand(unsigned int op)
{
	switch (op) {
	case HM_OP_KMAP:
	case HM_OP_KUNMAP:
	case HM_OP_KMAP_ATOMIC:
	case HM_OP_KUNMAP_ATOMIC:
	case HM_OP_KMAP_LOCAL:
	case HM_OP_KUNMAP_LOCAL:
	case HM_OP_KMAP_HIGH_GET:
		return true;
	default:
		return false;
	}
}

/* Fill @ev from event object @o: 1, 0 when skipped (lenient), negative on error. */
static int event_parse(struct jobj *o, struct hm_event *ev)
{
	struct hm_reader *r = o->r;
	uint32_t limit = r->meta.nr_cpus ? r->meta.nr_cpus : HM_MAX_CPUS;
	const char *s = NULL, *opname;
	char q[64];
	uint64_t u = 0;
	size_t len = 0;
	bool b = false, known = false;
	int rc, op;

	if (!json_is_object(o->obj))
		return jfail(o, NULL, "expected an event object");
	ev->line = o->at.line;

	rc = get_str(o, "op", &s, &len);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return jfail(o, NULL, "missing required field \"op\"");
	op = hm_op_from_name(s, len);
	if (op < 0) {
		if (r->opts.lenient) {
			r->skipped++;
			return 0;
		}
		return jfail(o, "op", "unknown op \"%s\"", hm_quote(q, sizeof(q), s, len));
	}
	ev->op = (uint16_t)op;
	opname = hm_op_name((unsigned int)op);

	if ((rc = get_u64(o, "ts", G_REQ, 0, INT64_MAX, EXPECT_U, &ev->ts)) < 0)
		return rc;
	if ((rc = get_u64(o, "cpu", G_REQ, 0, UINT32_MAX, EXPECT_U, &u)) < 0)
		return rc;
	if (u >= limit)
		return jfail(o, "cpu", "\"cpu\" %llu is not below the CPU count %u%s",
			     (unsigned long long)u, limit,
			     r->meta.nr_cpus ? " (meta \"nr_cpus\")" : "");
	ev->cpu = (uint32_t)u;
	if ((rc = get_u64(o, "pid", G_REQ, 0, INT32_MAX, "an integer from 0 to 2147483647",
			  &u)) < 0)
		return rc;
	ev->pid = (int32_t)u;
	if ((rc = get_strid(o, "comm", &ev->comm)) < 0)
		return rc;
	if ((rc = get_strid(o, "site", &ev->site)) < 0)
		return rc;

	rc = get_str(o, "ctx", &s, &len);
	if (rc < 0)
		return rc;
	if (rc > 0) {
		int ctx = hm_ctx_from_name(s, len);

		if (ctx < 0)
			return jfail(o, "ctx",
				     "\"ctx\" must be \"task\", \"softirq\", \"hardirq\" or \"nmi\"");
		ev->ctx = (uint8_t)ctx;
	}

	if ((rc = get_u64(o, "pfn", G_HEX, 0, HM_NONE - 1, EXPECT_X, &ev->pfn)) < 0)
		return rc;
	if ((rc = get_u64(o, "page", G_HEX, 0, HM_NONE - 1, EXPECT_X, &ev->page)) < 0)
		return rc;
	if ((rc = get_u64(o, "vaddr", G_HEX, 0, HM_NONE - 1, EXPECT_X, &ev->vaddr)) < 0)
		return rc;
	if ((rc = get_u64(o, "ret_ts", 0, 0, INT64_MAX, EXPECT_U, &ev->ret_ts)) < 0)
		return rc;
	if (rc > 0 && ev->ret_ts < ev->ts)
		return jfail(o, "ret_ts", "\"ret_ts\" must not be before \"ts\"");
	if ((rc = get_u64(o, "next_pid", 0, 0, INT32_MAX, "an integer from 0 to 2147483647",
			  &u)) < 0)
		return rc;
	if (rc > 0)
		ev->next_pid = (int32_t)u;
	if (op == HM_OP_MIGRATE) {
		if ((rc = get_u64(o, "dest_cpu", 0, 0, UINT32_MAX, EXPECT_U, &u)) < 0)
			return rc;
		if (rc == 0)
			return jfail(o, NULL, "op \"%s\" needs \"dest_cpu\"", opname);
		if (u >= limit)
			return jfail(o, "dest_cpu", "\"dest_cpu\" %llu is not below the CPU count %u%s",
				     (unsigned long long)u, limit,
				     r->meta.nr_cpus ? " (meta \"nr_cpus\")" : "");
		ev->dest_cpu = (uint32_t)u;
	}

	if ((rc = get_bool(o, "irqs_off", &b)) < 0)
		return rc;
	if (rc > 0) {
		known = true;
		if (b)
			ev->flags |= HM_EVF_IRQS_OFF;
	}
	if ((rc = get_bool(o, "preempt_off", &b)) < 0)
		return rc;
	if (rc > 0) {
		known = true;
		if (b)
			ev->flags |= HM_EVF_PREEMPT_OFF;
	}
	if (known)
		ev->flags |= HM_EVF_CTX_KNOWN;

	if (op_needs_operand((unsigned int)op) && ev->pfn == HM_NONE && ev->page == HM_NONE &&
	    ev->vaddr == HM_NONE)
		return jfail(o, NULL, "op \"%s\" needs \"vaddr\", \"pfn\" or \"page\"", opname);
	if ((op == HM_OP_SCHED_SWITCH || op == HM_OP_FORK) && ev->next_pid == HM_PID_NONE)
		return jfail(o, NULL, "op \"%s\" needs \"next_pid\"", opname);
	if ((op == HM_OP_IRQ_ENTER || op == HM_OP_IRQ_EXIT) && ev->ctx == HM_CTX_TASK)
		return jfail(o, json_object_get(o->obj, "ctx") ? "ctx" : NULL,
			     "op \"%s\" needs \"ctx\": \"hardirq\", \"softirq\" or \"nmi\"", opname);
	return 1;
}

/* Copy a string, cut at a UTF-8 character boundary to fit. */
static void copy_trunc(char *dst, size_t size, const char *s, size_t len)
{
	if (len >= size) {
		len = size - 1;
		while (len > 0 && ((unsigned char)s[len] & 0xc0) == 0x80)
			len--;
	}
	memcpy(dst, s, len);
	dst[len] = '\0';
}

static int meta_parse(struct jobj *o)
{
	struct hm_trace_meta *m = &o->r->meta;
	const char *s = NULL;
	size_t len = 0;
	uint64_t u = 0;
	bool b = false;
	int rc;

	if (!json_is_object(o->obj))
		return jfail(o, NULL, "\"meta\" must be an object");
	rc = get_str(o, "arch", &s, &len);
	if (rc < 0)
		return rc;
	if (rc > 0) {
		char q[64], names[400];

		if (len >= sizeof(m->arch) || strlen(s) != len || !hm_profile_find(s)) {
			hm_profile_names(names, sizeof(names));
			return jfail(o, "arch", "unknown \"arch\" \"%s\" (known: %s)",
				     hm_quote(q, sizeof(q), s, len), names);
		}
		memcpy(m->arch, s, len + 1);
	}
	if ((rc = get_u64(o, "nr_cpus", 0, 1, HM_MAX_CPUS, "an integer from 1 to 4096", &u)) < 0)
		return rc;
	if (rc > 0)
		m->nr_cpus = (uint32_t)u;
	if ((rc = get_u64(o, "last_pkmap", 0, 1, 1u << 20, "an integer from 1 to 1048576",
			  &u)) < 0)
		return rc;
	if (rc > 0)
		m->last_pkmap = (uint32_t)u;
	if ((rc = get_u64(o, "km_max_idx", 0, 0, UINT32_MAX, "16 or 33", &u)) < 0)
		return rc;
	if (rc > 0) {
		if (u != 16 && u != 33)
			return jfail(o, "km_max_idx",
				     "\"km_max_idx\" must be 16 or 33 (33 means CONFIG_DEBUG_KMAP_LOCAL)");
		m->km_max_idx = (uint32_t)u;
	}
	if ((rc = get_bool(o, "debug_kmap_local", &b)) < 0)
		return rc;
	if (rc > 0) {
		if (m->km_max_idx && (m->km_max_idx == 33) != b)
			return jfail(o, "debug_kmap_local",
				     "\"debug_kmap_local\" contradicts \"km_max_idx\" %u",
				     m->km_max_idx);
		m->debug_kmap_local = b;
	}
	if ((rc = get_u64(o, "highmem_start_pfn", G_HEX, 0, HM_NONE - 1, EXPECT_X,
			  &m->highmem_start_pfn)) < 0)
		return rc;
	if ((rc = get_u64(o, "pkmap_base", G_HEX, 0, HM_NONE - 1, EXPECT_X, &m->pkmap_base)) < 0)
		return rc;
	if ((rc = get_u64(o, "fixaddr_top", G_HEX, 0, HM_NONE - 1, EXPECT_X,
			  &m->fixaddr_top)) < 0)
		return rc;
	if ((rc = get_u64(o, "lost_events", 0, 0, INT64_MAX, EXPECT_U, &m->lost_events)) < 0)
		return rc;
	if ((rc = get_str(o, "source", &s, &len)) < 0)
		return rc;
	if (rc > 0)
		copy_trunc(m->source, sizeof(m->source), s, len);
	if ((rc = get_str(o, "kernel", &s, &len)) < 0)
		return rc;
	if (rc > 0)
		copy_trunc(m->kernel, sizeof(m->kernel), s, len);
	if ((rc = get_str(o, "clock", &s, &len)) < 0)
		return rc;
	if (rc > 0)
		copy_trunc(m->clock, sizeof(m->clock), s, len);
	return 0;
}

/*
 * One member of the header (document's outer object, or the JSON Lines
 * header line): @val was parsed from @text (its value's text) at @at.
 */
static int header_member(struct hm_reader *r, struct json_priv *st, const char *key, json_t *val,
			 const char *text, size_t len, struct jpos at, struct jpos key_at)
{
	struct jobj o = { .r = r, .obj = val, .text = text, .len = len, .at = at,
			  .is_header = true };

	if ((strcmp(key, "format") == 0 && st->seen_format) ||
	    (strcmp(key, "version") == 0 && st->seen_version) ||
	    (strcmp(key, "meta") == 0 && st->seen_meta))
		return hm_reader_fail(r, key_at.line, key_at.col, "duplicate member \"%s\"", key);
	if (strcmp(key, "format") == 0) {
		st->seen_format = true;
		if (!json_is_string(val) || strcmp(json_string_value(val), "hmtrace") != 0)
			return jfail(&o, NULL, "\"format\" must be \"hmtrace\"");
	} else if (strcmp(key, "version") == 0) {
		st->seen_version = true;
		if (!json_is_integer(val))
			return jfail(&o, NULL, "\"version\" must be an integer");
		if (json_integer_value(val) != 1)
			return jfail(&o, NULL,
				     "unsupported trace format \"version\" %lld: this reader reads version 1",
				     (long long)json_integer_value(val));
	} else if (strcmp(key, "meta") == 0) {
		st->seen_meta = true;
		o.is_header = false;
		o.is_meta = true;
		return meta_parse(&o);
	}
	return 0;
}

static int json_alloc(struct hm_reader *r, bool lines)
{
	struct json_priv *st = calloc(1, sizeof(*st));
	const char *slow;

	if (!st)
		return hm_reader_nomem(r);
	st->lines = lines;
	st->pos.line = 1;
	st->pos.col = 1;
	st->thread_after = UINT64_MAX;	/* jsonl_open() says when, if ever */
	r->priv = st;
	slow = getenv("HM_JSON_SLOWPATH");
	if (!slow || !slow[0] || strcmp(slow, "0") == 0) {
		st->js = hm_jscan_new(r->strtab);
		if (!st->js)
			return hm_reader_nomem(r);
	}
	return 0;
}

static void la_stop(struct lookahead *la);

static void json_close(struct hm_reader *r)
{
	struct json_priv *st = r->priv;

	if (st) {
		la_stop(st->la);
		hm_jscan_free(st->js);
	}
	free(st);
	r->priv = NULL;
}

static uint32_t cpu_limit(const struct hm_reader *r)
{
	return r->meta.nr_cpus ? r->meta.nr_cpus : HM_MAX_CPUS;
}

/* ------------------------------------------------------------ JSON Lines --- */

static bool blank(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!is_ws(s[i]))
			return false;
	return true;
}

static const char *skip_bom(const char *s, size_t *len)
{
	if (*len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0) {
		*len -= 3;
		return s + 3;
	}
	return s;
}

/*
 * The fast path on the next line where it lies in the input's buffer, when
 * it starts with '{' and ends within the buffered bytes: 1 with @ev filled
 * and the line consumed, 0 otherwise (nothing consumed, @ev to be
 * initialised again): hm_input_getline() then takes the line, and with it
 * blank lines, NUL bytes, the last line and the end of the buffer.
 */
static int jsonl_inplace(struct hm_input *in, struct hm_jscan *js, uint32_t limit,
			 struct hm_event *ev)
{
	size_t avail, end;
	const unsigned char *d = hm_input_data(in, &avail);

	if (!avail || d[0] != '{')
		return 0;
	if (hm_jscan_event(js, (const char *)d, avail, limit, true, ev, &end) != HM_JSCAN_EVENT ||
	    d[end - 1] != '\n') {
		hm_event_init(ev);
		return 0;
	}
	hm_input_consume_line(in, end);
	ev->line = hm_input_lineno(in);
	return 1;
}

/* One event line through jansson: 1, 0 when skipped (lenient), negative on error. */
static int jsonl_slow(struct hm_reader *r, struct json_priv *st, const char *line, size_t len,
		      uint64_t lineno, struct hm_event *ev)
{
	struct jobj o = { .r = r, .text = line, .len = len, .evno = st->nevents,
			  .at = { lineno, 1 } };
	int rc;

	o.obj = parse_span(r, line, len, o.at);
	if (!o.obj)
		return -EINVAL;
	rc = event_parse(&o, ev);
	json_decref(o.obj);
	st->nevents++;
	return rc;
}

/*
 * JSON Lines read ahead: a thread reads lines and runs the fast path on them
 * into batches of events, while the caller's thread replays the previous
 * batch.  The thread touches nothing the caller uses: it has the input, its
 * own scanner and its own string table, whose strings the caller interns in
 * the reader's table when it hands out the first event that names them (so
 * the ids come out as without the thread).  A line the fast path leaves to
 * jansson ends its batch, copied, and the caller parses it, so messages,
 * lenient skips and string ids are those of the plain path; an input error
 * ends the batch too and reaches the caller after the events before it.
 */
#define LA_AFTER 16384		/* events read before a thread is worth starting */
#define LA_EVENTS 4096		/* events per batch */
#define LA_BATCHES 4
#define LA_SLOW UINT16_MAX	/* ev.op of the line left to jansson */

struct la_str {
	const char *s;		/* in the thread's table: stable until it is freed */
	uint32_t id, len;
};

struct la_batch {
	struct hm_event ev[LA_EVENTS];
	uint32_t n;
	char *text;		/* the line left to jansson, if ev[n - 1] says so */
	size_t text_len, text_cap;
	uint64_t text_line;
	struct la_str *news;	/* the thread's strings first used in this batch */
	uint32_t nnews, cap_news;
	int end;		/* 0: more follow; 1: end of input; negative: err */
	struct hm_error err;
};

struct lookahead {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t filled, freed;
	unsigned int head, tail, count;	/* batches: next to hand out, next to fill, filled */
	bool stop;
	struct la_batch batches[LA_BATCHES];
	/* the thread's */
	struct hm_input *in;
	struct hm_jscan *js;
	struct hm_strtab *tab;
	uint32_t cpu_limit;
	uint32_t announced;	/* its string ids below this are in some batch's news */
	/* the caller's */
	struct la_batch *cur;
	uint32_t next;
	const char **strs;	/* by the thread's id */
	uint32_t *lens, *map;	/* map: thread's id -> reader's id, UINT32_MAX unset */
	uint32_t cap_map;
};

static int la_text(struct la_batch *b, const char *line, size_t len)
{
	if (len > b->text_cap) {
		char *t = realloc(b->text, len);

		if (!t)
			return -ENOMEM;
		b->text = t;
		b->text_cap = len;
	}
	memcpy(b->text, line, len);
	b->text_len = len;
	return 0;
}

static int la_announce(struct lookahead *la, struct la_batch *b)
{
	uint32_t count = hm_strtab_count(la->tab);

	for (; la->announced < count; la->announced++) {
		struct la_str *n;

		if (b->nnews == b->cap_news) {
			uint32_t cap = b->cap_news ? b->cap_news * 2 : 64;
			struct la_str *p = realloc(b->news, cap * sizeof(*p));

			if (!p)
				return -ENOMEM;
			b->news = p;
			b->cap_news = cap;
		}
		n = &b->news[b->nnews++];
		n->id = la->announced;
		n->s = hm_strtab_get(la->tab, la->announced);
		/* fast-path strings have no escapes, so no NUL inside */
		n->len = (uint32_t)strlen(n->s);
	}
	return 0;
}

static void la_fill(struct lookahead *la, struct la_batch *b)
{
	const char *line;
	size_t len, end;
	int rc;

	b->n = 0;
	b->nnews = 0;
	b->end = 0;
	while (b->n < LA_EVENTS) {
		struct hm_event *ev = &b->ev[b->n];

		rc = jsonl_inplace(la->in, la->js, la->cpu_limit, ev);
		if (rc > 0) {
			b->n++;
			continue;
		}
		rc = hm_input_getline(la->in, &line, &len, &b->err);
		if (rc <= 0) {
			b->end = rc < 0 ? rc : 1;
			break;
		}
		if (blank(line, len))
			continue;
		hm_event_init(ev);
		if (hm_jscan_event(la->js, line, len, la->cpu_limit, true, ev, &end) ==
		    HM_JSCAN_EVENT) {
			ev->line = hm_input_lineno(la->in);
			b->n++;
			continue;
		}
		if (la_text(b, line, len) < 0) {
			hm_error_set(&b->err, HM_EXIT_SYSTEM, NULL, "out of memory");
			b->end = -ENOMEM;
			break;
		}
		b->text_line = hm_input_lineno(la->in);
		ev->op = LA_SLOW;
		b->n++;
		break;
	}
	if (la_announce(la, b) < 0) {
		hm_error_set(&b->err, HM_EXIT_SYSTEM, NULL, "out of memory");
		b->end = -ENOMEM;
	}
}

static void *la_thread(void *arg)
{
	struct lookahead *la = arg;

	for (;;) {
		struct la_batch *b;
		bool last;

		pthread_mutex_lock(&la->lock);
		while (la->count == LA_BATCHES && !la->stop)
			pthread_cond_wait(&la->freed, &la->lock);
		if (la->stop) {
			pthread_mutex_unlock(&la->lock);
			return NULL;
		}
		b = &la->batches[la->tail];
		pthread_mutex_unlock(&la->lock);

		la_fill(la, b);
		last = b->end != 0;

		pthread_mutex_lock(&la->lock);
		la->tail = (la->tail + 1) % LA_BATCHES;
		la->count++;
		pthread_cond_signal(&la->filled);
		pthread_mutex_unlock(&la->lock);
		if (last)
			return NULL;
	}
}

static void la_free(struct lookahead *la)
{
	for (unsigned int i = 0; i < LA_BATCHES; i++) {
		free(la->batches[i].text);
		free(la->batches[i].news);
	}
	hm_jscan_free(la->js);
	hm_strtab_free(la->tab);
	free(la->strs);
	free(la->lens);
	free(la->map);
	free(la);
}

static void la_stop(struct lookahead *la)
{
	if (!la)
		return;
	pthread_mutex_lock(&la->lock);
	la->stop = true;
	pthread_cond_broadcast(&la->freed);
	pthread_mutex_unlock(&la->lock);
	pthread_join(la->thread, NULL);
	pthread_mutex_destroy(&la->lock);
	pthread_cond_destroy(&la->filled);
	pthread_cond_destroy(&la->freed);
	la_free(la);
}

/* Start reading ahead; without a thread (or memory) reading goes on as before. */
static void la_start(struct hm_reader *r, struct json_priv *st)
{
	struct lookahead *la;

	la = calloc(1, sizeof(*la));
	if (!la)
		return;
	la->in = r->in;
	la->cpu_limit = cpu_limit(r);
	la->tab = hm_strtab_new();
	la->js = la->tab ? hm_jscan_new(la->tab) : NULL;
	la->announced = 1;	/* id 0 is "" in every table */
	if (!la->js || pthread_mutex_init(&la->lock, NULL)) {
		la_free(la);
		return;
	}
	if (pthread_cond_init(&la->filled, NULL)) {
		pthread_mutex_destroy(&la->lock);
		la_free(la);
		return;
	}
	if (pthread_cond_init(&la->freed, NULL)) {
		pthread_cond_destroy(&la->filled);
		pthread_mutex_destroy(&la->lock);
		la_free(la);
		return;
	}
	if (pthread_create(&la->thread, NULL, la_thread, la)) {
		pthread_cond_destroy(&la->freed);
		pthread_cond_destroy(&la->filled);
		pthread_mutex_destroy(&la->lock);
		la_free(la);
		return;
	}
	st->la = la;
}

/* The reader's id for the thread's string @id. */
static int la_public(struct hm_reader *r, struct lookahead *la, uint32_t *id)
{
	uint32_t *m;

	if (*id == 0)
		return 0;
	m = &la->map[*id];
	if (*m == UINT32_MAX) {
		*m = hm_strtab_intern(r->strtab, la->strs[*id], la->lens[*id]);
		if (*m == UINT32_MAX)
			return hm_reader_nomem(r);
	}
	*id = *m;
	return 0;
}

/* Take the next batch (waiting for it) and learn its new strings. */
static int la_take(struct hm_reader *r, struct lookahead *la)
{
	struct la_batch *b;

	pthread_mutex_lock(&la->lock);
	while (la->count == 0)
		pthread_cond_wait(&la->filled, &la->lock);
	b = &la->batches[la->head];
	pthread_mutex_unlock(&la->lock);

	for (uint32_t i = 0; i < b->nnews; i++) {
		const struct la_str *n = &b->news[i];

		if (n->id >= la->cap_map) {
			uint32_t cap = la->cap_map ? la->cap_map : 256;
			const char **s;
			uint32_t *l, *m;

			while (cap <= n->id)
				cap *= 2;
			s = realloc(la->strs, cap * sizeof(*s));
			if (s)
				la->strs = s;
			l = realloc(la->lens, cap * sizeof(*l));
			if (l)
				la->lens = l;
			m = realloc(la->map, cap * sizeof(*m));
			if (m)
				la->map = m;
			if (!s || !l || !m)
				return hm_reader_nomem(r);
			la->cap_map = cap;
		}
		la->strs[n->id] = n->s;
		la->lens[n->id] = n->len;
		la->map[n->id] = UINT32_MAX;
	}
	la->cur = b;
	la->next = 0;
	return 0;
}

static void la_release(struct lookahead *la)
{
	pthread_mutex_lock(&la->lock);
	la->head = (la->head + 1) % LA_BATCHES;
	la->count--;
	pthread_cond_signal(&la->freed);
	pthread_mutex_unlock(&la->lock);
	la->cur = NULL;
}

static int la_next(struct hm_reader *r, struct json_priv *st, struct hm_event *ev)
{
	struct lookahead *la = st->la;
	int rc;

	for (;;) {
		struct la_batch *b = la->cur;
		const struct hm_event *src;

		if (!b) {
			rc = la_take(r, la);
			if (rc < 0)
				return rc;
			b = la->cur;
		}
		if (la->next == b->n) {
			if (b->end < 0) {
				r->err = b->err;
				return b->end;
			}
			if (b->end > 0)
				return 0;	/* and again on later calls: the batch stays */
			la_release(la);
			continue;
		}
		src = &b->ev[la->next++];
		if (src->op == LA_SLOW) {
			hm_event_init(ev);
			rc = jsonl_slow(r, st, b->text, b->text_len, b->text_line, ev);
			if (rc != 0)
				return rc;
			continue;
		}
		*ev = *src;
		st->nevents++;
		st->fast++;
		rc = la_public(r, la, &ev->comm);
		if (rc == 0)
			rc = la_public(r, la, &ev->site);
		return rc < 0 ? rc : 1;
	}
}

static int jsonl_open(struct hm_reader *r)
{
	static const char *const members[] = { "format", "version", "meta" };
	struct json_priv *st;
	const char *line;
	size_t len;
	json_t *hdr;
	struct jobj o;
	int rc;

	rc = json_alloc(r, true);
	if (rc < 0)
		return rc;
	st = r->priv;
	do {
		rc = hm_input_getline(r->in, &line, &len, &r->err);
		if (rc < 0)
			return rc;
		if (rc == 0)
			return hm_reader_fail(r, hm_input_lineno(r->in) + 1, 1,
					      "expected the header line {\"format\": \"hmtrace\", \"version\": 1, ...}");
		if (hm_input_lineno(r->in) == 1)
			line = skip_bom(line, &len);
	} while (blank(line, len));

	o = (struct jobj){ .r = r, .text = line, .len = len, .is_header = true,
			   .at = { hm_input_lineno(r->in), 1 } };
	hdr = parse_span(r, line, len, o.at);
	if (!hdr)
		return -EINVAL;
	o.obj = hdr;
	if (!json_is_object(hdr) || !json_object_get(hdr, "format")) {
		bool event = json_is_object(hdr) &&
			     (json_object_get(hdr, "op") || json_object_get(hdr, "ts"));

		json_decref(hdr);
		return jfail(&o, NULL, event ?
			     "expected the header line {\"format\": \"hmtrace\", \"version\": 1, ...} before the first event" :
			     "expected the header line {\"format\": \"hmtrace\", \"version\": 1, ...}");
	}
	for (size_t i = 0; i < sizeof(members) / sizeof(members[0]); i++) {
		json_t *v = json_object_get(hdr, members[i]);
		long off;

		if (!v)
			continue;
		off = find_member(line, len, members[i]);
		if (off < 0)
			off = 0;
		rc = header_member(r, st, members[i], v, line + off, len - (size_t)off,
				   pos_in(line, (size_t)off, o.at), o.at);
		if (rc < 0) {
			json_decref(hdr);
			return rc;
		}
	}
	if (!st->seen_version)
		rc = jfail(&o, NULL, "missing \"version\": 1 in the header line");
	json_decref(hdr);
	if (rc == 0 && st->js) {
		const char *t = getenv("HM_JSON_THREAD");

		/* "0": never, "1": from the first event, else once the trace is long */
		st->thread_after = !t || !t[0] ? LA_AFTER : strcmp(t, "0") == 0 ? UINT64_MAX : 0;
		if (st->thread_after == 0)
			la_start(r, st);
	}
	return rc;
}

static int jsonl_next(struct hm_reader *r, struct hm_event *ev)
{
	struct json_priv *st = r->priv;
	const char *line;
	size_t len;
	int rc;

	if (!st->la && st->nevents >= st->thread_after && st->js && !hm_input_at_eof(r->in))
		la_start(r, st);
	if (st->la)
		return la_next(r, st, ev);
	for (;;) {
		if (st->js && jsonl_inplace(r->in, st->js, cpu_limit(r), ev) > 0) {
			st->nevents++;
			st->fast++;
			return 1;
		}
		rc = hm_input_getline(r->in, &line, &len, &r->err);
		if (rc <= 0)
			return rc;
		if (blank(line, len))
			continue;
		if (st->js) {
			size_t end;

			if (hm_jscan_event(st->js, line, len, cpu_limit(r), true, ev, &end) ==
			    HM_JSCAN_EVENT) {
				ev->line = hm_input_lineno(r->in);
				st->nevents++;
				st->fast++;
				return 1;
			}
			hm_event_init(ev);
		}
		rc = jsonl_slow(r, st, line, len, hm_input_lineno(r->in), ev);
		if (rc != 0)
			return rc;
	}
}

static int jsonl_probe(const unsigned char *buf, size_t len)
{
	const char *s = skip_bom((const char *)buf, &len);
	const char *nl, *next;
	json_t *j;
	json_error_t e;
	int score = 0;

	while (len && is_ws(*s) && *s != '\n') {
		s++;
		len--;
	}
	if (!len || *s != '{')
		return 0;
	nl = memchr(s, '\n', len);
	if (!nl)
		return 0;
	j = json_loadb(s, (size_t)(nl - s), JSON_DECODE_ANY, &e);
	if (!json_is_object(j)) {
		json_decref(j);
		return 0;
	}
	if (json_object_get(j, "events")) {
		score = 0;
	} else if (json_object_get(j, "format")) {
		score = 90;
	} else {
		/* events without a header: still JSON Lines, so the error says so */
		for (next = nl + 1; next < s + len && is_ws(*next); next++)
			;
		if (next < s + len && *next == '{')
			score = 60;
	}
	json_decref(j);
	return score;
}

/* -------------------------------------------------------------- document --- */

/* Look at the next byte: *c = the byte, or -1 at the end of the input. */
static int doc_peek(struct hm_reader *r, int *c)
{
	size_t avail;
	const unsigned char *p = hm_input_data(r->in, &avail);

	if (!avail) {
		long n = hm_input_fill(r->in, 1, &r->err);

		if (n < 0)
			return (int)n;
		if (n == 0) {
			*c = -1;
			return 0;
		}
		p = hm_input_data(r->in, &avail);
	}
	*c = p[0];
	return 0;
}

static void doc_advance(struct hm_reader *r, struct json_priv *st, size_t n)
{
	size_t avail;
	const unsigned char *p = hm_input_data(r->in, &avail);

	st->pos = pos_in((const char *)p, n, st->pos);
	hm_input_consume(r->in, n);
}

/* Skip white space; *c = the next byte or -1. */
static int doc_ws(struct hm_reader *r, struct json_priv *st, int *c)
{
	for (;;) {
		size_t avail, i = 0;
		const unsigned char *p;
		int rc = doc_peek(r, c);

		if (rc < 0 || *c < 0)
			return rc;
		p = hm_input_data(r->in, &avail);
		while (i < avail && is_ws(p[i]))
			i++;
		if (i == 0)
			return 0;
		doc_advance(r, st, i);
	}
}

static int doc_unexpected(struct hm_reader *r, struct json_priv *st, int c, const char *what)
{
	if (c < 0)
		return hm_reader_fail(r, st->pos.line, st->pos.col,
				      "unexpected end of input: expected %s", what);
	if (c == 0)
		return hm_reader_fail(r, st->pos.line, st->pos.col,
				      "unexpected NUL byte (binary data?)");
	if (c >= 0x20 && c < 0x7f)
		return hm_reader_fail(r, st->pos.line, st->pos.col, "expected %s, not '%c'", what,
				      c);
	return hm_reader_fail(r, st->pos.line, st->pos.col, "expected %s, not byte 0x%02x", what,
			      c);
}

/*
 * The span of the value at the cursor, not consumed: the whole value, or
 * everything up to the end of the input when it is cut short (jansson then
 * says what is missing).
 */
static int doc_span(struct hm_reader *r, struct json_priv *st, const char **text, size_t *len)
{
	struct vscan vs = { 0 };
	size_t off = 0;

	for (;;) {
		size_t avail, k;
		const unsigned char *d = hm_input_data(r->in, &avail);
		bool done;
		long n;

		k = vscan_feed(&vs, d + off, avail - off, &done);
		if (vs.nul) {
			struct jpos p = pos_in((const char *)d, off + k, st->pos);

			return hm_reader_fail(r, p.line, p.col, "unexpected NUL byte (binary data?)");
		}
		if (done) {
			*text = (const char *)d;
			*len = off + k;
			return 0;
		}
		off = avail;
		if (off > HM_INPUT_MAX_LINE)
			return hm_reader_fail(r, st->pos.line, st->pos.col,
					      "JSON value longer than %u MiB (the limit of this reader)",
					      HM_INPUT_MAX_LINE >> 20);
		n = hm_input_fill(r->in, avail + HM_INPUT_BLOCK, &r->err);
		if (n < 0)
			return (int)n;
		if ((size_t)n == avail) {
			*text = (const char *)hm_input_data(r->in, &avail);
			*len = avail;
			return 0;
		}
	}
}

/* Consume the value at the cursor without keeping it (the "events" look-ahead). */
static int doc_skip(struct hm_reader *r, struct json_priv *st)
{
	struct vscan vs = { 0 };

	for (;;) {
		size_t avail, k;
		const unsigned char *d = hm_input_data(r->in, &avail);
		bool done;
		long n;

		k = vscan_feed(&vs, d, avail, &done);
		doc_advance(r, st, k);
		if (vs.nul)
			return hm_reader_fail(r, st->pos.line, st->pos.col,
					      "unexpected NUL byte (binary data?)");
		if (done)
			return 0;
		n = hm_input_fill(r->in, HM_INPUT_BLOCK, &r->err);
		if (n < 0)
			return (int)n;
		if (n == 0)
			return hm_reader_fail(r, st->pos.line, st->pos.col,
					      "unexpected end of input inside \"events\"");
	}
}

/* Back to the "[" of "events" after reading the members that follow it. */
static int doc_rewind_to_events(struct hm_reader *r, struct json_priv *st)
{
	uint64_t left = st->events_off;

	if (hm_input_rewind(r->in, &r->err) < 0)
		return hm_reader_fail(r, st->events_pos.line, st->events_pos.col,
				      "\"events\" comes before \"format\", \"version\" or \"meta\": reading that order needs a regular file, not a pipe (write the header members first)");
	while (left) {
		size_t avail;
		long n = hm_input_fill(r->in, left < HM_INPUT_BLOCK ? left : HM_INPUT_BLOCK,
				       &r->err);

		if (n < 0)
			return (int)n;
		if (n == 0)
			return hm_reader_fail(r, 0, 0, "the input changed while it was read");
		hm_input_data(r->in, &avail);
		if (avail > left)
			avail = left;
		hm_input_consume(r->in, avail);
		left -= avail;
	}
	st->pos = st->events_pos;
	doc_advance(r, st, 1); /* the "[" */
	st->tail_done = true;
	st->first_elem = true;
	return 1;
}

/* The end of the outer object: nothing may follow, the header must be complete. */
static int doc_close(struct hm_reader *r, struct json_priv *st)
{
	int c, rc;

	doc_advance(r, st, 1);
	rc = doc_ws(r, st, &c);
	if (rc < 0)
		return rc;
	if (c >= 0)
		return doc_unexpected(r, st, c, "the end of the input after the trace document");
	if (!st->seen_format)
		return hm_reader_fail(r, st->doc_pos.line, st->doc_pos.col,
				      "missing \"format\": \"hmtrace\" in the trace document");
	if (!st->seen_version)
		return hm_reader_fail(r, st->doc_pos.line, st->doc_pos.col,
				      "missing \"version\": 1 in the trace document");
	if (!st->seen_events)
		return hm_reader_fail(r, st->doc_pos.line, st->doc_pos.col,
				      "missing \"events\" in the trace document (use \"events\": [] for none)");
	if (st->events_deferred && !st->tail_done)
		return doc_rewind_to_events(r, st);
	return 0;
}

/*
 * Read members of the outer object until the "events" array can be streamed
 * (returns 1, cursor after its "[") or the object ends (returns 0).
 */
static int doc_members(struct hm_reader *r, struct json_priv *st)
{
	for (;;) {
		struct jpos at, key_at;
		const char *text;
		size_t len;
		json_t *j;
		char key[64];
		int c, rc;

		rc = doc_ws(r, st, &c);
		if (rc < 0)
			return rc;
		if (c == '}')
			return doc_close(r, st);
		if (st->members > 0) {
			if (c != ',')
				return doc_unexpected(r, st, c, "',' or '}' in the trace document");
			doc_advance(r, st, 1);
			rc = doc_ws(r, st, &c);
			if (rc < 0)
				return rc;
		}
		if (c != '"')
			return doc_unexpected(r, st, c, "a member name (a string)");
		key_at = at = st->pos;
		rc = doc_span(r, st, &text, &len);
		if (rc < 0)
			return rc;
		j = parse_span(r, text, len, at);
		if (!j)
			return -EINVAL;
		copy_trunc(key, sizeof(key), json_string_value(j), json_string_length(j));
		json_decref(j);
		doc_advance(r, st, len);
		rc = doc_ws(r, st, &c);
		if (rc < 0)
			return rc;
		if (c != ':')
			return doc_unexpected(r, st, c, "':' after the member name");
		doc_advance(r, st, 1);
		rc = doc_ws(r, st, &c);
		if (rc < 0)
			return rc;
		st->members++;

		if (strcmp(key, "events") == 0) {
			if (st->seen_events)
				return hm_reader_fail(r, at.line, at.col,
						      "duplicate member \"events\"");
			st->seen_events = true;
			if (c != '[')
				return c == -1 || c == 0 ?
				       doc_unexpected(r, st, c, "'['") :
				       hm_reader_fail(r, st->pos.line, st->pos.col,
						      "\"events\" must be an array");
			if (st->seen_format && st->seen_version && st->seen_meta) {
				doc_advance(r, st, 1);
				st->first_elem = true;
				return 1;
			}
			/* the header comes later: read it first, then come back */
			st->events_deferred = true;
			st->events_off = hm_input_offset(r->in);
			st->events_pos = st->pos;
			rc = doc_skip(r, st);
			if (rc < 0)
				return rc;
			continue;
		}
		at = st->pos;
		rc = doc_span(r, st, &text, &len);
		if (rc < 0)
			return rc;
		j = parse_span(r, text, len, at);
		if (!j)
			return -EINVAL;
		rc = header_member(r, st, key, j, text, len, at, key_at);
		json_decref(j);
		if (rc < 0)
			return rc;
		doc_advance(r, st, len);
	}
}

static int json_open(struct hm_reader *r)
{
	struct json_priv *st;
	const unsigned char *p;
	size_t avail;
	int c, rc;

	rc = json_alloc(r, false);
	if (rc < 0)
		return rc;
	st = r->priv;
	if (hm_input_fill(r->in, 3, &r->err) < 0)
		return -EINVAL;
	p = hm_input_data(r->in, &avail);
	if (avail >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		hm_input_consume(r->in, 3);	/* a UTF-8 byte order mark: ignored */
	rc = doc_ws(r, st, &c);
	if (rc < 0)
		return rc;
	if (c != '{')
		return doc_unexpected(r, st, c, "'{' to start the trace document");
	st->doc_pos = st->pos;
	doc_advance(r, st, 1);
	rc = doc_members(r, st);
	if (rc < 0)
		return rc;
	st->phase = rc == 1 ? DOC_EVENTS : DOC_DONE;
	return 0;
}

static int json_next(struct hm_reader *r, struct hm_event *ev)
{
	struct json_priv *st = r->priv;

	while (st->phase == DOC_EVENTS) {
		struct jobj o;
		const char *text;
		size_t len;
		int c, rc;

		rc = doc_ws(r, st, &c);
		if (rc < 0)
			return rc;
		if (c == ']' && st->first_elem)
			goto end;
		if (!st->first_elem) {
			if (c == ']')
				goto end;
			if (c != ',')
				return doc_unexpected(r, st, c, "',' or ']' after an event");
			doc_advance(r, st, 1);
			rc = doc_ws(r, st, &c);
			if (rc < 0)
				return rc;
		}
		st->first_elem = false;
		if (c != '{') {
			if (c == -1 || c == 0 || c == ']')
				return doc_unexpected(r, st, c, "an event object");
			return hm_reader_fail(r, st->pos.line, st->pos.col,
					      "event %llu: expected an event object",
					      (unsigned long long)st->nevents);
		}
		if (st->js) {
			const unsigned char *d = hm_input_data(r->in, &len);
			size_t end;
			int fr;

			fr = hm_jscan_event(st->js, (const char *)d, len, cpu_limit(r), false, ev,
					    &end);
			if (fr == HM_JSCAN_MORE) {
				/* the object goes on past the buffered bytes */
				rc = doc_span(r, st, &text, &len);
				if (rc < 0)
					return rc;
				fr = hm_jscan_event(st->js, text, len, cpu_limit(r), false, ev,
						    &end);
			}
			if (fr == HM_JSCAN_EVENT) {
				ev->line = st->pos.line;
				doc_advance(r, st, end);
				st->nevents++;
				st->fast++;
				return 1;
			}
			hm_event_init(ev);
		}
		o = (struct jobj){ .r = r, .evno = st->nevents, .at = st->pos };
		rc = doc_span(r, st, &text, &len);
		if (rc < 0)
			return rc;
		o.text = text;
		o.len = len;
		o.obj = parse_span(r, text, len, o.at);
		if (!o.obj)
			return -EINVAL;
		rc = event_parse(&o, ev);
		json_decref(o.obj);
		doc_advance(r, st, len);
		st->nevents++;
		if (rc != 0)
			return rc;
		continue;
end:
		doc_advance(r, st, 1);
		if (st->tail_done) {
			st->phase = DOC_DONE;
			break;
		}
		rc = doc_members(r, st);
		if (rc < 0)
			return rc;
		st->phase = rc == 1 ? DOC_EVENTS : DOC_DONE;
	}
	return 0;
}

static int json_probe(const unsigned char *buf, size_t len)
{
	size_t i = 0;

	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < len && is_ws(buf[i]))
		i++;
	if (i < len && buf[i] == '{')
		return 50;
	if (i < len && buf[i] == '[')
		return 10;	/* not a trace document, but say so as JSON */
	return 0;
}

uint64_t hm_json_fast_events(const struct hm_reader *r)
{
	const struct json_priv *st = r->priv;

	if (!r->ops || (strcmp(r->ops->name, "json") != 0 && strcmp(r->ops->name, "jsonl") != 0))
		return 0;
	return st ? st->fast : 0;
}

const struct hm_format_ops hm_format_json = {
	.name = "json",
	.description = "hmtrace trace format v1, one JSON document (man hm-trace 5)",
	.probe = json_probe,
	.open = json_open,
	.next = json_next,
	.close = json_close,
};

const struct hm_format_ops hm_format_jsonl = {
	.name = "jsonl",
	.description = "hmtrace trace format v1 as JSON Lines: a header line, one event per line",
	.probe = jsonl_probe,
	.open = jsonl_open,
	.next = jsonl_next,
	.close = json_close,
};
