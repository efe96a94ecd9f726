// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fmt-ctf.c - CTF traces (LTTng kernel sessions, `perf data convert --to-ctf`,
 * and our own native event classes), decoded by libbabeltrace2.
 *
 * The graph is src.ctf.fs -> a sink of ours with one input port per stream,
 * which merges the streams by time itself (cheaper than flt.utils.muxer, as it
 * orders only the events we keep).  We are pulled: next() runs the graph one
 * step at a time and keeps what the sink decoded in a queue.  Entry/return
 * probe pairs become one event at the entry's place in the queue; events behind
 * a call whose return has not been seen yet wait for it, so what we hand out
 * stays in entry order.
 */

#include <babeltrace2/babeltrace.h>

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "reader_priv.h"
#include "reader_util.h"

/* An entry not answered within this many queued events is handed out alone. */
#define CTF_MAX_HOLD (1u << 20)
/*
 * Calls of one function one task can have in flight at once: its own, and
 * those of the softirq, hardirq and NMI that interrupt it.  Beyond that the
 * oldest one's return was lost (kretprobe maxactive), and it is handed out alone.
 */
#define CTF_MAX_NEST 4

/* What an event class means to us. */
enum ctf_kind {
	CTF_K_IGNORE,		/* not ours (LTTng and perf traces hold many others) */
	CTF_K_EVENT,		/* a complete event */
	CTF_K_ENTRY,		/* the entry half of a call whose return comes apart */
	CTF_K_RETURN,		/* the return half */
	CTF_K_COMM,		/* perf_comm, lttng_statedump_process_state: tid -> comm */
};

/* Where a value lives in an event: which structure, which member. */
enum ctf_scope {
	CTF_S_NONE,
	CTF_S_PAYLOAD,
	CTF_S_COMMON_CTX,	/* stream event context (LTTng's pid/tid/procname) */
	CTF_S_SPECIFIC_CTX,	/* event context */
	CTF_S_PACKET_CTX,	/* packet context (cpu_id) */
};

struct ctf_loc {
	uint8_t scope;		/* enum ctf_scope */
	uint8_t is_signed;
	uint8_t is_string;
	uint32_t index;
};

/* Values we look for, in every event class. */
enum ctf_val {
	CV_TS,			/* native: overrides the clock */
	CV_RET_TS,
	CV_CPU,
	CV_PID,
	CV_NEXT_PID,
	CV_DEST_CPU,
	CV_PFN,
	CV_PAGE,
	CV_VADDR,
	CV_COMM,
	CV_SITE,
	CV_CTX,			/* native: "task", "softirq", ... */
	CV_FLAGS,		/* native: HM_EVF_* */
	CV_TRACE_FLAGS,		/* perf: common_flags */
	CV_PREEMPT,		/* perf: common_preempt_count */
	CV_COMM_TID,		/* CTF_K_COMM: whose comm */
	CV__COUNT
};

/* The last string seen in one place, and its string table id (0: none yet). */
struct ctf_strcache {
	char buf[31];
	uint8_t len;
	uint32_t id;
};

/* The last four strings seen in one place: a few tasks or call sites take turns. */
struct ctf_strcache4 {
	struct ctf_strcache e[4];
	uint8_t next;		/* entry to replace next */
};

struct ctf_class {
	const bt_event_class *ec;	/* key; NULL: empty hash slot */
	uint8_t kind;			/* enum ctf_kind */
	uint8_t op;			/* enum hm_op */
	int8_t irq;			/* irq enter/exit: enum hm_ctx of the kind, else -1 */
	struct ctf_loc loc[CV__COUNT];
	struct ctf_loc next_comm;
	bool learn;			/* its stream has events without comm: keep tid -> comm */
	bool has_clock;			/* its stream class has a default clock */
	struct ctf_strcache4 comm_cache, site_cache;
	struct ctf_strcache next_comm_cache;
};

struct ctf_slot {
	struct hm_event ev;
	bool pending;
};

/* A call waiting for its return (the entry is queued at seq). */
struct ctf_pend {
	uint64_t seq;
	int64_t key;		/* ctf_task_key() */
	uint16_t op;
	uint8_t ctx;
};

struct ctf_comm {
	int32_t tid;
	uint32_t comm;		/* string id, 0: empty slot */
};

/* One stream of the trace (an output port of src.ctf.fs), as our sink pulls it. */
struct ctf_port {
	bt_message_iterator *it;
	bt_message_array_const msgs;	/* the last batch; ours from pos on */
	uint64_t count, pos;
	struct ctf_class *head_class;	/* msgs[pos] is an event of ours, of this class */
	int64_t head_ns;		/* ... at this time */
	bool ended;
};

struct ctf_state {
	struct hm_reader *r;
	bt_graph *graph;
	const bt_plugin *ctf_plugin;
	bt_component_class_sink *sink_cls;
	struct ctf_port *ports;
	uint32_t nr_ports;

	/* event class table, open addressing on the class pointer */
	struct ctf_class *classes;
	uint32_t nr_classes, cap_classes;
	const bt_event_class *last_ec;	/* the class of the previous event */
	struct ctf_class *last_class;

	/* the queue: absolute sequence numbers, slot = seq & (cap - 1) */
	struct ctf_slot *q;
	uint64_t q_head, q_tail;
	uint32_t q_cap;

	struct ctf_pend *pend;
	uint32_t nr_pend, cap_pend;

	/* tid -> comm, learnt from perf_comm, sched_switch, statedump */
	struct ctf_comm *comms;
	uint32_t nr_comms, cap_comms;

	/* per CPU interrupt nesting, for traces that do not say the context */
	uint32_t *hardirq, *softirq;
	uint32_t nr_irq_cpus;

	/* the last event decoded, for errors met while reading */
	int64_t last_ns;
	bool have_last;

	/*
	 * The CPU of each packet, set from its beginning message.  Packets are
	 * recycled, but a recycled one begins again before its events come.
	 */
	struct {
		const bt_packet *packet;
		uint32_t cpu;
	} pkt_cpu[64];

	uint32_t max_cpu;
	bool seen_cpu;
	bool nr_cpus_from_env;
	bool meta_done;
	bool ended;
	bool failed;		/* an error of ours is in the reader (r->err) */
	bool stopped;		/* the graph failed: err goes out once the queue is empty */
	struct hm_error err;
	int err_rc;
};

static inline uint32_t ctf_hash_ptr(const void *p)
{
	uint64_t x = (uint64_t)(uintptr_t)p;

	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return (uint32_t)x;
}

/* ------------------------------------------------------------ errors --- */

/*
 * Copy a babeltrace2 cause message: one line, without the object addresses
 * ("msg-it-addr=0x55...") that mean nothing to a user, without a final period.
 */
static void ctf_cause_clean(char *dst, size_t size, const char *src)
{
	size_t n = 0;

	while (*src && n + 1 < size) {
		const char *eq = NULL, *p;

		/* a "name-addr=0x..." token: skip it and the ", " after it */
		for (p = src; *p && (*p == '-' || (*p >= 'a' && *p <= 'z')); p++)
			;
		if (p - src >= 4 && !strncmp(p - 4, "addr", 4) && !strncmp(p, "=0x", 3))
			eq = p + 3;
		if (eq && (n == 0 || dst[n - 1] == ' ')) {
			while (isxdigit((unsigned char)*eq))
				eq++;
			src = eq;
			if (*src == ',')
				src++;
			while (*src == ' ')
				src++;
			continue;
		}
		dst[n++] = (*src == '\n' || *src == '\t') ? ' ' : *src;
		src++;
	}
	dst[n] = '\0';
	while (n && (dst[n - 1] == '.' || dst[n - 1] == ' ' || dst[n - 1] == ',' ||
		     dst[n - 1] == ':'))
		dst[--n] = '\0';
}

/*
 * Turn the thread's babeltrace2 error into ours.  Causes run from the root
 * (index 0: "Invalid CTF magic number") outwards; the innermost one naming a
 * file (babeltrace2 quotes paths in backquotes) says where.
 */
static int ctf_fail_bt(struct ctf_state *st, const char *what, const char *logged)
{
	const bt_error *error = bt_current_thread_take_error();
	char root[256] = "", where[256] = "", after[48] = "";
	uint64_t n = error ? bt_error_get_cause_count(error) : 0, i;

	st->failed = true;
	for (i = 0; i < n; i++) {
		const bt_error_cause *c = bt_error_borrow_cause_by_index(error, i);
		const char *m = bt_error_cause_get_message(c);

		if (!m || !*m ||
		    bt_error_cause_get_actor_type(c) == BT_ERROR_CAUSE_ACTOR_TYPE_UNKNOWN)
			continue;
		if (!root[0]) {
			ctf_cause_clean(root, sizeof(root), m);
			if (strchr(m, '`'))
				break;
		} else if (strchr(m, '`')) {
			ctf_cause_clean(where, sizeof(where), m);
			break;
		}
	}
	if (!root[0] && n) {
		const bt_error_cause *c = bt_error_borrow_cause_by_index(error, 0);

		ctf_cause_clean(root, sizeof(root), bt_error_cause_get_message(c));
	}
	/* what babeltrace2 logged is more precise than what it kept as causes */
	if (logged && *logged) {
		if (!where[0] && strchr(root, '`'))
			memcpy(where, root, sizeof(where));
		ctf_cause_clean(root, sizeof(root), logged);
	}
	if (!root[0])
		snprintf(root, sizeof(root), "%s failed", what);
	if (st->have_last)
		snprintf(after, sizeof(after), ", after the event at %" PRId64 " ns", st->last_ns);
	if (where[0] && strcmp(where, root))
		hm_reader_fail(st->r, 0, 0, "CTF: %s: %s%s", where, root, after);
	else
		hm_reader_fail(st->r, 0, 0, "CTF: %s%s", root, after);
	if (error)
		bt_error_release(error);
	return -EINVAL;
}

static int ctf_nomem(struct ctf_state *st)
{
	st->failed = true;
	hm_reader_fail(st->r, 0, 0, "CTF: %s", strerror(ENOMEM));
	st->r->err.status = HM_EXIT_SYSTEM;
	return -ENOMEM;
}

/* ------------------------------------------------------------- names --- */

struct ctf_name {
	const char *name;
	uint8_t op;
	uint8_t kind;		/* CTF_K_EVENT: maybe an entry, see ctf_class_setup() */
	int8_t irq;
};

/*
 * Event names, after the group ("probe:", "sched:", "hm/") and an "hm_" prefix
 * are taken off.  The ftrace reader's probe names, the kernel functions they
 * probe (perf probe's default names), LTTng and perf tracepoint names, and the
 * trace-format ops themselves.
 */
static const struct ctf_name ctf_names[] = {
	{ "kmap_high", HM_OP_KMAP, CTF_K_EVENT, -1 },
	{ "kmap", HM_OP_KMAP, CTF_K_EVENT, -1 },
	{ "kunmap_high", HM_OP_KUNMAP, CTF_K_EVENT, -1 },
	{ "kunmap", HM_OP_KUNMAP, CTF_K_EVENT, -1 },
	{ "kmap_atomic", HM_OP_KMAP_ATOMIC, CTF_K_EVENT, -1 },
	{ "kunmap_atomic", HM_OP_KUNMAP_ATOMIC, CTF_K_EVENT, -1 },
	{ "kmap_local", HM_OP_KMAP_LOCAL, CTF_K_EVENT, -1 },
	{ "__kmap_local_pfn_prot", HM_OP_KMAP_LOCAL, CTF_K_EVENT, -1 },
	{ "kunmap_local", HM_OP_KUNMAP_LOCAL, CTF_K_EVENT, -1 },
	{ "kunmap_local_indexed", HM_OP_KUNMAP_LOCAL, CTF_K_EVENT, -1 },
	{ "kmap_high_get", HM_OP_KMAP_HIGH_GET, CTF_K_EVENT, -1 },
	{ "kmap_flush_unused", HM_OP_KMAP_FLUSH_UNUSED, CTF_K_EVENT, -1 },
	{ "__kmap_flush_unused", HM_OP_KMAP_FLUSH_UNUSED, CTF_K_EVENT, -1 },
	{ "flush_all_zero", HM_OP_FLUSH_ALL_ZERO, CTF_K_EVENT, -1 },
	{ "flush_all_zero_pkmaps", HM_OP_FLUSH_ALL_ZERO, CTF_K_EVENT, -1 },
	{ "sched_switch", HM_OP_SCHED_SWITCH, CTF_K_EVENT, -1 },
	{ "sched_process_exit", HM_OP_TASK_EXIT, CTF_K_EVENT, -1 },
	{ "task_exit", HM_OP_TASK_EXIT, CTF_K_EVENT, -1 },
	{ "sched_process_fork", HM_OP_FORK, CTF_K_EVENT, -1 },
	{ "fork", HM_OP_FORK, CTF_K_EVENT, -1 },
	{ "sched_migrate_task", HM_OP_MIGRATE, CTF_K_EVENT, -1 },
	{ "migrate", HM_OP_MIGRATE, CTF_K_EVENT, -1 },
	{ "irq_handler_entry", HM_OP_IRQ_ENTER, CTF_K_EVENT, HM_CTX_HARDIRQ },
	{ "irq_handler_exit", HM_OP_IRQ_EXIT, CTF_K_EVENT, HM_CTX_HARDIRQ },
	{ "softirq_entry", HM_OP_IRQ_ENTER, CTF_K_EVENT, HM_CTX_SOFTIRQ },
	{ "softirq_exit", HM_OP_IRQ_EXIT, CTF_K_EVENT, HM_CTX_SOFTIRQ },
	{ "irq_softirq_entry", HM_OP_IRQ_ENTER, CTF_K_EVENT, HM_CTX_SOFTIRQ },
	{ "irq_softirq_exit", HM_OP_IRQ_EXIT, CTF_K_EVENT, HM_CTX_SOFTIRQ },
	/* native: the kind comes from its "ctx" field */
	{ "irq_enter", HM_OP_IRQ_ENTER, CTF_K_EVENT, -1 },
	{ "irq_exit", HM_OP_IRQ_EXIT, CTF_K_EVENT, -1 },
	{ "perf_comm", 0, CTF_K_COMM, -1 },
	{ "lttng_statedump_process_state", 0, CTF_K_COMM, -1 },
};

static const struct ctf_name *ctf_name_find(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(ctf_names) / sizeof(ctf_names[0]); i++)
		if (strlen(ctf_names[i].name) == len && !memcmp(ctf_names[i].name, name, len))
			return &ctf_names[i];
	return NULL;
}

static bool ctf_ends_with(const char *s, size_t len, const char *suffix, size_t *base)
{
	size_t n = strlen(suffix);

	if (len <= n || memcmp(s + len - n, suffix, n))
		return false;
	*base = len - n;
	return true;
}

/*
 * Classify an event name.  Sets *ret to whether it names the return half of
 * a probe ("kmap_high_ret", "probe:kmap_high__return", LTTng's "..._return").
 */
static const struct ctf_name *ctf_name_classify(const char *full, bool *ret)
{
	const char *name = full, *p;
	const struct ctf_name *n;
	size_t len, base;

	for (p = full; *p; p++)
		if (*p == ':' || *p == '/')
			name = p + 1;
	if (!strncmp(name, "hm_", 3))
		name += 3;
	len = strlen(name);
	*ret = false;
	n = ctf_name_find(name, len);
	if (n)
		return n;
	if (ctf_ends_with(name, len, "__return", &base) ||
	    ctf_ends_with(name, len, "_return", &base) ||
	    ctf_ends_with(name, len, "_ret", &base)) {
		*ret = true;
		return ctf_name_find(name, base);
	}
	if (ctf_ends_with(name, len, "_entry", &base))
		return ctf_name_find(name, base);
	return NULL;
}

static bool ctf_op_is_call(unsigned int op)
{
	return op == HM_OP_KMAP || op == HM_OP_KMAP_LOCAL || op == HM_OP_KMAP_ATOMIC ||
	       op == HM_OP_KMAP_HIGH_GET;
}

/* ----------------------------------------------------- field lookup --- */

/* Field names compare without their leading underscores ("_cpu_id", "__probe_ip"). */
static bool ctf_name_eq(const char *a, const char *b)
{
	while (*a == '_')
		a++;
	while (*b == '_')
		b++;
	return !strcmp(a, b);
}

/* Find the first of @names (NULL-terminated) in structure class @fc. */
static struct ctf_loc ctf_find(const bt_field_class *fc, enum ctf_scope scope,
			       const char *const *names)
{
	struct ctf_loc loc = { CTF_S_NONE, 0, 0, 0 };
	uint64_t n, i;

	if (!fc || bt_field_class_get_type(fc) != BT_FIELD_CLASS_TYPE_STRUCTURE)
		return loc;
	n = bt_field_class_structure_get_member_count(fc);
	for (; *names; names++) {
		for (i = 0; i < n; i++) {
			const bt_field_class_structure_member *m =
				bt_field_class_structure_borrow_member_by_index_const(fc, i);
			const bt_field_class *mfc;
			bt_field_class_type t;

			if (!ctf_name_eq(bt_field_class_structure_member_get_name(m), *names))
				continue;
			mfc = bt_field_class_structure_member_borrow_field_class_const(m);
			t = bt_field_class_get_type(mfc);
			if (bt_field_class_type_is(t, BT_FIELD_CLASS_TYPE_INTEGER)) {
				loc.is_signed = bt_field_class_type_is(t,
					BT_FIELD_CLASS_TYPE_SIGNED_INTEGER);
			} else if (t == BT_FIELD_CLASS_TYPE_STRING) {
				loc.is_string = 1;
			} else {
				continue;	/* an array or a structure: not a value */
			}
			loc.scope = scope;
			loc.index = (uint32_t)i;
			return loc;
		}
	}
	return loc;
}

/* Look in the payload, then the event context, then the stream's event context. */
static struct ctf_loc ctf_find_any(const bt_event_class *ec, const char *const *names)
{
	const bt_stream_class *sc = bt_event_class_borrow_stream_class_const(ec);
	struct ctf_loc loc;

	loc = ctf_find(bt_event_class_borrow_payload_field_class_const(ec), CTF_S_PAYLOAD, names);
	if (loc.scope == CTF_S_NONE)
		loc = ctf_find(bt_event_class_borrow_specific_context_field_class_const(ec),
			       CTF_S_SPECIFIC_CTX, names);
	if (loc.scope == CTF_S_NONE)
		loc = ctf_find(bt_stream_class_borrow_event_common_context_field_class_const(sc),
			       CTF_S_COMMON_CTX, names);
	return loc;
}

static struct ctf_loc ctf_find_payload(const bt_event_class *ec, const char *const *names)
{
	return ctf_find(bt_event_class_borrow_payload_field_class_const(ec), CTF_S_PAYLOAD, names);
}

#define NAMES(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* Is there, beside entry class @ec, a return class for the same op? */
static bool ctf_has_return_class(const bt_event_class *ec, unsigned int op)
{
	const bt_stream_class *sc = bt_event_class_borrow_stream_class_const(ec);
	uint64_t n = bt_stream_class_get_event_class_count(sc), i;

	for (i = 0; i < n; i++) {
		const bt_event_class *o = bt_stream_class_borrow_event_class_by_index_const(sc, i);
		const char *name = bt_event_class_get_name(o);
		const struct ctf_name *cn;
		bool ret;

		if (!name)
			continue;
		cn = ctf_name_classify(name, &ret);
		if (cn && ret && cn->op == op && cn->kind == CTF_K_EVENT)
			return true;
	}
	return false;
}

/* Does an event class of ours in @ec's stream class carry no comm of its own? */
static bool ctf_stream_lacks_comm(const bt_event_class *ec)
{
	const bt_stream_class *sc = bt_event_class_borrow_stream_class_const(ec);
	uint64_t n = bt_stream_class_get_event_class_count(sc), i;

	for (i = 0; i < n; i++) {
		const bt_event_class *o = bt_stream_class_borrow_event_class_by_index_const(sc, i);
		const char *name = bt_event_class_get_name(o);
		struct ctf_loc loc;
		bool ret;

		if (!name || !ctf_name_classify(name, &ret))
			continue;
		loc = ctf_find_any(o, NAMES("comm", "procname", "prev_comm", "perf_comm"));
		if (loc.scope == CTF_S_NONE || !loc.is_string)
			return true;
	}
	return false;
}

static void ctf_class_setup(struct ctf_class *c, const bt_event_class *ec)
{
	const bt_stream_class *sc = bt_event_class_borrow_stream_class_const(ec);
	const char *name = bt_event_class_get_name(ec);
	const struct ctf_name *cn;
	struct ctf_loc *L = c->loc;
	unsigned int op;
	bool ret;
	int i;

	memset(c, 0, sizeof(*c));
	c->ec = ec;
	c->kind = CTF_K_IGNORE;
	c->irq = -1;
	for (i = 0; i < CV__COUNT; i++)
		L[i].scope = CTF_S_NONE;
	c->has_clock = bt_stream_class_borrow_default_clock_class_const(sc) != NULL;
	cn = name ? ctf_name_classify(name, &ret) : NULL;
	if (!cn)
		return;
	c->kind = cn->kind;
	c->op = cn->op;
	c->irq = cn->irq;
	op = cn->op;

	/* where the CPU is: native payload, the packet context, perf's field */
	L[CV_CPU] = ctf_find_payload(ec, NAMES("cpu"));
	if (L[CV_CPU].scope == CTF_S_NONE)
		L[CV_CPU] = ctf_find(bt_stream_class_borrow_packet_context_field_class_const(sc),
				     CTF_S_PACKET_CTX, NAMES("cpu_id"));
	if (L[CV_CPU].scope == CTF_S_NONE)
		L[CV_CPU] = ctf_find_any(ec, NAMES("cpu_id", "perf_cpu", "cpu"));

	if (cn->kind == CTF_K_COMM) {
		L[CV_COMM_TID] = ctf_find_payload(ec, NAMES("tid", "pid"));
		L[CV_COMM] = ctf_find_payload(ec, NAMES("comm", "name"));
		if (L[CV_COMM_TID].scope == CTF_S_NONE || !L[CV_COMM].is_string)
			c->kind = CTF_K_IGNORE;
		return;
	}

	/* the task: the subject of a scheduler event, else whoever runs */
	switch (op) {
	case HM_OP_SCHED_SWITCH:
		L[CV_PID] = ctf_find_payload(ec, NAMES("prev_tid", "prev_pid"));
		L[CV_NEXT_PID] = ctf_find_payload(ec, NAMES("next_tid", "next_pid"));
		L[CV_COMM] = ctf_find_payload(ec, NAMES("prev_comm"));
		c->next_comm = ctf_find_payload(ec, NAMES("next_comm"));
		break;
	case HM_OP_FORK:
		L[CV_PID] = ctf_find_payload(ec, NAMES("parent_tid", "parent_pid"));
		L[CV_NEXT_PID] = ctf_find_payload(ec, NAMES("child_tid", "child_pid", "next_pid"));
		L[CV_COMM] = ctf_find_payload(ec, NAMES("parent_comm"));
		c->next_comm = ctf_find_payload(ec, NAMES("child_comm"));
		break;
	case HM_OP_MIGRATE:
		/* the CPU the task leaves, which need not be the one that records it */
		if (L[CV_CPU].scope != CTF_S_PAYLOAD) {
			struct ctf_loc orig = ctf_find_payload(ec, NAMES("orig_cpu"));

			if (orig.scope != CTF_S_NONE && !orig.is_string)
				L[CV_CPU] = orig;
		}
		L[CV_PID] = ctf_find_payload(ec, NAMES("tid", "pid"));
		L[CV_COMM] = ctf_find_payload(ec, NAMES("comm"));
		break;
	case HM_OP_TASK_EXIT:
		L[CV_PID] = ctf_find_payload(ec, NAMES("tid", "pid"));
		L[CV_COMM] = ctf_find_payload(ec, NAMES("comm"));
		break;
	default:
		break;
	}
	if (L[CV_PID].scope == CTF_S_NONE)
		L[CV_PID] = ctf_find_payload(ec, NAMES("perf_tid", "common_pid", "pid", "tid"));
	if (L[CV_PID].scope == CTF_S_NONE)
		L[CV_PID] = ctf_find_any(ec, NAMES("tid", "vtid", "pid", "perf_tid"));
	if (L[CV_NEXT_PID].scope == CTF_S_NONE)
		L[CV_NEXT_PID] = ctf_find_payload(ec, NAMES("next_pid"));
	if (L[CV_COMM].scope == CTF_S_NONE || !L[CV_COMM].is_string)
		L[CV_COMM] = ctf_find_payload(ec, NAMES("comm"));
	if (L[CV_COMM].scope == CTF_S_NONE || !L[CV_COMM].is_string)
		L[CV_COMM] = ctf_find_any(ec, NAMES("procname", "comm", "perf_comm"));
	if (!L[CV_COMM].is_string)
		L[CV_COMM].scope = CTF_S_NONE;
	if (!c->next_comm.is_string)
		c->next_comm.scope = CTF_S_NONE;

	L[CV_RET_TS] = ctf_find_payload(ec, NAMES("ret_ts"));
	L[CV_DEST_CPU] = ctf_find_payload(ec, NAMES("dest_cpu"));
	L[CV_PFN] = ctf_find_payload(ec, NAMES("pfn"));
	L[CV_PAGE] = ctf_find_payload(ec, NAMES("page"));
	if (ret)
		L[CV_VADDR] = ctf_find_payload(ec, NAMES("vaddr", "retval", "arg1"));
	else
		L[CV_VADDR] = ctf_find_payload(ec, NAMES("vaddr", "addr"));
	L[CV_SITE] = ctf_find_payload(ec, NAMES("site", "call_site", "caller"));
	if (L[CV_SITE].scope == CTF_S_NONE && ret)
		L[CV_SITE] = ctf_find_payload(ec, NAMES("probe_ret_ip", "parent_ip"));
	L[CV_CTX] = ctf_find_payload(ec, NAMES("ctx"));
	if (!L[CV_CTX].is_string)
		L[CV_CTX].scope = CTF_S_NONE;
	/* our native classes (they have "ctx") may also give ts and flags */
	if (L[CV_CTX].scope != CTF_S_NONE) {
		L[CV_TS] = ctf_find_payload(ec, NAMES("ts"));
		L[CV_FLAGS] = ctf_find_payload(ec, NAMES("flags"));
	}
	L[CV_TRACE_FLAGS] = ctf_find_any(ec, NAMES("common_flags"));
	L[CV_PREEMPT] = ctf_find_any(ec, NAMES("common_preempt_count"));
	for (i = 0; i < CV__COUNT; i++)
		if (i != CV_COMM && i != CV_SITE && i != CV_CTX && L[i].is_string)
			L[i].scope = CTF_S_NONE;

	c->learn = c->next_comm.scope != CTF_S_NONE || ctf_stream_lacks_comm(ec);

	if (ret) {
		c->kind = ctf_op_is_call(op) ? CTF_K_RETURN : CTF_K_IGNORE;
	} else if (ctf_op_is_call(op) && L[CV_VADDR].scope == CTF_S_NONE &&
		   L[CV_RET_TS].scope == CTF_S_NONE && ctf_has_return_class(ec, op)) {
		c->kind = CTF_K_ENTRY;
	}
}

static struct ctf_class *ctf_class_get(struct ctf_state *st, const bt_event_class *ec)
{
	uint32_t mask, i;

	if (ec == st->last_ec)
		return st->last_class;
	if (st->cap_classes) {
		mask = st->cap_classes - 1;
		for (i = ctf_hash_ptr(ec) & mask; st->classes[i].ec; i = (i + 1) & mask) {
			if (st->classes[i].ec == ec) {
				st->last_ec = ec;
				st->last_class = &st->classes[i];
				return st->last_class;
			}
		}
	}
	st->last_ec = NULL;	/* the table may move */
	if ((st->nr_classes + 1) * 2 > st->cap_classes) {
		uint32_t ncap = st->cap_classes ? st->cap_classes * 2 : 64, j;
		struct ctf_class *n = calloc(ncap, sizeof(*n));

		if (!n)
			return NULL;
		for (j = 0; j < st->cap_classes; j++) {
			if (!st->classes[j].ec)
				continue;
			for (i = ctf_hash_ptr(st->classes[j].ec) & (ncap - 1); n[i].ec;
			     i = (i + 1) & (ncap - 1))
				;
			n[i] = st->classes[j];
		}
		free(st->classes);
		st->classes = n;
		st->cap_classes = ncap;
	}
	mask = st->cap_classes - 1;
	for (i = ctf_hash_ptr(ec) & mask; st->classes[i].ec; i = (i + 1) & mask)
		;
	ctf_class_setup(&st->classes[i], ec);
	st->nr_classes++;
	return &st->classes[i];
}

/* ---------------------------------------------------- field values --- */

/* One event being decoded, with the structures its values live in, fetched once. */
struct ctf_ev {
	const bt_event *e;
	const bt_field *root[CTF_S_PACKET_CTX + 1];
	uint8_t fetched;	/* bit per scope */
};

static const bt_field *ctf_member(struct ctf_ev *x, const struct ctf_loc *loc)
{
	const bt_field *s;

	if (x->fetched & (1u << loc->scope)) {
		s = x->root[loc->scope];
	} else {
		switch (loc->scope) {
		case CTF_S_PAYLOAD:
			s = bt_event_borrow_payload_field_const(x->e);
			break;
		case CTF_S_COMMON_CTX:
			s = bt_event_borrow_common_context_field_const(x->e);
			break;
		case CTF_S_SPECIFIC_CTX:
			s = bt_event_borrow_specific_context_field_const(x->e);
			break;
		case CTF_S_PACKET_CTX: {
			const bt_packet *p = bt_event_borrow_packet_const(x->e);

			s = p ? bt_packet_borrow_context_field_const(p) : NULL;
			break;
		}
		default:
			return NULL;
		}
		x->root[loc->scope] = s;
		x->fetched |= (uint8_t)(1u << loc->scope);
	}
	return s ? bt_field_structure_borrow_member_field_by_index_const(s, loc->index) : NULL;
}

static bool ctf_int(struct ctf_ev *x, const struct ctf_loc *loc, uint64_t *out)
{
	const bt_field *f;

	if (loc->scope == CTF_S_NONE || loc->is_string)
		return false;
	f = ctf_member(x, loc);
	if (!f)
		return false;
	if (loc->is_signed)
		*out = (uint64_t)bt_field_integer_signed_get_value(f);
	else
		*out = bt_field_integer_unsigned_get_value(f);
	return true;
}

static const char *ctf_str(struct ctf_ev *x, const struct ctf_loc *loc, uint64_t *len)
{
	const bt_field *f;

	if (loc->scope == CTF_S_NONE || !loc->is_string)
		return NULL;
	f = ctf_member(x, loc);
	if (!f)
		return NULL;
	*len = bt_field_string_get_length(f);
	return bt_field_string_get_value(f);
}

static int ctf_intern(struct ctf_state *st, const char *s, size_t len, uint32_t *id)
{
	*id = hm_strtab_intern(st->r->strtab, s, len);
	if (*id == UINT32_MAX)
		return ctf_nomem(st);
	return 0;
}

/* The same string as last time in this place is the same id: no hashing. */
static int ctf_intern_cached(struct ctf_state *st, struct ctf_strcache *c, const char *s,
			     size_t len, uint32_t *id)
{
	if (c->id && len == c->len && !memcmp(s, c->buf, len)) {
		*id = c->id;
		return 0;
	}
	if (ctf_intern(st, s, len, id))
		return -ENOMEM;
	if (len < sizeof(c->buf)) {
		memcpy(c->buf, s, len);
		c->len = (uint8_t)len;
		c->id = *id;
	}
	return 0;
}

static int ctf_intern_cached4(struct ctf_state *st, struct ctf_strcache4 *c, const char *s,
			      size_t len, uint32_t *id)
{
	unsigned int i;

	for (i = 0; i < 4; i++) {
		struct ctf_strcache *k = &c->e[i];

		if (k->id && len == k->len && s[0] == k->buf[0] && !memcmp(s, k->buf, len)) {
			*id = k->id;
			return 0;
		}
	}
	i = c->next;
	c->next = (uint8_t)((i + 1) & 3);
	c->e[i].id = 0;
	return ctf_intern_cached(st, &c->e[i], s, len, id);
}

/* --------------------------------------------------------- comm cache --- */

static uint32_t ctf_comm_get(const struct ctf_state *st, int32_t tid)
{
	uint32_t mask, i;

	if (!st->cap_comms)
		return 0;
	mask = st->cap_comms - 1;
	for (i = ctf_hash_ptr((void *)(uintptr_t)(uint32_t)tid) & mask; st->comms[i].comm;
	     i = (i + 1) & mask)
		if (st->comms[i].tid == tid)
			return st->comms[i].comm;
	return 0;
}

static int ctf_comm_set(struct ctf_state *st, int32_t tid, uint32_t comm)
{
	uint32_t mask, i;

	if (!comm)
		return 0;
	if ((st->nr_comms + 1) * 2 > st->cap_comms) {
		uint32_t ncap = st->cap_comms ? st->cap_comms * 2 : 256, j;
		struct ctf_comm *n = calloc(ncap, sizeof(*n));

		if (!n)
			return ctf_nomem(st);
		for (j = 0; j < st->cap_comms; j++) {
			if (!st->comms[j].comm)
				continue;
			for (i = ctf_hash_ptr((void *)(uintptr_t)(uint32_t)st->comms[j].tid) &
				 (ncap - 1);
			     n[i].comm; i = (i + 1) & (ncap - 1))
				;
			n[i] = st->comms[j];
		}
		free(st->comms);
		st->comms = n;
		st->cap_comms = ncap;
	}
	mask = st->cap_comms - 1;
	for (i = ctf_hash_ptr((void *)(uintptr_t)(uint32_t)tid) & mask; st->comms[i].comm;
	     i = (i + 1) & mask) {
		if (st->comms[i].tid == tid) {
			st->comms[i].comm = comm;
			return 0;
		}
	}
	st->comms[i].tid = tid;
	st->comms[i].comm = comm;
	st->nr_comms++;
	return 0;
}

/* --------------------------------------------------------- the queue --- */

static struct ctf_slot *ctf_q_at(struct ctf_state *st, uint64_t seq)
{
	return &st->q[seq & (st->q_cap - 1)];
}

static struct ctf_slot *ctf_q_push(struct ctf_state *st)
{
	if (st->q_tail - st->q_head == st->q_cap) {
		uint32_t ncap = st->q_cap ? st->q_cap * 2 : 1024;
		struct ctf_slot *n = malloc((size_t)ncap * sizeof(*n));
		uint64_t s;

		if (!n)
			return NULL;
		for (s = st->q_head; s < st->q_tail; s++)
			n[s & (ncap - 1)] = st->q[s & (st->q_cap - 1)];
		free(st->q);
		st->q = n;
		st->q_cap = ncap;
	}
	return ctf_q_at(st, st->q_tail++);
}

static void ctf_pend_drop(struct ctf_state *st, uint32_t i)
{
	memmove(&st->pend[i], &st->pend[i + 1], (st->nr_pend - i - 1) * sizeof(st->pend[0]));
	st->nr_pend--;
}

/*
 * Give up waiting for the return of the call at the head of the queue.  Its
 * record stays, so that a return that does come later is known to be late.
 */
static void ctf_release_head(struct ctf_state *st)
{
	ctf_q_at(st, st->q_head)->pending = false;
}

/* ------------------------------------------------------------- meta --- */

static bool ctf_env_str(const bt_trace *t, const char *name, const char **out)
{
	const bt_value *v = bt_trace_borrow_environment_entry_value_by_name_const(t, name);

	if (!v || bt_value_get_type(v) != BT_VALUE_TYPE_STRING)
		return false;
	*out = bt_value_string_get(v);
	return true;
}

static bool ctf_env_u64(const bt_trace *t, const char *name, uint64_t *out)
{
	const bt_value *v = bt_trace_borrow_environment_entry_value_by_name_const(t, name);
	const char *s;
	char *end;

	if (!v)
		return false;
	switch (bt_value_get_type(v)) {
	case BT_VALUE_TYPE_SIGNED_INTEGER:
		if (bt_value_integer_signed_get(v) < 0)
			return false;
		*out = (uint64_t)bt_value_integer_signed_get(v);
		return true;
	case BT_VALUE_TYPE_UNSIGNED_INTEGER:
		*out = bt_value_integer_unsigned_get(v);
		return true;
	case BT_VALUE_TYPE_STRING:
		s = bt_value_string_get(v);
		errno = 0;
		*out = strtoull(s, &end, 0);
		return *s && !*end && !errno;
	default:
		return false;
	}
}

static void ctf_copy(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src);
}

/* The first trace's environment says what it can about the system. */
static void ctf_meta_from_trace(struct ctf_state *st, const bt_stream *stream)
{
	struct hm_trace_meta *m = &st->r->meta;
	const bt_trace *t = bt_stream_borrow_trace_const(stream);
	const bt_stream_class *sc = bt_stream_borrow_class_const(stream);
	const bt_clock_class *cc = bt_stream_class_borrow_default_clock_class_const(sc);
	const char *s;
	uint64_t u;

	if (st->meta_done)
		return;
	st->meta_done = true;
	if (cc && bt_clock_class_get_name(cc))
		ctf_copy(m->clock, sizeof(m->clock), bt_clock_class_get_name(cc));
	if (ctf_env_str(t, "hostname", &s) || ctf_env_str(t, "host", &s))
		ctf_copy(m->source, sizeof(m->source), s);
	if (ctf_env_str(t, "kernel_release", &s) || ctf_env_str(t, "release", &s))
		ctf_copy(m->kernel, sizeof(m->kernel), s);
	if (ctf_env_str(t, "hmtrace_source", &s))
		ctf_copy(m->source, sizeof(m->source), s);
	if (ctf_env_str(t, "hmtrace_kernel", &s))
		ctf_copy(m->kernel, sizeof(m->kernel), s);
	if (ctf_env_str(t, "hmtrace_clock", &s))
		ctf_copy(m->clock, sizeof(m->clock), s);
	if (ctf_env_str(t, "hmtrace_arch", &s))
		ctf_copy(m->arch, sizeof(m->arch), s);
	if ((ctf_env_u64(t, "hmtrace_nr_cpus", &u) || ctf_env_u64(t, "nr_cpus", &u) ||
	     ctf_env_u64(t, "nr_cpus_online", &u)) && u > 0 && u <= HM_MAX_CPUS) {
		m->nr_cpus = (uint32_t)u;
		st->nr_cpus_from_env = true;
	}
	if (ctf_env_u64(t, "hmtrace_last_pkmap", &u) && u <= UINT32_MAX)
		m->last_pkmap = (uint32_t)u;
	if (ctf_env_u64(t, "hmtrace_km_max_idx", &u) && u <= UINT32_MAX)
		m->km_max_idx = (uint32_t)u;
	if (ctf_env_u64(t, "hmtrace_debug_kmap_local", &u))
		m->debug_kmap_local = u ? 1 : 0;
	if (ctf_env_u64(t, "hmtrace_highmem_start_pfn", &u))
		m->highmem_start_pfn = u;
	if (ctf_env_u64(t, "hmtrace_pkmap_base", &u))
		m->pkmap_base = u;
	if (ctf_env_u64(t, "hmtrace_fixaddr_top", &u))
		m->fixaddr_top = u;
	if (ctf_env_u64(t, "hmtrace_lost_events", &u))
		m->lost_events += u;
}

static void ctf_cpu_seen(struct ctf_state *st, uint32_t cpu)
{
	if (cpu >= HM_MAX_CPUS)
		return;		/* its events fail with a message */
	if (!st->seen_cpu || cpu > st->max_cpu) {
		st->seen_cpu = true;
		st->max_cpu = cpu;
		/* without an nr_cpus in the environment, every CPU seen so far */
		if (!st->nr_cpus_from_env && cpu < UINT32_MAX)
			st->r->meta.nr_cpus = cpu + 1;
	}
}

/* ------------------------------------------------------------ events --- */

static int ctf_irq_grow(struct ctf_state *st, uint32_t cpu)
{
	uint32_t n = st->nr_irq_cpus ? st->nr_irq_cpus : 8, *h, *s;

	while (n <= cpu)
		n *= 2;
	h = realloc(st->hardirq, n * sizeof(*h));
	if (!h)
		return ctf_nomem(st);
	st->hardirq = h;
	s = realloc(st->softirq, n * sizeof(*s));
	if (!s)
		return ctf_nomem(st);
	st->softirq = s;
	memset(h + st->nr_irq_cpus, 0, (n - st->nr_irq_cpus) * sizeof(*h));
	memset(s + st->nr_irq_cpus, 0, (n - st->nr_irq_cpus) * sizeof(*s));
	st->nr_irq_cpus = n;
	return 0;
}

/* What the kernel's trace_flags say: ctx and HM_EVF_* (perf's common_flags). */
static void ctf_trace_flags(const struct ctf_class *c, struct ctf_ev *e, struct hm_event *ev,
			    bool *ctx_known)
{
	uint64_t tf, pc;

	if (!ctf_int(e, &c->loc[CV_TRACE_FLAGS], &tf))
		return;
	*ctx_known = true;
	if (tf & 0x40)			/* TRACE_FLAG_NMI */
		ev->ctx = HM_CTX_NMI;
	else if (tf & 0x08)		/* TRACE_FLAG_HARDIRQ */
		ev->ctx = HM_CTX_HARDIRQ;
	else if (tf & 0x10)		/* TRACE_FLAG_SOFTIRQ */
		ev->ctx = HM_CTX_SOFTIRQ;
	else
		ev->ctx = HM_CTX_TASK;
	ev->flags |= HM_EVF_CTX_KNOWN;
	if (tf & 0x01)			/* TRACE_FLAG_IRQS_OFF */
		ev->flags |= HM_EVF_IRQS_OFF;
	/* the preempt depth the kernel records leaves out the probe's own, as ftrace's */
	if (ctf_int(e, &c->loc[CV_PREEMPT], &pc) && (pc & 0xf))
		ev->flags |= HM_EVF_PREEMPT_OFF;
}

/* Fill the fields every kind of event has. */
static int ctf_fill(struct ctf_state *st, struct ctf_class *c, struct ctf_ev *e,
		    uint64_t ts, struct hm_event *ev)
{
	const char *s;
	uint64_t u, len;
	bool ctx_known = false;

	ev->ts = ts;
	ev->ret_ts = HM_NONE;
	ev->pfn = HM_NONE;
	ev->page = HM_NONE;
	ev->vaddr = HM_NONE;
	ev->index = 0;
	ev->line = 0;
	ev->pid = 0;
	ev->next_pid = HM_PID_NONE;
	ev->cpu = 0;
	ev->dest_cpu = 0;
	ev->comm = 0;
	ev->site = 0;
	ev->op = c->op;
	ev->ctx = HM_CTX_TASK;
	ev->flags = 0;

	if (ctf_int(e, &c->loc[CV_TS], &u))
		ev->ts = u;
	if (c->loc[CV_CPU].scope == CTF_S_PACKET_CTX) {
		const bt_packet *p = bt_event_borrow_packet_const(e->e);
		uint32_t h = ctf_hash_ptr(p) & 63;

		if (p && st->pkt_cpu[h].packet == p)
			ev->cpu = st->pkt_cpu[h].cpu;
		else if (ctf_int(e, &c->loc[CV_CPU], &u))
			ev->cpu = (uint32_t)u;
	} else if (ctf_int(e, &c->loc[CV_CPU], &u)) {
		ev->cpu = (uint32_t)u;
	}
	if (ev->cpu >= HM_MAX_CPUS) {
		st->failed = true;
		return hm_reader_fail(st->r, 0, 0,
				      "CTF: event \"%s\" at %" PRIu64 " ns: CPU %u is not below %u",
				      bt_event_class_get_name(c->ec), ts, ev->cpu, HM_MAX_CPUS);
	}
	if (ctf_int(e, &c->loc[CV_PID], &u))
		ev->pid = (int32_t)u;
	if (ctf_int(e, &c->loc[CV_NEXT_PID], &u))
		ev->next_pid = (int32_t)u;
	if (ctf_int(e, &c->loc[CV_DEST_CPU], &u))
		ev->dest_cpu = (uint32_t)u;
	if (ctf_int(e, &c->loc[CV_RET_TS], &u))
		ev->ret_ts = u;
	if (ctf_int(e, &c->loc[CV_PFN], &u))
		ev->pfn = u;
	if (ctf_int(e, &c->loc[CV_PAGE], &u))
		ev->page = u;
	if (ctf_int(e, &c->loc[CV_VADDR], &u))
		ev->vaddr = u;
	s = ctf_str(e, &c->loc[CV_COMM], &len);
	if (s) {
		if (ctf_intern_cached4(st, &c->comm_cache, s, len, &ev->comm))
			return -ENOMEM;
	} else {
		ev->comm = ctf_comm_get(st, ev->pid);
	}
	s = ctf_str(e, &c->loc[CV_SITE], &len);
	if (s) {
		if (ctf_intern_cached4(st, &c->site_cache, s, len, &ev->site))
			return -ENOMEM;
	} else if (ctf_int(e, &c->loc[CV_SITE], &u)) {
		char buf[24];
		int n = snprintf(buf, sizeof(buf), "0x%" PRIx64, u);

		if (ctf_intern(st, buf, (size_t)n, &ev->site))
			return -ENOMEM;
	}

	/* the context: said by the event, by the kernel's flags, or worked out */
	s = ctf_str(e, &c->loc[CV_CTX], &len);
	if (s) {
		int x = hm_ctx_from_name(s, len);

		if (x < 0) {
			st->failed = true;
			return hm_reader_fail(st->r, 0, 0,
					      "CTF: event \"%s\" at %" PRIu64 " ns: unknown ctx \"%s\"",
					      bt_event_class_get_name(c->ec), ts, s);
		}
		ev->ctx = (uint8_t)x;
		ctx_known = true;
	} else {
		ctf_trace_flags(c, e, ev, &ctx_known);
	}
	if (ctf_int(e, &c->loc[CV_FLAGS], &u))
		ev->flags = (uint8_t)u;

	if (ev->cpu >= st->nr_irq_cpus && ctf_irq_grow(st, ev->cpu))
		return -ENOMEM;
	{
		uint32_t *hd = &st->hardirq[ev->cpu], *sd = &st->softirq[ev->cpu];
		int kind = c->irq >= 0 ? c->irq : (ctx_known ? ev->ctx : -1);

		if (c->op == HM_OP_IRQ_ENTER || c->op == HM_OP_IRQ_EXIT) {
			if (kind == HM_CTX_HARDIRQ || kind == HM_CTX_SOFTIRQ) {
				uint32_t *d = kind == HM_CTX_HARDIRQ ? hd : sd;

				if (c->op == HM_OP_IRQ_ENTER)
					++*d;
				else if (*d)
					--*d;
			}
			if (!ctx_known && kind >= 0)
				ev->ctx = (uint8_t)kind;
		} else if (!ctx_known) {
			ev->ctx = *hd ? HM_CTX_HARDIRQ : *sd ? HM_CTX_SOFTIRQ : HM_CTX_TASK;
		}
	}
	ctf_cpu_seen(st, ev->cpu);
	return 0;
}

/* Names other tasks that an event introduces (sched_switch's next, fork's child). */
static int ctf_learn_comms(struct ctf_state *st, struct ctf_class *c, struct ctf_ev *e,
			   const struct hm_event *ev)
{
	const char *s;
	uint64_t len;
	uint32_t id;

	if (!c->learn)
		return 0;
	if (ev->comm && ctf_comm_set(st, ev->pid, ev->comm))
		return -ENOMEM;
	s = ctf_str(e, &c->next_comm, &len);
	if (s && ev->next_pid != HM_PID_NONE) {
		if (ctf_intern_cached(st, &c->next_comm_cache, s, len, &id) ||
		    ctf_comm_set(st, ev->next_pid, id))
			return -ENOMEM;
	}
	return 0;
}

/* An event's time in ns from its clock's origin; 0 when its stream has no clock. */
static int ctf_event_time(struct ctf_state *st, const struct ctf_class *c, const bt_message *msg,
			  int64_t *ns)
{
	const bt_clock_snapshot *cs;

	*ns = 0;
	if (!c->has_clock)
		return 0;
	cs = bt_message_event_borrow_default_clock_snapshot_const(msg);
	if (bt_clock_snapshot_get_ns_from_origin(cs, ns) !=
	    BT_CLOCK_SNAPSHOT_GET_NS_FROM_ORIGIN_STATUS_OK) {
		st->failed = true;
		return hm_reader_fail(st->r, 0, 0,
				      "CTF: event \"%s\": timestamp does not fit in 64-bit ns",
				      bt_event_class_get_name(c->ec));
	}
	if (*ns < 0) {
		st->failed = true;
		return hm_reader_fail(st->r, 0, 0,
				      "CTF: event \"%s\": timestamp %" PRId64 " ns is before the clock's origin",
				      bt_event_class_get_name(c->ec), *ns);
	}
	return 0;
}

/* Whose calls pair: the task, or the CPU for the idle tasks (pid 0 on every CPU). */
static int64_t ctf_task_key(const struct hm_event *ev)
{
	return ev->pid ? ev->pid : -(int64_t)ev->cpu - 1;
}

/* The entry at @seq will get no return: it goes out as it is. */
static void ctf_abandon(struct ctf_state *st, uint64_t seq)
{
	if (seq >= st->q_head && seq < st->q_tail)
		ctf_q_at(st, seq)->pending = false;
}

/* A task exited: none of its calls will return. */
static void ctf_task_gone(struct ctf_state *st, int64_t key)
{
	uint32_t i;

	for (i = st->nr_pend; i > 0; i--) {
		if (st->pend[i - 1].key == key) {
			ctf_abandon(st, st->pend[i - 1].seq);
			ctf_pend_drop(st, i - 1);
		}
	}
}

/* The entry @ev, queued at @seq, waits for its return. */
static int ctf_entry_wait(struct ctf_state *st, const struct hm_event *ev, uint64_t seq)
{
	int64_t key = ctf_task_key(ev);
	uint32_t i, same = 0, oldest = 0;

	for (i = st->nr_pend; i > 0; i--) {
		if (st->pend[i - 1].key == key && st->pend[i - 1].op == ev->op) {
			same++;
			oldest = i - 1;
		}
	}
	if (same >= CTF_MAX_NEST) {
		ctf_abandon(st, st->pend[oldest].seq);
		ctf_pend_drop(st, oldest);
	}
	if (st->nr_pend == st->cap_pend) {
		uint32_t ncap = st->cap_pend ? st->cap_pend * 2 : 64;
		struct ctf_pend *n = realloc(st->pend, ncap * sizeof(*n));

		if (!n)
			return ctf_nomem(st);
		st->pend = n;
		st->cap_pend = ncap;
	}
	st->pend[st->nr_pend].seq = seq;
	st->pend[st->nr_pend].key = key;
	st->pend[st->nr_pend].op = ev->op;
	st->pend[st->nr_pend].ctx = ev->ctx;
	st->nr_pend++;
	ctf_q_at(st, seq)->pending = true;
	return 0;
}

/*
 * A return: pair it with the innermost waiting call of the same task,
 * function and context, as kretprobes return.  Calls waiting in a more deeply
 * nested context (an interrupt that has finished by now) lost their return.
 * A return with no call waiting began before the capture: it goes out alone,
 * at its time; one whose call already went out alone (hold-back limit) is
 * dropped.
 */
static int ctf_on_return(struct ctf_state *st, struct ctf_class *c, struct ctf_ev *e, int64_t ns)
{
	int64_t key;
	struct hm_event ret;
	struct ctf_slot *slot;
	uint32_t i;

	if (ctf_fill(st, c, e, (uint64_t)ns, &ret))
		return -EINVAL;
	key = ctf_task_key(&ret);
	for (i = st->nr_pend; i > 0; i--) {
		struct ctf_pend *p = &st->pend[i - 1];

		if (p->key != key || p->op != ret.op)
			continue;
		if (p->ctx > ret.ctx) {
			ctf_abandon(st, p->seq);
			ctf_pend_drop(st, i - 1);
			continue;
		}
		if (p->ctx < ret.ctx)
			i = 0;
		break;
	}
	if (i) {
		uint64_t seq = st->pend[i - 1].seq;

		ctf_pend_drop(st, i - 1);
		slot = ctf_q_at(st, seq);
		if (seq < st->q_head || seq >= st->q_tail || !slot->pending)
			return 0;	/* late: its call went out alone */
		slot->ev.ret_ts = ret.ts;
		slot->ev.vaddr = ret.vaddr;
		if (ret.site)
			slot->ev.site = ret.site;
		if (slot->ev.pfn == HM_NONE)
			slot->ev.pfn = ret.pfn;
		if (slot->ev.page == HM_NONE)
			slot->ev.page = ret.page;
		slot->pending = false;
		return 0;
	}
	slot = ctf_q_push(st);
	if (!slot)
		return ctf_nomem(st);
	slot->ev = ret;
	slot->pending = false;
	return ctf_learn_comms(st, c, e, &ret);
}

/* Decode event message @msg of class @c at time @ns into the queue. */
static int ctf_on_event(struct ctf_state *st, const bt_message *msg, struct ctf_class *c,
			int64_t ns)
{
	struct ctf_ev x = { .e = bt_message_event_borrow_event_const(msg) };
	struct ctf_ev *e = &x;
	struct ctf_slot *slot;

	st->last_ns = ns;
	st->have_last = true;

	if (c->kind == CTF_K_COMM) {
		const char *s;
		uint64_t tid, len;
		uint32_t id;

		s = ctf_str(e, &c->loc[CV_COMM], &len);
		if (s && ctf_int(e, &c->loc[CV_COMM_TID], &tid)) {
			if (ctf_intern_cached4(st, &c->comm_cache, s, len, &id) ||
			    ctf_comm_set(st, (int32_t)tid, id))
				return -ENOMEM;
		}
		return 0;
	}

	if (c->kind == CTF_K_RETURN)
		return ctf_on_return(st, c, e, ns);

	slot = ctf_q_push(st);
	if (!slot)
		return ctf_nomem(st);
	if (ctf_fill(st, c, e, (uint64_t)ns, &slot->ev)) {
		st->q_tail--;
		return -EINVAL;
	}
	slot->pending = false;
	if (c->kind == CTF_K_ENTRY && ctf_entry_wait(st, &slot->ev, st->q_tail - 1))
		return -ENOMEM;
	slot = ctf_q_at(st, st->q_tail - 1);
	if (slot->ev.op == HM_OP_TASK_EXIT)
		ctf_task_gone(st, ctf_task_key(&slot->ev));
	return ctf_learn_comms(st, c, e, &slot->ev);
}

/* Messages other than events: they need no ordering across streams. */
static int ctf_on_message(struct ctf_state *st, const bt_message *msg)
{
	uint64_t n;

	switch (bt_message_get_type(msg)) {
	case BT_MESSAGE_TYPE_STREAM_BEGINNING:
		ctf_meta_from_trace(st, bt_message_stream_beginning_borrow_stream_const(msg));
		return 0;
	case BT_MESSAGE_TYPE_PACKET_BEGINNING: {
		const bt_packet *p = bt_message_packet_beginning_borrow_packet_const(msg);
		const bt_field *ctx = bt_packet_borrow_context_field_const(p);
		static const char *const cpu_names[] = { "cpu_id", NULL };
		struct ctf_loc loc;
		const bt_field *f;
		uint32_t cpu, h;

		h = ctf_hash_ptr(p) & 63;
		if (st->pkt_cpu[h].packet == p)
			st->pkt_cpu[h].packet = NULL;	/* a recycled packet: forget it */
		if (!ctx)
			return 0;
		/* a stream's CPU counts even before it has events of ours */
		loc = ctf_find(bt_field_borrow_class_const(ctx), CTF_S_PACKET_CTX, cpu_names);
		if (loc.scope == CTF_S_NONE || loc.is_string)
			return 0;
		f = bt_field_structure_borrow_member_field_by_index_const(ctx, loc.index);
		cpu = loc.is_signed ? (uint32_t)bt_field_integer_signed_get_value(f) :
				      (uint32_t)bt_field_integer_unsigned_get_value(f);
		h = ctf_hash_ptr(p) & 63;
		st->pkt_cpu[h].packet = p;
		st->pkt_cpu[h].cpu = cpu;
		ctf_cpu_seen(st, cpu);
		return 0;
	}
	case BT_MESSAGE_TYPE_DISCARDED_EVENTS:
		if (bt_message_discarded_events_get_count(msg, &n) ==
		    BT_PROPERTY_AVAILABILITY_AVAILABLE)
			st->r->meta.lost_events += n;
		return 0;
	default:
		return 0;
	}
}

/* ------------------------------------------------------------ graph --- */

/*
 * Bring port @p's next event to its head, handling the messages before it.
 * Return 1 with an event at the head, 0 when the port has ended, -EAGAIN,
 * or another negative value on error.
 */
static int ctf_port_head(struct ctf_state *st, struct ctf_port *p)
{
	for (;;) {
		const bt_message *msg;

		if (p->pos == p->count) {
			p->pos = p->count = 0;
			switch (bt_message_iterator_next(p->it, &p->msgs, &p->count)) {
			case BT_MESSAGE_ITERATOR_NEXT_STATUS_OK:
				break;
			case BT_MESSAGE_ITERATOR_NEXT_STATUS_END:
				p->ended = true;
				return 0;
			case BT_MESSAGE_ITERATOR_NEXT_STATUS_AGAIN:
				return -EAGAIN;
			case BT_MESSAGE_ITERATOR_NEXT_STATUS_MEMORY_ERROR:
				return -ENOMEM;
			default:
				return -EIO;
			}
		}
		msg = p->msgs[p->pos];
		if (bt_message_get_type(msg) == BT_MESSAGE_TYPE_EVENT) {
			const bt_event *e = bt_message_event_borrow_event_const(msg);
			struct ctf_class *c = ctf_class_get(st, bt_event_borrow_class_const(e));

			if (!c)
				return ctf_nomem(st);
			if (c->kind != CTF_K_IGNORE) {
				if (ctf_event_time(st, c, msg, &p->head_ns))
					return -EINVAL;
				p->head_class = c;
				return 1;
			}
		} else if (ctf_on_message(st, msg)) {
			return -EINVAL;
		}
		bt_message_put_ref(msg);
		p->pos++;
	}
}

/*
 * Merge the streams by time, as flt.utils.muxer would, but only for the
 * events we keep: every port that has not ended shows its next event, the
 * earliest goes first (the lower port on a tie).  Stops once the queue holds
 * a batch it can hand out.
 */
static int ctf_pump(struct ctf_state *st)
{
	uint32_t i, n;
	int ret;

	for (n = 0; n < 256; n++) {
		struct ctf_port *best = NULL;

		for (i = 0; i < st->nr_ports; i++) {
			struct ctf_port *p = &st->ports[i];

			if (!p->head_class && !p->ended) {
				ret = ctf_port_head(st, p);
				if (ret < 0)
					return ret;
			}
			if (p->head_class && (!best || p->head_ns < best->head_ns))
				best = p;
		}
		if (!best)
			return 0;
		ret = ctf_on_event(st, best->msgs[best->pos], best->head_class, best->head_ns);
		bt_message_put_ref(best->msgs[best->pos]);
		best->pos++;
		best->head_class = NULL;
		if (ret)
			return -EINVAL;
		/* a batch per graph step: running the graph has its cost too */
		if (st->q_tail - st->q_head >= 64 && !ctf_q_at(st, st->q_head)->pending)
			break;
	}
	return 1;
}

static bt_component_class_sink_consume_method_status ctf_sink_consume(bt_self_component_sink *self)
{
	struct ctf_state *st = bt_self_component_get_data(
		bt_self_component_sink_as_self_component(self));

	/*
	 * On our own errors the message is already in the reader: stop the graph
	 * with ERROR, and ctf_step() keeps ours.
	 */
	switch (ctf_pump(st)) {
	case 1:
		return BT_COMPONENT_CLASS_SINK_CONSUME_METHOD_STATUS_OK;
	case 0:
		return BT_COMPONENT_CLASS_SINK_CONSUME_METHOD_STATUS_END;
	case -EAGAIN:
		return BT_COMPONENT_CLASS_SINK_CONSUME_METHOD_STATUS_AGAIN;
	case -ENOMEM:
		return BT_COMPONENT_CLASS_SINK_CONSUME_METHOD_STATUS_MEMORY_ERROR;
	default:
		return BT_COMPONENT_CLASS_SINK_CONSUME_METHOD_STATUS_ERROR;
	}
}

static bt_component_class_initialize_method_status
ctf_sink_init(bt_self_component_sink *self, bt_self_component_sink_configuration *config,
	      const bt_value *params, void *data)
{
	struct ctf_state *st = data;
	char name[24];
	uint32_t i;

	bt_self_component_set_data(bt_self_component_sink_as_self_component(self), st);
	for (i = 0; i < st->nr_ports; i++) {
		snprintf(name, sizeof(name), "in%u", i);
		if (bt_self_component_sink_add_input_port(self, name, NULL, NULL))
			return BT_COMPONENT_CLASS_INITIALIZE_METHOD_STATUS_MEMORY_ERROR;
	}
	return BT_COMPONENT_CLASS_INITIALIZE_METHOD_STATUS_OK;
}

static bt_component_class_sink_graph_is_configured_method_status
ctf_sink_configured(bt_self_component_sink *self)
{
	struct ctf_state *st = bt_self_component_get_data(
		bt_self_component_sink_as_self_component(self));
	uint32_t i;

	for (i = 0; i < st->nr_ports; i++) {
		bt_self_component_port_input *port =
			bt_self_component_sink_borrow_input_port_by_index(self, i);

		if (bt_message_iterator_create_from_sink_component(self, port, &st->ports[i].it))
			return BT_COMPONENT_CLASS_SINK_GRAPH_IS_CONFIGURED_METHOD_STATUS_ERROR;
	}
	return BT_COMPONENT_CLASS_SINK_GRAPH_IS_CONFIGURED_METHOD_STATUS_OK;
}

static void ctf_sink_finalize(bt_self_component_sink *self)
{
	struct ctf_state *st = bt_self_component_get_data(
		bt_self_component_sink_as_self_component(self));
	uint32_t i;

	for (i = 0; i < st->nr_ports; i++) {
		struct ctf_port *p = &st->ports[i];

		for (; p->pos < p->count; p->pos++)
			bt_message_put_ref(p->msgs[p->pos]);
		bt_message_iterator_put_ref(p->it);
		p->it = NULL;
	}
}

/* Run the graph one step.  Return 0, 1 at the end, negative on error. */
static int ctf_step(struct ctf_state *st)
{
	switch (bt_graph_run_once(st->graph)) {
	case BT_GRAPH_RUN_ONCE_STATUS_OK:
	case BT_GRAPH_RUN_ONCE_STATUS_AGAIN:
		return 0;
	case BT_GRAPH_RUN_ONCE_STATUS_END:
		return 1;
	case BT_GRAPH_RUN_ONCE_STATUS_MEMORY_ERROR:
		if (st->failed)
			return -EINVAL;
		bt_current_thread_clear_error();
		return ctf_nomem(st);
	default:
		if (st->failed) {
			bt_current_thread_clear_error();
			return -EINVAL;
		}
		return ctf_fail_bt(st, "reading the trace", NULL);
	}
}

static int ctf_find_plugin(struct ctf_state *st, const char *name, const bt_plugin **out)
{
	bt_plugin_find_status s = bt_plugin_find(name, BT_TRUE, BT_TRUE, BT_TRUE, BT_TRUE,
						 BT_FALSE, out);

	if (s == BT_PLUGIN_FIND_STATUS_OK)
		return 0;
	if (s == BT_PLUGIN_FIND_STATUS_NOT_FOUND) {
		st->failed = true;
		hm_reader_fail(st->r, 0, 0,
			       "CTF: babeltrace2 plugin \"%s\" not found (is libbabeltrace2 installed with its plugins?)",
			       name);
		st->r->err.status = HM_EXIT_SYSTEM;
		return -ENOENT;
	}
	return ctf_fail_bt(st, "loading a babeltrace2 plugin", NULL);
}

/* src.ctf.fs wants the trace directory; accept DIR/metadata too. */
static char *ctf_trace_dir(struct ctf_state *st)
{
	const char *path = st->r->path;
	struct stat sb;
	char *dir;
	size_t len;

	if (stat(path, &sb)) {
		st->failed = true;
		hm_reader_fail(st->r, 0, 0, "CTF: %s", strerror(errno));
		return NULL;
	}
	dir = strdup(path);
	if (!dir) {
		ctf_nomem(st);
		return NULL;
	}
	if (S_ISDIR(sb.st_mode))
		return dir;
	len = strlen(dir);
	if (len >= 8 && !strcmp(dir + len - 8, "metadata") && (len == 8 || dir[len - 9] == '/')) {
		if (len == 8)
			strcpy(dir, ".");
		else if (len == 9)
			dir[1] = '\0';	/* "/metadata" */
		else
			dir[len - 9] = '\0';
		return dir;
	}
	free(dir);
	st->failed = true;
	hm_reader_fail(st->r, 0, 0, "CTF: expected a CTF trace directory (with a \"metadata\" file)");
	return NULL;
}

/* The first line a plugin logged at warning level or above, without its prefix. */
static bool ctf_log_first(FILE *log, char *out, size_t size)
{
	char line[1024];

	/* "MM-DD HH:MM:SS.mmm PID TID L PLUGIN/TAG func@file.c:line [comp] message" */
	rewind(log);
	while (fgets(line, sizeof(line), log)) {
		char *p = strstr(line, " PLUGIN/");

		if (!p || p < line + 2 || (p[-1] != 'W' && p[-1] != 'E') || p[-2] != ' ')
			continue;
		p = strchr(p + 1, ' ');		/* after the tag */
		if (p)
			p = strchr(p + 1, ' ');	/* after func@file:line */
		if (!p)
			continue;
		p++;
		if (*p == '[') {
			p = strstr(p, "] ");
			if (!p)
				continue;
			p += 2;
		}
		p[strcspn(p, "\n")] = '\0';
		if (*p) {
			snprintf(out, size, "%s", p);
			return true;
		}
	}
	return false;
}

/*
 * Add src.ctf.fs to @graph with stderr sent to @log meanwhile.  When it cannot
 * open a trace, src.ctf.fs keeps only a summary as error causes ("Cannot
 * create trace for `DIR`"); the reason (the metadata's syntax error and its
 * line, a packet larger than its file) it only logs.
 */
static bt_graph_add_component_status ctf_add_source(bt_graph *graph,
						    const bt_component_class_source *cls,
						    const bt_value *params, bt_logging_level level,
						    FILE *log, const bt_component_source **src)
{
	bt_graph_add_component_status s;
	int saved = -1;

	if (log) {
		fflush(stderr);
		saved = dup(STDERR_FILENO);
		if (saved >= 0 && dup2(fileno(log), STDERR_FILENO) < 0) {
			close(saved);
			saved = -1;
		}
	}
	s = bt_graph_add_source_component(graph, cls, "src", params, level, src);
	if (saved >= 0) {
		fflush(stderr);
		dup2(saved, STDERR_FILENO);
		close(saved);
	}
	return s;
}

/*
 * The source failed: ask again with its logging on, and take what it logged
 * as the reason.  Only ever done on the way out with an error.
 */
static int ctf_fail_source(struct ctf_state *st, const bt_component_class_source *cls,
			   const bt_value *params, FILE *log)
{
	const bt_error *error = bt_current_thread_take_error();
	const bt_component_source *src;
	char logged[256];
	bool have = false;
	bt_graph *graph;

	if (log)
		have = ctf_log_first(log, logged, sizeof(logged));
	if (!have && log && !fseek(log, 0, SEEK_SET) && !ftruncate(fileno(log), 0)) {
		graph = bt_graph_create(0);
		if (graph) {
			ctf_add_source(graph, cls, params, BT_LOGGING_LEVEL_WARNING, log, &src);
			bt_graph_put_ref(graph);
		}
		bt_current_thread_clear_error();
		have = ctf_log_first(log, logged, sizeof(logged));
	}
	if (error)
		bt_current_thread_move_error(error);
	return ctf_fail_bt(st, "opening the trace", have ? logged : NULL);
}

static int ctf_build_graph(struct ctf_state *st)
{
	const bt_component_class_source *src_cls;
	const bt_component_source *src;
	const bt_component_sink *sink;
	bt_value *params = NULL, *inputs = NULL;
	uint64_t nports, i;
	FILE *log = NULL;
	char *dir;
	int ret = -EINVAL;

	dir = ctf_trace_dir(st);
	if (!dir)
		return -EINVAL;
	/*
	 * The metadata parser's log level is global, read from the environment
	 * when the plugin loads; its syntax errors are only logged.  Let them
	 * reach the log ctf_add_source() keeps, unless the user chose a level.
	 */
	setenv("BABELTRACE_PLUGIN_CTF_METADATA_LOG_LEVEL", "W", 0);
	if (ctf_find_plugin(st, "ctf", &st->ctf_plugin))
		goto out;
	src_cls = bt_plugin_borrow_source_component_class_by_name_const(st->ctf_plugin, "fs");
	if (!src_cls) {
		st->failed = true;
		hm_reader_fail(st->r, 0, 0, "CTF: babeltrace2 has no src.ctf.fs component class");
		goto out;
	}
	st->graph = bt_graph_create(0);
	params = bt_value_map_create();
	st->sink_cls = bt_component_class_sink_create("hmtrace", ctf_sink_consume);
	if (!st->graph || !params || !st->sink_cls ||
	    bt_component_class_sink_set_initialize_method(st->sink_cls, ctf_sink_init) ||
	    bt_component_class_sink_set_graph_is_configured_method(st->sink_cls,
								   ctf_sink_configured) ||
	    bt_component_class_sink_set_finalize_method(st->sink_cls, ctf_sink_finalize)) {
		ret = ctf_nomem(st);
		goto out;
	}
	if (bt_value_map_insert_empty_array_entry(params, "inputs", &inputs) ||
	    bt_value_array_append_string_element(inputs, dir)) {
		ret = ctf_nomem(st);
		goto out;
	}
	log = tmpfile();
	if (ctf_add_source(st->graph, src_cls, params, BT_LOGGING_LEVEL_NONE, log, &src)) {
		ret = ctf_fail_source(st, src_cls, params, log);
		goto out;
	}

	/* our sink: one input port per stream */
	nports = bt_component_source_get_output_port_count(src);
	st->ports = calloc(nports ? nports : 1, sizeof(*st->ports));
	if (!st->ports || nports > UINT32_MAX) {
		ret = ctf_nomem(st);
		goto out;
	}
	st->nr_ports = (uint32_t)nports;
	if (bt_graph_add_sink_component_with_initialize_method_data(st->graph, st->sink_cls, "hm",
								    NULL, st, BT_LOGGING_LEVEL_NONE,
								    &sink)) {
		ret = ctf_fail_bt(st, "opening the trace", NULL);
		goto out;
	}
	for (i = 0; i < nports; i++) {
		const bt_port_output *out;
		const bt_port_input *in;

		out = bt_component_source_borrow_output_port_by_index_const(src, i);
		in = bt_component_sink_borrow_input_port_by_index_const(sink, i);

		if (bt_graph_connect_ports(st->graph, out, in, NULL)) {
			ret = ctf_fail_bt(st, "connecting the trace's streams", NULL);
			goto out;
		}
	}
	ret = 0;
out:
	if (log)
		fclose(log);
	bt_value_put_ref(params);
	free(dir);
	return ret;
}

/* ------------------------------------------------------------- ops --- */

static int ctf_probe(const unsigned char *buf, size_t len)
{
	static const unsigned char le[4] = { 0x57, 0x1d, 0xd1, 0x75 };
	static const unsigned char be[4] = { 0x75, 0xd1, 0x1d, 0x57 };
	size_t n = len < 4096 ? len : 4096;

	/* packetized metadata: TSDL_MAGIC in either byte order */
	if (len >= 4 && (!memcmp(buf, le, 4) || !memcmp(buf, be, 4)))
		return 100;
	if (len >= 9 && !memcmp(buf, "/* CTF 1.", 9))
		return 100;
	/* text metadata without the version comment */
	if (memmem(buf, n, "packet.header", 13) && memmem(buf, n, "trace {", 7))
		return 60;
	return 0;
}

static void ctf_close(struct hm_reader *r)
{
	struct ctf_state *st = r->priv;

	if (!st)
		return;
	/* the sink's finalize method puts what it holds: st is still alive */
	bt_graph_put_ref(st->graph);
	bt_component_class_sink_put_ref(st->sink_cls);
	bt_plugin_put_ref(st->ctf_plugin);
	free(st->ports);
	free(st->classes);
	free(st->q);
	free(st->pend);
	free(st->comms);
	free(st->hardirq);
	free(st->softirq);
	free(st);
	r->priv = NULL;
}

/*
 * Decode until the head of the queue can be handed out, or the trace ends.
 * Return 1 when an event is ready, 0 at the end, negative on error.
 */
static int ctf_fill_queue(struct ctf_state *st)
{
	int ret;

	for (;;) {
		if (st->q_head < st->q_tail) {
			if (!ctf_q_at(st, st->q_head)->pending)
				return 1;
			if (st->q_tail - st->q_head > CTF_MAX_HOLD || st->ended || st->stopped) {
				ctf_release_head(st);
				return 1;
			}
		} else if (st->stopped) {
			/* what was decoded before the error went out: now the error */
			st->r->err = st->err;
			return st->err_rc;
		} else if (st->ended) {
			return 0;
		}
		ret = ctf_step(st);
		if (ret < 0) {
			/* hold the error back until the events decoded before it are out */
			st->stopped = true;
			st->err = st->r->err;
			st->err_rc = ret;
			memset(&st->r->err, 0, sizeof(st->r->err));
			continue;
		}
		if (ret)
			st->ended = true;
	}
}

static int ctf_open(struct hm_reader *r)
{
	struct ctf_state *st = calloc(1, sizeof(*st));
	int ret;

	if (!st) {
		hm_reader_fail(r, 0, 0, "CTF: %s", strerror(ENOMEM));
		r->err.status = HM_EXIT_SYSTEM;
		return -ENOMEM;
	}
	st->r = r;
	r->priv = st;
	bt_current_thread_clear_error();
	ret = ctf_build_graph(st);
	if (ret)
		goto fail;
	/*
	 * Decode up to the first event so that the trace's environment (and
	 * the streams' CPUs) are in the meta before the caller looks.
	 */
	ret = ctf_fill_queue(st);
	if (ret < 0)
		goto fail;
	return 0;
fail:
	ctf_close(r);
	return ret;
}

static int ctf_next(struct hm_reader *r, struct hm_event *ev)
{
	struct ctf_state *st = r->priv;
	int ret = ctf_fill_queue(st);

	if (ret <= 0)
		return ret;
	*ev = ctf_q_at(st, st->q_head)->ev;
	st->q_head++;
	ev->index = r->next_index;
	return 1;
}

const struct hm_format_ops hm_format_ctf = {
	.name = "ctf",
	.description = "CTF trace directory (LTTng kernel, perf data convert --to-ctf, "
		       "hmtrace native), read with libbabeltrace2",
	.probe = ctf_probe,
	.open = ctf_open,
	.next = ctf_next,
	.close = ctf_close,
	.path_based = true,
};
