// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * session.c - the BPF side of hm-record, in libbpf-bootstrap's order:
 * check the system, open the skeleton, set the read-only configuration,
 * load, attach, poll; one way out (hm_session_free()).
 *
 * Two skeletons are built in: "fixed" (register and tracepoint layouts of
 * the architecture this binary is for, no BTF needed) and "CO-RE" (relocated
 * against /sys/kernel/btf/vmlinux or --btf FILE).  Which one runs is decided
 * here; the rest works on the bpf_object either one holds.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "hm_record.h"
#include HM_SKEL_FIXED
#include HM_SKEL_CORE

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

#define MAX_LINKS 32

struct hm_session {
	struct hm_record_fixed *fixed;
	struct hm_record_core *core;
	struct bpf_object *obj;
	struct bpf_map *events;
	struct bpf_map *lost;
	volatile __u32 *on;		/* the programs' hm_on, in the mapped .bss */
	struct bpf_link *links[MAX_LINKS];
	unsigned int nr_links;
	struct ring_buffer *rb;
	struct hm_recorder *rec;
	char object[64];
};

/* What each program probes; optional ones are skipped when the symbol is absent. */
static const struct prog_info {
	const char *prog;
	uint32_t group;
	const char *target;	/* function, or "group/tracepoint" */
	bool optional;
} progs[] = {
	{ "hm_kmap_high", HM_GROUP_PKMAP, "kmap_high", false },
	{ "hm_kmap_high_ret", HM_GROUP_PKMAP, "kmap_high", false },
	{ "hm_kunmap_high", HM_GROUP_PKMAP, "kunmap_high", false },
	{ "hm_kmap_flush_unused", HM_GROUP_PKMAP, "__kmap_flush_unused", true },
	{ "hm_flush_all_zero", HM_GROUP_PKMAP, "flush_all_zero_pkmaps", true },
	{ "hm_kmap_local", HM_GROUP_LOCAL, "__kmap_local_pfn_prot", false },
	{ "hm_kmap_local_ret", HM_GROUP_LOCAL, "__kmap_local_pfn_prot", false },
	{ "hm_kunmap_local", HM_GROUP_LOCAL, "kunmap_local_indexed", false },
	{ "hm_sched_switch", HM_GROUP_SCHED, "sched/sched_switch", false },
	{ "hm_sched_exit", HM_GROUP_SCHED, "sched/sched_process_exit", false },
	{ "hm_sched_fork", HM_GROUP_SCHED, "sched/sched_process_fork", false },
	{ "hm_sched_migrate", HM_GROUP_SCHED, "sched/sched_migrate_task", false },
	{ "hm_irq_entry", HM_GROUP_IRQ, "irq/irq_handler_entry", false },
	{ "hm_irq_exit", HM_GROUP_IRQ, "irq/irq_handler_exit", false },
	{ "hm_softirq_entry", HM_GROUP_IRQ, "irq/softirq_entry", false },
	{ "hm_softirq_exit", HM_GROUP_IRQ, "irq/softirq_exit", false },
};

/*
 * Where the fixed object expects the tracepoint fields it reads (the
 * kernel's "format" files say where they are): checked before loading, so
 * a kernel that moved one gets a message instead of wrong pids.  The
 * interrupt programs are raw tracepoints and read no record.
 */
static const struct tp_field {
	const char *tp;
	const char *field;
	unsigned int off_i386, off_x86_64;
} tp_fields[] = {
	{ "sched/sched_switch", "prev_pid", 24, 24 },
	{ "sched/sched_switch", "next_comm", 36, 40 },
	{ "sched/sched_switch", "next_pid", 52, 56 },
	{ "sched/sched_process_exit", "pid", 24, 24 },
	{ "sched/sched_process_fork", "parent_pid", 24, 24 },
	{ "sched/sched_process_fork", "child_pid", 44, 44 },
	{ "sched/sched_migrate_task", "comm", 8, 8 },
	{ "sched/sched_migrate_task", "pid", 24, 24 },
	{ "sched/sched_migrate_task", "orig_cpu", 32, 32 },
	{ "sched/sched_migrate_task", "dest_cpu", 36, 36 },
};

static bool verbose;

/* strerror() that knows libbpf's own codes (4000 and up) */
static const char *bpf_strerror(int e)
{
	static char buf[128];

	if (e < 0)
		e = -e;
	if (libbpf_strerror(e, buf, sizeof(buf)))
		snprintf(buf, sizeof(buf), "%s", strerror(e));
	return buf;
}

/* libbpf's own messages only with -v: the reasons hm-record gives are its own */
static int print_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	if (!verbose)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static int fail(struct hm_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(struct hm_error *err, const char *fmt, ...)
{
	va_list ap;

	memset(err, 0, sizeof(*err));
	err->status = HM_EXIT_SYSTEM;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

/* CAP_SYS_ADMIN, or CAP_BPF and CAP_PERFMON (Linux 5.8+), in the effective set. */
static bool privileged(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];
	uint64_t eff;

	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data))
		return geteuid() == 0;
	eff = data[0].effective | ((uint64_t)data[1].effective << 32);
	if (eff & (1ull << CAP_SYS_ADMIN))
		return true;
	return (eff & (1ull << CAP_BPF)) && (eff & (1ull << CAP_PERFMON));
}

static const char *tracefs_dir(void)
{
	if (access("/sys/kernel/tracing/events", F_OK) == 0)
		return "/sys/kernel/tracing";
	if (access("/sys/kernel/debug/tracing/events", F_OK) == 0)
		return "/sys/kernel/debug/tracing";
	return NULL;
}

/* Offset of FIELD in a tracepoint's format file; -1 if not found or unreadable. */
static int tp_field_offset(const char *tracefs, const char *tp, const char *field)
{
	char path[256], line[512], pat[80];
	int off = -1;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/events/%s/format", tracefs, tp);
	fp = fopen(path, "re");
	if (!fp)
		return -1;
	snprintf(pat, sizeof(pat), " %s;", field);
	while (fgets(line, sizeof(line), fp)) {
		char *d = strstr(line, pat), *o = strstr(line, "offset:");

		if (!d || !o)
			continue;
		/* "field:pid_t next_pid;" or "field:char next_comm[16];" (no match) */
		off = atoi(o + 7);
		break;
	}
	if (off < 0) {
		rewind(fp);
		snprintf(pat, sizeof(pat), " %s[", field);
		while (fgets(line, sizeof(line), fp)) {
			char *d = strstr(line, pat), *o = strstr(line, "offset:");

			if (d && o) {
				off = atoi(o + 7);
				break;
			}
		}
	}
	fclose(fp);
	return off;
}

static const char *build_arch(void)
{
#if defined(HM_RECORD_I386)
	return "i386";
#else
	return "x86_64";
#endif
}

/* The running kernel's architecture, in the same words. */
static const char *kernel_arch(char *buf, size_t len)
{
	struct utsname u;

	if (uname(&u))
		return "unknown";
	if (u.machine[0] == 'i' && strcmp(u.machine + 2, "86") == 0)
		return "i386";
	snprintf(buf, len, "%s", u.machine);
	return buf;
}

static int check_symbols(const struct hm_session_opts *o, const struct hm_ksyms *k,
			 struct hm_error *err)
{
	bool local = hm_ksyms_has(k, "__kmap_local_pfn_prot");

	if ((o->groups & HM_GROUP_PKMAP) && !hm_ksyms_has(k, "kmap_high")) {
		if (local)
			return fail(err, "kmap_high not found: this kernel has no CONFIG_HIGHMEM (64-bit kernels only map through kmap_local with CONFIG_DEBUG_KMAP_LOCAL_FORCE_MAP); --no-pkmap records the kmap_local calls alone");
		return fail(err, "kmap_high not found: this kernel has no CONFIG_HIGHMEM (64-bit kernels only map through kmap_local with CONFIG_DEBUG_KMAP_LOCAL_FORCE_MAP, and this one has neither): there is nothing to trace");
	}
	if ((o->groups & HM_GROUP_LOCAL) && !local)
		return fail(err, "__kmap_local_pfn_prot not found: this kernel has neither CONFIG_HIGHMEM nor CONFIG_DEBUG_KMAP_LOCAL_FORCE_MAP, so kmap_local_page() never maps anything: there is nothing to trace");
	if ((o->groups & HM_GROUP_LOCAL) && !hm_ksyms_has(k, "kunmap_local_indexed"))
		return fail(err, "kunmap_local_indexed not found: this kernel's kmap_local is not the one hmtrace models (Linux 5.11 or later)");
	if ((o->groups & HM_GROUP_PKMAP) && !hm_ksyms_has(k, "kunmap_high"))
		return fail(err, "kunmap_high not found although kmap_high is there");
	return 0;
}

static int check_kernel(const struct hm_session_opts *o, bool *core, struct hm_error *err)
{
	char buf[sizeof(((struct utsname *)0)->machine)];
	const char *karch = kernel_arch(buf, sizeof(buf));
	int fd;

	if (strcmp(karch, build_arch()) != 0)
		return fail(err, "this hm-record is built for %s kernels, this kernel is %s: use a build for %s (the probes read arguments from %s registers)",
			    build_arch(), karch, karch, build_arch());
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, NULL, 4, 4, 1, NULL);
	if (fd < 0) {
		if (errno == ENOSYS)
			return fail(err, "this kernel has no BPF (CONFIG_BPF_SYSCALL is off)");
		if (errno == EPERM)
			return fail(err, "the kernel refused BPF: %s (run as root; kernel lockdown forbids BPF tracing)", strerror(errno));
		return fail(err, "BPF does not work here: %s", strerror(errno));
	}
	close(fd);
	if (libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL) <= 0)
		return fail(err, "this kernel has no BPF ring buffer (Linux 5.8 or later needed)");
	if (libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_KPROBE, NULL) <= 0)
		return fail(err, "this kernel cannot attach BPF programs to kprobes (CONFIG_BPF_EVENTS is off)");
	if (access("/sys/bus/event_source/devices/kprobe/type", F_OK) != 0 &&
	    (!tracefs_dir() || access("/sys/kernel/tracing/kprobe_events", F_OK) != 0))
		return fail(err, "this kernel has no kprobe events (CONFIG_KPROBE_EVENTS is off)");
	if ((o->groups & (HM_GROUP_SCHED | HM_GROUP_IRQ)) && !tracefs_dir())
		return fail(err, "tracefs is not mounted: the tracepoints are found there (mount -t tracefs nodev /sys/kernel/tracing)");
	*core = o->btf || access("/sys/kernel/btf/vmlinux", R_OK) == 0;
	if (!*core) {
		const char *tfs = tracefs_dir();

		for (size_t i = 0; tfs && i < sizeof(tp_fields) / sizeof(tp_fields[0]); i++) {
			const struct tp_field *f = &tp_fields[i];
			unsigned int want = strcmp(build_arch(), "i386") == 0 ? f->off_i386 :
					    f->off_x86_64;
			int off;

			if (!(o->groups & HM_GROUP_SCHED))
				continue;
			off = tp_field_offset(tfs, f->tp, f->field);
			if (off >= 0 && (unsigned int)off != want)
				return fail(err, "tracepoint %s: field %s is at offset %d, this hm-record expects %u: give the kernel's BTF with --btf FILE", f->tp, f->field, off, want);
		}
	}
	return 0;
}

/* --btf FILE: bad input, whatever the kernel */
static int check_btf(const char *path, struct hm_error *err)
{
	struct hm_where w = { .file = path };
	struct btf *b;

	if (access(path, R_OK))
		return hm_error_set(err, HM_EXIT_INPUT, &w, "cannot open: %s", strerror(errno));
	b = btf__parse(path, NULL);
	if (!b)
		return hm_error_set(err, HM_EXIT_INPUT, &w, "not BTF (pahole -J output, or an ELF file with a .BTF section): %s", bpf_strerror(errno));
	btf__free(b);
	return 0;
}

static const struct prog_info *prog_info(const char *name)
{
	for (size_t i = 0; i < sizeof(progs) / sizeof(progs[0]); i++)
		if (strcmp(progs[i].prog, name) == 0)
			return &progs[i];
	return NULL;
}

static int on_record(void *ctx, void *data, size_t size)
{
	struct hm_session *s = ctx;
	int ret = hm_recorder_add(s->rec, data, size);

	/* a malformed record is counted; only running out of memory stops us */
	return ret == -ENOMEM ? ret : 0;
}

static void fill_cfg(struct hm_record_cfg *cfg, const struct hm_session_opts *o,
		     const struct hm_ksyms *k)
{
	uint64_t pc = hm_ksyms_addr(k, "__preempt_count");

	memset(cfg, 0, sizeof(*cfg));
	/* Linux 6.2 to 6.14 keep it in struct pcpu_hot, after the current task pointer */
	if (!pc && hm_ksyms_addr(k, "pcpu_hot"))
		pc = hm_ksyms_addr(k, "pcpu_hot") + sizeof(long);
	cfg->preempt_count = pc;
	cfg->per_cpu_offset = pc ? hm_ksyms_addr(k, "__per_cpu_offset") : 0;
	cfg->groups = o->groups;
	cfg->tgid = o->tgid;
	cfg->cpu = o->cpu;
	if (o->comm) {
		cfg->has_comm = 1;
		memcpy(cfg->comm, o->comm, strnlen(o->comm, sizeof(cfg->comm) - 1));
	}
}

static int attach(struct hm_session *s, struct bpf_program *prog, struct hm_error *err)
{
	const struct prog_info *pi = prog_info(bpf_program__name(prog));
	struct bpf_link *l;

	if (!bpf_program__autoload(prog))
		return 0;
	if (s->nr_links == MAX_LINKS)
		return fail(err, "too many programs");
	l = bpf_program__attach(prog);
	if (!l) {
		int e = errno;

		if (strchr(pi->target, '/'))
			return fail(err, "cannot attach to tracepoint %s: %s", pi->target, bpf_strerror(e));
		return fail(err, "cannot attach a %s to %s: %s",
			    strstr(pi->prog, "_ret") ? "kretprobe" : "kprobe", pi->target, bpf_strerror(e));
	}
	s->links[s->nr_links++] = l;
	return 0;
}

static int load_error(int e, const char *what, struct hm_error *err)
{
	if (e == EPERM || e == EACCES)
		return fail(err, "the kernel refused the BPF program: %s (run as root; kernel lockdown forbids BPF tracing)", bpf_strerror(e));
	return fail(err, "cannot %s the BPF program: %s (-v shows libbpf's and the verifier's messages)", what, bpf_strerror(e));
}

struct hm_session *hm_session_start(const struct hm_session_opts *o, const struct hm_ksyms *ksyms,
				    struct hm_recorder *rec, struct hm_error *err)
{
	LIBBPF_OPTS(bpf_object_open_opts, oopts, .btf_custom_path = o->btf);
	struct hm_session *s;
	struct hm_record_cfg *cfg = NULL;
	struct bpf_program *prog;
	bool core = false;
	int ret;

	verbose = o->verbose;
	libbpf_set_print(print_libbpf);
	if (o->btf && check_btf(o->btf, err))
		return NULL;
	if (!privileged()) {
		fail(err, "must run as root (or with CAP_BPF and CAP_PERFMON)");
		return NULL;
	}
	if (check_symbols(o, ksyms, err) || check_kernel(o, &core, err))
		return NULL;
	if (!hm_ksyms_have_addrs(ksyms))
		hm_warn("/proc/kallsyms shows no addresses (kernel.kptr_restrict=2?): call sites are written as addresses and the interrupt context is not known");

	s = calloc(1, sizeof(*s));
	if (!s) {
		fail(err, "out of memory");
		return NULL;
	}
	s->rec = rec;
	if (core) {
		s->core = hm_record_core__open_opts(&oopts);
		if (s->core) {
			s->obj = s->core->obj;
			s->events = s->core->maps.events;
			s->lost = s->core->maps.lost;
			cfg = &s->core->rodata->cfg;
		}
	} else {
		s->fixed = hm_record_fixed__open_opts(&oopts);
		if (s->fixed) {
			s->obj = s->fixed->obj;
			s->events = s->fixed->maps.events;
			s->lost = s->fixed->maps.lost;
			cfg = &s->fixed->rodata->cfg;
		}
	}
	if (!s->obj) {
		load_error(errno, "open", err);
		goto out;
	}
	snprintf(s->object, sizeof(s->object), "%s %s%s%s", core ? "CO-RE" : "fixed",
		 build_arch(), o->btf ? ", BTF from " : "", o->btf ? o->btf : "");

	/* the read-only configuration: the filters the programs apply */
	fill_cfg(cfg, o, ksyms);
	ret = bpf_map__set_max_entries(s->events, o->buffer_kb * 1024u);
	if (ret) {
		fail(err, "ring buffer of %u KiB: %s", o->buffer_kb, strerror(-ret));
		goto out;
	}
	bpf_object__for_each_program(prog, s->obj) {
		const struct prog_info *pi = prog_info(bpf_program__name(prog));
		bool on = pi && (o->groups & pi->group);

		if (on && pi->optional && !hm_ksyms_has(ksyms, pi->target)) {
			hm_warn("%s not found (inlined in this kernel?): not recorded", pi->target);
			on = false;
		}
		bpf_program__set_autoload(prog, on);
	}

	/* the skeleton's load also maps .bss, where hm_on is, into the map */
	ret = s->core ? hm_record_core__load(s->core) : hm_record_fixed__load(s->fixed);
	if (ret) {
		load_error(-ret, "load", err);
		goto out;
	}
	s->on = s->core ? &s->core->bss->hm_on : &s->fixed->bss->hm_on;

	/* nothing is recorded before hm_on is set, once all are attached */
	bpf_object__for_each_program(prog, s->obj)
		if (attach(s, prog, err))
			goto out;

	s->rb = ring_buffer__new(bpf_map__fd(s->events), on_record, s, NULL);
	if (!s->rb) {
		fail(err, "cannot map the ring buffer: %s", strerror(errno));
		goto out;
	}
	*s->on = 1;
	return s;
out:
	hm_session_free(s);
	return NULL;
}

unsigned int hm_session_nr_links(const struct hm_session *s)
{
	return s->nr_links;
}

const char *hm_session_object(const struct hm_session *s)
{
	return s->object;
}

int hm_session_poll(struct hm_session *s, int timeout_ms)
{
	int n = ring_buffer__poll(s->rb, timeout_ms), m;

	if (n < 0 && n != -EINTR)
		return n;
	/* the programs wake us only when the buffer fills up: take the rest too */
	m = ring_buffer__consume(s->rb);
	if (m < 0)
		return m;
	return n < 0 ? n : n + m;
}

int hm_session_stop(struct hm_session *s)
{
	int ret, m;

	if (s->on)
		*s->on = 0;
	for (unsigned int i = 0; i < s->nr_links; i++)
		bpf_link__destroy(s->links[i]);
	s->nr_links = 0;
	if (!s->rb)
		return 0;
	/* a program that saw hm_on just before it was cleared may still be
	 * writing its record on another CPU: give it time to commit */
	ret = ring_buffer__consume(s->rb);
	usleep(20000);
	m = ring_buffer__consume(s->rb);
	return ret < 0 ? ret : m < 0 ? m : ret + m;
}

int hm_session_run_stats(const struct hm_session *s, uint64_t *runs, uint64_t *ns)
{
	struct bpf_program *prog;
	bool any = false;

	*runs = *ns = 0;
	/* with kernel.bpf_stats_enabled=1 the kernel counts in each program's fdinfo */
	bpf_object__for_each_program(prog, s->obj) {
		char path[64], line[128];
		FILE *fp;

		if (!bpf_program__autoload(prog) || bpf_program__fd(prog) < 0)
			continue;
		snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", bpf_program__fd(prog));
		fp = fopen(path, "re");
		if (!fp)
			continue;
		while (fgets(line, sizeof(line), fp)) {
			unsigned long long v;

			if (sscanf(line, "run_time_ns: %llu", &v) == 1) {
				*ns += v;
				any = true;
			} else if (sscanf(line, "run_cnt: %llu", &v) == 1) {
				*runs += v;
			}
		}
		fclose(fp);
	}
	return any ? 0 : -ENOENT;
}

uint64_t hm_session_lost(const struct hm_session *s)
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t sum = 0, *v;
	uint32_t key = HM_LOST_RINGBUF;

	if (ncpu <= 0 || !s->lost)
		return 0;
	v = calloc((size_t)ncpu, sizeof(*v));
	if (!v)
		return 0;
	if (bpf_map__lookup_elem(s->lost, &key, sizeof(key), v, (size_t)ncpu * sizeof(*v), 0) == 0)
		for (int i = 0; i < ncpu; i++)
			sum += v[i];
	free(v);
	return sum;
}

void hm_session_free(struct hm_session *s)
{
	if (!s)
		return;
	ring_buffer__free(s->rb);
	for (unsigned int i = 0; i < s->nr_links; i++)
		bpf_link__destroy(s->links[i]);
	hm_record_fixed__destroy(s->fixed);
	hm_record_core__destroy(s->core);
	free(s);
}
