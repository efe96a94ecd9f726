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
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "input.h"
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

struct json_priv {
	bool lines;		/* JSON Lines, else the document */
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
	for (size_t i = 0; i < off; i++) {
		if (text[i] == '\n') {
			at.line++;
			at.col = 1;
		} else if (((unsigned char)text[i] & 0xc0) != 0x80) {
			at.col++;
		}
	}
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
	const char *s;
	size_t len;
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
	const char *s, *opname;
	char q[64];
	uint64_t u;
	size_t len;
	bool b, known = false;
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
	const char *s;
	size_t len;
	uint64_t u;
	bool b;
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

	if (!st)
		return hm_reader_nomem(r);
	st->lines = lines;
	st->pos.line = 1;
	st->pos.col = 1;
	r->priv = st;
	return 0;
}

static void json_close(struct hm_reader *r)
{
	free(r->priv);
	r->priv = NULL;
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
	return rc;
}

static int jsonl_next(struct hm_reader *r, struct hm_event *ev)
{
	struct json_priv *st = r->priv;
	const char *line;
	size_t len;
	int rc;

	for (;;) {
		struct jobj o;

		rc = hm_input_getline(r->in, &line, &len, &r->err);
		if (rc <= 0)
			return rc;
		if (blank(line, len))
			continue;
		o = (struct jobj){ .r = r, .text = line, .len = len, .evno = st->nevents,
				   .at = { hm_input_lineno(r->in), 1 } };
		o.obj = parse_span(r, line, len, o.at);
		if (!o.obj)
			return -EINVAL;
		rc = event_parse(&o, ev);
		json_decref(o.obj);
		st->nevents++;
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
