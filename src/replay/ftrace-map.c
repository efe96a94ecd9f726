// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ftrace-map.c - the event-name -> op table of the ftrace reader, read from
 * text in one syntax for the built-in table and for --map files:
 *
 *	EVENT  OP  [role=entry|return] [ctx=CTX] [OPERAND=FIELD ...]
 *
 * man/hm-trace.5 is the specification; keep the two in step.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ftrace-map.h"
#include "input.h"

/*
 * The probes of the real captures (see traces/README.md) and the scheduler
 * and interrupt tracepoints, as Linux 6.1 prints them.
 */
const char hm_fmap_default_text[] =
	"# EVENT            OP                 OPERANDS\n"
	"kmap_high          kmap               page=page\n"
	"kmap_high_ret      kmap               role=return vaddr=vaddr\n"
	"kunmap_high        kunmap             page=page\n"
	"kmap_local         kmap_local         pfn=pfn\n"
	"kmap_local_ret     kmap_local         role=return vaddr=vaddr\n"
	"kunmap_local       kunmap_local       vaddr=vaddr\n"
	"kmap_flush_unused  kmap_flush_unused\n"
	"flush_all_zero     flush_all_zero\n"
	"sched_switch       sched_switch       pid=prev_pid next_pid=next_pid comm=prev_comm\n"
	"sched_process_exit task_exit          pid=pid comm=comm\n"
	"sched_process_fork fork               pid=pid next_pid=child_pid comm=comm\n"
	"sched_migrate_task migrate            pid=pid cpu=orig_cpu dest_cpu=dest_cpu comm=comm\n"
	"irq_handler_entry  irq_enter          ctx=hardirq\n"
	"irq_handler_exit   irq_exit           ctx=hardirq\n"
	"softirq_entry      irq_enter          ctx=softirq\n"
	"softirq_exit       irq_exit           ctx=softirq\n";

static const char *const opd_names[HM_FMAP__COUNT] = {
	[HM_FMAP_PFN] = "pfn",
	[HM_FMAP_PAGE] = "page",
	[HM_FMAP_VADDR] = "vaddr",
	[HM_FMAP_PID] = "pid",
	[HM_FMAP_NEXT_PID] = "next_pid",
	[HM_FMAP_CPU] = "cpu",
	[HM_FMAP_DEST_CPU] = "dest_cpu",
	[HM_FMAP_COMM] = "comm",
};

const char *hm_fmap_opd_name(unsigned int opd)
{
	return opd < HM_FMAP__COUNT ? opd_names[opd] : "?";
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static bool is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == ':' || c == '.' || c == '-' || c == '/';
}

static __attribute__((format(printf, 6, 7))) int map_fail(struct hm_error *err, const char *file,
							  uint64_t line, const char *s, size_t off,
							  const char *fmt, ...)
{
	struct hm_where w = { .file = file, .line = line, .col = hm_text_col(s, off) };
	char msg[300];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	hm_error_set(err, HM_EXIT_INPUT, &w, "%s", msg);
	return -EINVAL;
}

static char *dupn(const char *s, size_t len)
{
	char *d = malloc(len + 1);

	if (d) {
		memcpy(d, s, len);
		d[len] = '\0';
	}
	return d;
}

static void entry_free(struct hm_fmap_entry *e)
{
	free(e->event);
	for (unsigned int k = 0; k < HM_FMAP__COUNT; k++)
		free(e->field[k]);
	memset(e, 0, sizeof(*e));
}

static bool op_needs_operand(int op)
{
	return op == HM_OP_KMAP || op == HM_OP_KUNMAP || op == HM_OP_KMAP_ATOMIC ||
	       op == HM_OP_KUNMAP_ATOMIC || op == HM_OP_KMAP_LOCAL ||
	       op == HM_OP_KUNMAP_LOCAL || op == HM_OP_KMAP_HIGH_GET;
}

static bool mapped(const struct hm_fmap *map, const char *name, size_t len)
{
	for (size_t i = 0; i < map->n; i++)
		if (map->e[i].event_len == len && memcmp(map->e[i].event, name, len) == 0)
			return true;
	return false;
}

/* Checks that need the whole line; @s is the line for the error column. */
static int entry_check(const struct hm_fmap *map, const struct hm_fmap_entry *e,
		       const char *file, const char *s, struct hm_error *err)
{
	const char *ev = e->event;
	const char *op = e->op >= 0 ? hm_op_name((unsigned int)e->op) : "ignore";
	uint64_t l = e->line;

	if (mapped(map, e->event, e->event_len))
		return map_fail(err, file, l, s, 0, "event \"%s\" is mapped twice", ev);
	if (e->ret && e->op < 0)
		return map_fail(err, file, l, s, 0,
				"event \"%s\": role=return makes no sense with \"ignore\"", ev);
	if (e->ret && map->has_return[e->op])
		return map_fail(err, file, l, s, 0,
				"event \"%s\": op \"%s\" already has a return event", ev, op);
	if (e->ret && !e->field[HM_FMAP_VADDR])
		return map_fail(err, file, l, s, 0,
				"event \"%s\": a return event needs vaddr=FIELD", ev);
	if (!e->ret && op_needs_operand(e->op) && !e->field[HM_FMAP_PFN] &&
	    !e->field[HM_FMAP_PAGE] && !e->field[HM_FMAP_VADDR])
		return map_fail(err, file, l, s, 0,
				"event \"%s\": op \"%s\" needs pfn=, page= or vaddr=FIELD", ev, op);
	if ((e->op == HM_OP_SCHED_SWITCH || e->op == HM_OP_FORK) && !e->field[HM_FMAP_NEXT_PID])
		return map_fail(err, file, l, s, 0, "event \"%s\": op \"%s\" needs next_pid=FIELD",
				ev, op);
	if (e->op == HM_OP_MIGRATE && !e->field[HM_FMAP_DEST_CPU])
		return map_fail(err, file, l, s, 0, "event \"%s\": op \"%s\" needs dest_cpu=FIELD",
				ev, op);
	if ((e->op == HM_OP_IRQ_ENTER || e->op == HM_OP_IRQ_EXIT) &&
	    (e->ctx < 0 || e->ctx == HM_CTX_TASK))
		return map_fail(err, file, l, s, 0,
				"event \"%s\": op \"%s\" needs ctx=hardirq, ctx=softirq or ctx=nmi",
				ev, op);
	return 0;
}

/* The value of one KEY=VALUE token into @e. */
static int parse_kv(struct hm_fmap_entry *e, const char *s, size_t ts, size_t te,
		    const char *file, struct hm_error *err)
{
	const char *eq = memchr(s + ts, '=', te - ts);
	const char *k = s + ts;
	size_t klen = eq ? (size_t)(eq - k) : 0;
	const char *v = eq ? eq + 1 : NULL;
	size_t vlen = eq ? (size_t)(s + te - v) : 0;
	int tl = (int)(te - ts > 60 ? 60 : te - ts);
	int vl = (int)(vlen > 60 ? 60 : vlen);
	unsigned int o;

	if (!eq || !klen || !vlen)
		return map_fail(err, file, e->line, s, ts, "expected KEY=VALUE, not \"%.*s\"", tl, k);
	if (klen == 4 && memcmp(k, "role", 4) == 0) {
		if (vlen == 6 && memcmp(v, "return", 6) == 0)
			e->ret = true;
		else if (vlen == 5 && memcmp(v, "entry", 5) == 0)
			e->ret = false;
		else
			return map_fail(err, file, e->line, s, (size_t)(v - s),
					"\"role\" must be entry or return, not \"%.*s\"", vl, v);
		return 0;
	}
	if (klen == 3 && memcmp(k, "ctx", 3) == 0) {
		e->ctx = hm_ctx_from_name(v, vlen);
		if (e->ctx < 0)
			return map_fail(err, file, e->line, s, (size_t)(v - s),
					"\"ctx\" must be task, softirq, hardirq or nmi, not \"%.*s\"",
					vl, v);
		return 0;
	}
	for (o = 0; o < HM_FMAP__COUNT; o++)
		if (strlen(opd_names[o]) == klen && memcmp(opd_names[o], k, klen) == 0)
			break;
	if (o == HM_FMAP__COUNT)
		return map_fail(err, file, e->line, s, ts,
				"unknown key \"%.*s\" (expected role, ctx, pfn, page, vaddr, pid, next_pid, cpu, dest_cpu or comm)",
				(int)(klen > 60 ? 60 : klen), k);
	free(e->field[o]);
	e->field[o] = dupn(v, vlen);
	e->field_len[o] = vlen;
	if (!e->field[o]) {
		hm_error_set(err, HM_EXIT_SYSTEM, NULL, "out of memory");
		return -ENOMEM;
	}
	return 0;
}

/* One "EVENT OP [KEY=VALUE ...]" line; @s is the line, not NUL-terminated. */
static int parse_line(struct hm_fmap *map, const char *s, size_t len, uint64_t lineno,
		      const char *file, struct hm_error *err)
{
	struct hm_fmap_entry e = { .ctx = -1, .line = lineno };
	size_t i = 0, ts, te;
	int ntok = 0, rc = 0;

	for (;;) {
		while (i < len && is_space(s[i]))
			i++;
		if (i >= len || s[i] == '#')
			break;
		ts = i;
		while (i < len && !is_space(s[i]) && s[i] != '#')
			i++;
		te = i;
		if (ntok == 0) {
			for (size_t k = ts; k < te; k++)
				if (!is_name_char(s[k]))
					return map_fail(err, file, lineno, s, k,
							"bad character in event name \"%.*s\"",
							(int)(te - ts > 60 ? 60 : te - ts), s + ts);
			e.event = dupn(s + ts, te - ts);
			e.event_len = te - ts;
			if (!e.event) {
				hm_error_set(err, HM_EXIT_SYSTEM, NULL, "out of memory");
				return -ENOMEM;
			}
		} else if (ntok == 1) {
			if (te - ts == 6 && memcmp(s + ts, "ignore", 6) == 0)
				e.op = HM_FMAP_IGNORE;
			else
				e.op = hm_op_from_name(s + ts, te - ts);
			if (e.op == -1) {
				rc = map_fail(err, file, lineno, s, ts,
					      "unknown op \"%.*s\" (see hm-trace(5) for the list, or \"ignore\")",
					      (int)(te - ts > 60 ? 60 : te - ts), s + ts);
				goto fail;
			}
		} else {
			rc = parse_kv(&e, s, ts, te, file, err);
			if (rc < 0)
				goto fail;
		}
		ntok++;
	}
	if (ntok == 0)
		return 0;
	if (ntok == 1) {
		rc = map_fail(err, file, lineno, s, len, "expected an op after the event name");
		goto fail;
	}
	rc = entry_check(map, &e, file, s, err);
	if (rc < 0)
		goto fail;
	if (map->n == map->cap) {
		size_t ncap = map->cap ? map->cap * 2 : 32;
		struct hm_fmap_entry *ne = realloc(map->e, ncap * sizeof(*ne));

		if (!ne) {
			hm_error_set(err, HM_EXIT_SYSTEM, NULL, "out of memory");
			rc = -ENOMEM;
			goto fail;
		}
		map->e = ne;
		map->cap = ncap;
	}
	if (e.ret)
		map->has_return[e.op] = true;
	map->e[map->n++] = e;
	return 0;
fail:
	entry_free(&e);
	return rc;
}

int hm_fmap_parse(struct hm_fmap *map, const char *text, size_t len, const char *file,
		  struct hm_error *err)
{
	uint64_t lineno = 0;
	size_t i = 0;

	while (i < len) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t n = nl ? (size_t)(nl - (text + i)) : len - i;
		const char *nul = memchr(text + i, '\0', n);
		int rc;

		lineno++;
		if (nul) {
			size_t off = (size_t)(nul - (text + i));
			struct hm_where w = { .file = file, .line = lineno,
					      .col = hm_text_col(text + i, off) };

			hm_error_set(err, HM_EXIT_INPUT, &w, "unexpected NUL byte (binary data?)");
			return -EINVAL;
		}
		rc = parse_line(map, text + i, n, lineno, file, err);
		if (rc < 0)
			return rc;
		i += n + 1;
	}
	return 0;
}

int hm_fmap_load(struct hm_fmap *map, const char *path, struct hm_error *err)
{
	struct hm_input *in;
	const unsigned char *data;
	size_t avail;
	long n;
	int rc;

	if (!path)
		return hm_fmap_parse(map, hm_fmap_default_text, strlen(hm_fmap_default_text),
				     "<built-in map>", err);
	in = hm_input_open(path, err);
	if (!in)
		return -EINVAL;
	/* a map is a few lines: read it whole, at most one MiB */
	n = hm_input_fill(in, HM_INPUT_BLOCK + 1, err);
	if (n >= 0 && (size_t)n > HM_INPUT_BLOCK) {
		struct hm_where w = { .file = hm_input_display(in) };

		hm_error_set(err, HM_EXIT_INPUT, &w, "map file larger than 1 MiB");
		n = -EINVAL;
	}
	if (n >= 0) {
		data = hm_input_data(in, &avail);
		rc = hm_fmap_parse(map, (const char *)data, avail, hm_input_display(in), err);
	} else {
		rc = (int)n;
	}
	/* messages keep pointing at the name after the input is gone */
	if (rc < 0 && err->where.file == hm_input_display(in))
		err->where.file = path;
	hm_input_close(in);
	return rc;
}

const struct hm_fmap_entry *hm_fmap_find(const struct hm_fmap *map, const char *name, size_t len)
{
	const char *colon;

	for (size_t i = 0; i < map->n; i++)
		if (map->e[i].event_len == len && memcmp(map->e[i].event, name, len) == 0)
			return &map->e[i];
	/* "group:name" (perf script, trace-cmd) matches an entry for "name" */
	colon = len ? memrchr(name, ':', len) : NULL;
	if (colon)
		return hm_fmap_find(map, colon + 1, len - (size_t)(colon + 1 - name));
	return NULL;
}

void hm_fmap_free(struct hm_fmap *map)
{
	for (size_t i = 0; i < map->n; i++) {
		free(map->e[i].event);
		for (unsigned int k = 0; k < HM_FMAP__COUNT; k++)
			free(map->e[i].field[k]);
	}
	free(map->e);
	memset(map, 0, sizeof(*map));
}
