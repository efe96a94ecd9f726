// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-record.c - hm-record's user-space side without a kernel: synthetic
 * ring-buffer records in, exact trace format v1 lines out; call sites from
 * a kallsyms fixture; the trace's meta from fixture system files.
 *
 * Usage: test-record DATADIR
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "hm_record.h"
#include "tap.h"

static const char *datadir;

static const char *data(const char *name)
{
	static char buf[4][512];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", datadir, name);
	return buf[i];
}

/* A record as the BPF program writes it; pc 1 is the probe's own disable. */
static struct hm_rec rec(uint16_t kind, uint64_t ts, uint32_t cpu, uint32_t pid,
			 const char *comm, uint64_t arg)
{
	struct hm_rec r;

	memset(&r, 0, sizeof(r));
	r.kind = kind;
	r.ts = ts;
	r.cpu = cpu;
	r.pid = pid;
	r.arg = arg;
	r.pc = 1;
	r.flags = HM_RECF_PC | HM_RECF_IRQS;
	memcpy(r.comm, comm, strnlen(comm, sizeof(r.comm)));
	return r;
}

static struct hm_rec ret(uint16_t kind, uint64_t ts, uint32_t cpu, uint32_t pid,
			 const char *comm, uint64_t vaddr, uint64_t ip)
{
	struct hm_rec r = rec(kind, ts, cpu, pid, comm, vaddr);

	r.ip = ip;
	return r;
}

struct run {
	char *buf;
	size_t len;
	FILE *fp;
	struct hm_ksyms *k;
	struct hm_recorder *r;
};

static void run_start(struct run *t)
{
	struct hm_error err;

	memset(t, 0, sizeof(*t));
	t->fp = open_memstream(&t->buf, &t->len);
	t->k = hm_ksyms_load(data("kallsyms"), data("modules"), &err);
	if (!t->k)
		tap_diag("kallsyms fixture: %s", err.msg);
	t->r = hm_recorder_new(t->fp, t->k);
}

static int add(struct run *t, struct hm_rec r)
{
	return hm_recorder_add(t->r, &r, sizeof(r));
}

/* What is written so far. */
static const char *out(struct run *t)
{
	fflush(t->fp);
	return t->buf ? t->buf : "";
}

/* Finish, then compare everything written with @want. */
static void run_check(struct run *t, const char *want, const char *name)
{
	tap_ok(hm_recorder_finish(t->r) == 0, "%s: finished", name);
	tap_is_str(out(t), want, name);
}

static void run_end(struct run *t)
{
	hm_recorder_free(t->r);
	hm_ksyms_free(t->k);
	fclose(t->fp);
	free(t->buf);
}

#define FLAGS ",\"irqs_off\":false,\"preempt_off\":false}\n"

static void test_pair(void)
{
	struct run t;

	run_start(&t);
	add(&t, rec(HM_REC_KMAP_LOCAL, 1000, 0, 10, "cat", 0x36bfe));
	add(&t, ret(HM_REC_KMAP_LOCAL_RET, 1500, 0, 10, "cat", 0xfffbb000, 0xc126333d));
	add(&t, rec(HM_REC_KUNMAP_LOCAL, 1700, 0, 10, "cat", 0xfffbb930));
	run_check(&t,
		  "{\"ts\":1000,\"cpu\":0,\"pid\":10,\"comm\":\"cat\",\"op\":\"kmap_local\",\"pfn\":224254,\"vaddr\":\"0xfffbb000\",\"ret_ts\":1500,\"site\":\"__kmap_local_page_prot+0x3d/0x40\"" FLAGS
		  "{\"ts\":1700,\"cpu\":0,\"pid\":10,\"comm\":\"cat\",\"op\":\"kunmap_local\",\"vaddr\":\"0xfffbb930\"" FLAGS,
		  "a kprobe entry and its kretprobe become one event");
	tap_is_u64(hm_recorder_stats(t.r)->events, 2, "two events written");
	tap_is_u64(hm_recorder_stats(t.r)->records, 3, "three records taken");
	tap_is_u64(hm_recorder_stats(t.r)->ops[HM_OP_KMAP_LOCAL], 1, "one kmap_local counted");
	tap_is_u64(hm_recorder_stats(t.r)->ops[HM_OP_KUNMAP_LOCAL], 1, "one kunmap_local counted");
	run_end(&t);
}

/* kmap_high() may sleep: other events come between its entry and its return. */
static void test_holdback(void)
{
	struct run t;

	run_start(&t);
	add(&t, rec(HM_REC_KMAP_HIGH, 100, 0, 5, "ls", 0xf6e9ccf8));
	add(&t, rec(HM_REC_SCHED_SWITCH, 200, 0, 5, "ls", 0));
	add(&t, rec(HM_REC_KUNMAP_HIGH, 300, 0, 6, "find", 0xf6e9cd20));
	hm_recorder_flush(t.r, 350);
	tap_is_str(out(&t), "", "an entry waiting for its return holds back the events after it");
	add(&t, ret(HM_REC_KMAP_HIGH_RET, 400, 0, 5, "ls", 0xff001000, 0xf8a3e050));
	hm_recorder_flush(t.r, 450);
	tap_ok(strchr(out(&t), '\n') != NULL, "the return releases them");
	run_check(&t,
		  "{\"ts\":100,\"cpu\":0,\"pid\":5,\"comm\":\"ls\",\"op\":\"kmap\",\"page\":\"0xf6e9ccf8\",\"vaddr\":\"0xff001000\",\"ret_ts\":400,\"site\":\"dir_get_page.isra.0+0x50/0x60 [minix]\"" FLAGS
		  "{\"ts\":200,\"cpu\":0,\"pid\":5,\"comm\":\"ls\",\"op\":\"sched_switch\",\"next_pid\":0" FLAGS
		  "{\"ts\":300,\"cpu\":0,\"pid\":6,\"comm\":\"find\",\"op\":\"kunmap\",\"page\":\"0xf6e9cd20\"" FLAGS,
		  "events go out in the order of their entries");
	run_end(&t);
}

/* Two CPUs' records reach the ring buffer out of timestamp order. */
static void test_order(void)
{
	struct run t;

	run_start(&t);
	add(&t, rec(HM_REC_FLUSH_UNUSED, 300, 1, 7, "insmod", 0));
	add(&t, rec(HM_REC_FLUSH_ALL_ZERO, 100, 0, 8, "sh", 0));
	add(&t, rec(HM_REC_FLUSH_ALL_ZERO, 200, 1, 7, "insmod", 0));
	hm_recorder_flush(t.r, 250);
	tap_is_str(out(&t),
		   "{\"ts\":100,\"cpu\":0,\"pid\":8,\"comm\":\"sh\",\"op\":\"flush_all_zero\"" FLAGS
		   "{\"ts\":200,\"cpu\":1,\"pid\":7,\"comm\":\"insmod\",\"op\":\"flush_all_zero\"" FLAGS,
		   "a flush writes the records below its watermark, sorted by time");
	/* older than what is out already: written as it comes, and counted */
	add(&t, rec(HM_REC_TASK_EXIT, 150, 0, 9, "true", 0));
	run_check(&t,
		  "{\"ts\":100,\"cpu\":0,\"pid\":8,\"comm\":\"sh\",\"op\":\"flush_all_zero\"" FLAGS
		  "{\"ts\":200,\"cpu\":1,\"pid\":7,\"comm\":\"insmod\",\"op\":\"flush_all_zero\"" FLAGS
		  "{\"ts\":150,\"cpu\":0,\"pid\":9,\"comm\":\"true\",\"op\":\"task_exit\"" FLAGS
		  "{\"ts\":300,\"cpu\":1,\"pid\":7,\"comm\":\"insmod\",\"op\":\"kmap_flush_unused\"" FLAGS,
		  "a late record keeps its place in the stream");
	tap_is_u64(hm_recorder_stats(t.r)->late, 1, "one record counted late");
	run_end(&t);
}

/* Returns without entries, entries without returns. */
static void test_unpaired(void)
{
	struct run t;

	run_start(&t);
	/* the call began before the recording: known by its return only */
	add(&t, ret(HM_REC_KMAP_HIGH_RET, 50, 0, 3, "sh", 0xff002000, 0xc1263030));
	/* the task exits with a call open (its return was missed) */
	add(&t, rec(HM_REC_KMAP_LOCAL, 60, 0, 4, "dd", 0x40000));
	add(&t, rec(HM_REC_TASK_EXIT, 70, 0, 4, "dd", 0));
	/* a return for the task that exited is not paired with anything */
	run_check(&t,
		  "{\"ts\":50,\"cpu\":0,\"pid\":3,\"comm\":\"sh\",\"op\":\"kmap\",\"vaddr\":\"0xff002000\",\"site\":\"copy_page_to_iter+0x30/0x120\"" FLAGS
		  "{\"ts\":60,\"cpu\":0,\"pid\":4,\"comm\":\"dd\",\"op\":\"kmap_local\",\"pfn\":262144" FLAGS
		  "{\"ts\":70,\"cpu\":0,\"pid\":4,\"comm\":\"dd\",\"op\":\"task_exit\"" FLAGS,
		  "a return alone is a map known by its return; an exit closes the task's open calls");
	tap_is_u64(hm_recorder_stats(t.r)->unpaired_returns, 1, "one unpaired return counted");
	tap_is_u64(hm_recorder_stats(t.r)->unreturned, 1, "one entry without return counted");
	run_end(&t);

	/* the recording ends with a call open */
	run_start(&t);
	add(&t, rec(HM_REC_KMAP_HIGH, 10, 0, 3, "sh", 0xf6e9cd48));
	run_check(&t, "{\"ts\":10,\"cpu\":0,\"pid\":3,\"comm\":\"sh\",\"op\":\"kmap\",\"page\":\"0xf6e9cd48\"" FLAGS,
		  "an entry still open at the end is written without a return");
	run_end(&t);
}

/* Interrupts nest on the interrupted task: pair by context too. */
static void test_nesting(void)
{
	struct run t;
	struct hm_rec r;

	run_start(&t);
	add(&t, rec(HM_REC_KMAP_LOCAL, 100, 0, 20, "cp", 0x40001));
	r = rec(HM_REC_KMAP_LOCAL, 110, 0, 20, "cp", 0x40002);
	r.pc = 1 | HM_PC_HARDIRQ_OFFSET;
	r.flags |= HM_RECF_IRQS_OFF;
	add(&t, r);
	r = ret(HM_REC_KMAP_LOCAL_RET, 120, 0, 20, "cp", 0xfffba000, 0xc1263030);
	r.pc = 1 | HM_PC_HARDIRQ_OFFSET;
	r.flags |= HM_RECF_IRQS_OFF;
	add(&t, r);
	add(&t, ret(HM_REC_KMAP_LOCAL_RET, 130, 0, 20, "cp", 0xfffbb000, 0xc1263040));
	run_check(&t,
		  "{\"ts\":100,\"cpu\":0,\"pid\":20,\"comm\":\"cp\",\"op\":\"kmap_local\",\"pfn\":262145,\"vaddr\":\"0xfffbb000\",\"ret_ts\":130,\"site\":\"copy_page_to_iter+0x40/0x120\"" FLAGS
		  "{\"ts\":110,\"cpu\":0,\"pid\":20,\"comm\":\"cp\",\"ctx\":\"hardirq\",\"op\":\"kmap_local\",\"pfn\":262146,\"vaddr\":\"0xfffba000\",\"ret_ts\":120,\"site\":\"copy_page_to_iter+0x30/0x120\",\"irqs_off\":true,\"preempt_off\":false}\n",
		  "an interrupt's call nested in the task's pairs with its own return");
	run_end(&t);

	/* the interrupt's return was lost: the task's return shows it */
	run_start(&t);
	add(&t, rec(HM_REC_KMAP_LOCAL, 100, 0, 20, "cp", 0x40001));
	r = rec(HM_REC_KMAP_LOCAL, 110, 0, 20, "cp", 0x40002);
	r.pc = 1 | HM_PC_SOFTIRQ_OFFSET;
	add(&t, r);
	add(&t, ret(HM_REC_KMAP_LOCAL_RET, 130, 0, 20, "cp", 0xfffbb000, 0xc1263040));
	run_check(&t,
		  "{\"ts\":100,\"cpu\":0,\"pid\":20,\"comm\":\"cp\",\"op\":\"kmap_local\",\"pfn\":262145,\"vaddr\":\"0xfffbb000\",\"ret_ts\":130,\"site\":\"copy_page_to_iter+0x40/0x120\"" FLAGS
		  "{\"ts\":110,\"cpu\":0,\"pid\":20,\"comm\":\"cp\",\"ctx\":\"softirq\",\"op\":\"kmap_local\",\"pfn\":262146" FLAGS,
		  "a return in an outer context closes the inner call without a return");
	tap_is_u64(hm_recorder_stats(t.r)->unreturned, 1, "the inner call counted without return");
	run_end(&t);

	/* every CPU's idle task is pid 0 */
	run_start(&t);
	add(&t, rec(HM_REC_KMAP_LOCAL, 100, 0, 0, "swapper/0", 0x1));
	add(&t, rec(HM_REC_KMAP_LOCAL, 101, 1, 0, "swapper/1", 0x2));
	add(&t, ret(HM_REC_KMAP_LOCAL_RET, 102, 0, 0, "swapper/0", 0xfffbb000, 0xc1263030));
	add(&t, ret(HM_REC_KMAP_LOCAL_RET, 103, 1, 0, "swapper/1", 0xfffab000, 0xc1263030));
	run_check(&t,
		  "{\"ts\":100,\"cpu\":0,\"pid\":0,\"comm\":\"swapper/0\",\"op\":\"kmap_local\",\"pfn\":1,\"vaddr\":\"0xfffbb000\",\"ret_ts\":102,\"site\":\"copy_page_to_iter+0x30/0x120\"" FLAGS
		  "{\"ts\":101,\"cpu\":1,\"pid\":0,\"comm\":\"swapper/1\",\"op\":\"kmap_local\",\"pfn\":2,\"vaddr\":\"0xfffab000\",\"ret_ts\":103,\"site\":\"copy_page_to_iter+0x30/0x120\"" FLAGS,
		  "pid 0 pairs per CPU");
	run_end(&t);
}

/* Each kind of record, its fields, and what the context bits say. */
static void test_kinds(void)
{
	struct run t;
	struct hm_rec r;

	run_start(&t);
	r = rec(HM_REC_SCHED_SWITCH, 1, 0, 30, "sh", 0);
	r.other = 31;
	r.pc = 2;			/* preempt count 1 besides the probe's */
	r.flags |= HM_RECF_IRQS_OFF;
	add(&t, r);
	r = rec(HM_REC_FORK, 2, 0, 31, "sh", 0);
	r.other = 32;
	add(&t, r);
	r = rec(HM_REC_MIGRATE, 3, 1, 32, "sh", 0);
	r.other = 0;
	r.flags = HM_RECF_PC;		/* interrupts not known: no flags written */
	add(&t, r);
	r = rec(HM_REC_IRQ_ENTER, 4, 0, 30, "sh", 14);
	r.pc = 1 | HM_PC_HARDIRQ_OFFSET;
	r.flags |= HM_RECF_IRQS_OFF;
	add(&t, r);
	r = rec(HM_REC_IRQ_EXIT, 5, 0, 30, "sh", 14);
	r.flags = HM_RECF_CTX | HM_RECF_IRQS | HM_RECF_IRQS_OFF;
	r.pc = HM_PC_HARDIRQ_OFFSET;	/* context tracked, no preempt count: no flags */
	add(&t, r);
	r = rec(HM_REC_SOFTIRQ_ENTER, 6, 0, 30, "sh", 1);
	r.pc = 1 | HM_PC_SOFTIRQ_OFFSET;
	add(&t, r);
	r = rec(HM_REC_SOFTIRQ_EXIT, 7, 0, 30, "sh", 1);
	r.pc = 1 | HM_PC_SOFTIRQ_OFFSET;
	add(&t, r);
	r = rec(HM_REC_KUNMAP_LOCAL, 8, 0, 30, "sh", 0xfffbb000);
	r.flags = HM_RECF_CTX | HM_RECF_IRQS;
	r.pc = HM_PC_SOFTIRQ_OFFSET;
	add(&t, r);
	r = rec(HM_REC_KUNMAP_LOCAL, 9, 0, 30, "sh", 0xfffbb000);
	r.pc = 1 | HM_PC_NMI_OFFSET | HM_PC_HARDIRQ_OFFSET;
	add(&t, r);
	r = rec(HM_REC_KUNMAP_LOCAL, 10, 0, 30, "sh", 0xfffbb000);
	r.flags = 0;			/* nothing known about the context */
	r.pc = 0;
	add(&t, r);
	run_check(&t,
		  "{\"ts\":1,\"cpu\":0,\"pid\":30,\"comm\":\"sh\",\"op\":\"sched_switch\",\"next_pid\":31,\"irqs_off\":true,\"preempt_off\":true}\n"
		  "{\"ts\":2,\"cpu\":0,\"pid\":31,\"comm\":\"sh\",\"op\":\"fork\",\"next_pid\":32" FLAGS
		  "{\"ts\":3,\"cpu\":1,\"pid\":32,\"comm\":\"sh\",\"op\":\"migrate\",\"dest_cpu\":0}\n"
		  "{\"ts\":4,\"cpu\":0,\"pid\":30,\"comm\":\"sh\",\"ctx\":\"hardirq\",\"op\":\"irq_enter\",\"irqs_off\":true,\"preempt_off\":false}\n"
		  "{\"ts\":5,\"cpu\":0,\"pid\":30,\"comm\":\"sh\",\"ctx\":\"hardirq\",\"op\":\"irq_exit\"}\n"
		  "{\"ts\":6,\"cpu\":0,\"pid\":30,\"comm\":\"sh\",\"ctx\":\"softirq\",\"op\":\"irq_enter\"" FLAGS
		  "{\"ts\":7,\"cpu\":0,\"pid\":30,\"comm\":\"sh\",\"ctx\":\"softirq\",\"op\":\"irq_exit\"" FLAGS
		  "{\"ts\":8,\"cpu\":0,\"pid\":30,\"comm\":\"sh\",\"ctx\":\"softirq\",\"op\":\"kunmap_local\",\"vaddr\":\"0xfffbb000\"}\n"
		  "{\"ts\":9,\"cpu\":0,\"pid\":30,\"comm\":\"sh\",\"ctx\":\"nmi\",\"op\":\"kunmap_local\",\"vaddr\":\"0xfffbb000\"" FLAGS
		  "{\"ts\":10,\"cpu\":0,\"pid\":30,\"comm\":\"sh\",\"op\":\"kunmap_local\",\"vaddr\":\"0xfffbb000\"}\n",
		  "every kind of record, and the context its preempt count says");
	run_end(&t);
}

static void test_malformed(void)
{
	struct run t;
	struct hm_rec r = rec(HM_REC_KUNMAP_LOCAL, 1, 0, 1, "a\"b\\c\001", 0xfffbb000);
	char big[sizeof(r) + 8];

	run_start(&t);
	tap_ok(hm_recorder_add(t.r, &r, sizeof(r) - 1) == -EINVAL, "a short record is refused");
	memset(big, 0, sizeof(big));
	tap_ok(hm_recorder_add(t.r, big, sizeof(big)) == -EINVAL, "a long record is refused");
	r.kind = HM_REC_NONE;
	tap_ok(add(&t, r) == -EINVAL, "kind 0 is refused");
	r.kind = HM_REC__COUNT;
	tap_ok(add(&t, r) == -EINVAL, "an unknown kind is refused");
	tap_is_u64(hm_recorder_stats(t.r)->malformed, 4, "four malformed records counted");
	r.kind = HM_REC_KUNMAP_LOCAL;
	memcpy(r.comm, "0123456789abcdef", 16);	/* 16 bytes, no NUL */
	add(&t, r);
	r = rec(HM_REC_KUNMAP_LOCAL, 2, 0, 1, "a\"b\\c\001", 0xfffbb000);
	add(&t, r);
	run_check(&t,
		  "{\"ts\":1,\"cpu\":0,\"pid\":1,\"comm\":\"0123456789abcdef\",\"op\":\"kunmap_local\",\"vaddr\":\"0xfffbb000\"" FLAGS
		  "{\"ts\":2,\"cpu\":0,\"pid\":1,\"comm\":\"a\\\"b\\\\c\\u0001\",\"op\":\"kunmap_local\",\"vaddr\":\"0xfffbb000\"" FLAGS,
		  "a full 16-byte name and one needing escapes are written as valid JSON");
	run_end(&t);
}

/* Sites are named as %pS names them; without symbols, as addresses. */
static void test_ksyms(void)
{
	struct hm_error err;
	struct hm_ksyms *k = hm_ksyms_load(data("kallsyms"), data("modules"), &err);
	struct {
		uint64_t ip;
		int ret;
		const char *want;
	} cases[] = {
		{ 0xc1263030, 0, "copy_page_to_iter+0x30/0x120" },
		{ 0xc126333d, 0, "__kmap_local_page_prot+0x3d/0x40" },
		{ 0xc1263440, 0, "kmap_high+0x10/0x260" },	/* the first of two names */
		{ 0xc1263700, 0, "kunmap_high+0x70/0x110" },
		{ 0xc12637a0, -ENOENT, "0xc12637a0" },	/* _etext: not text */
		{ 0xf8a3e050, 0, "dir_get_page.isra.0+0x50/0x60 [minix]" },
		{ 0xf8a3e400, 0, "minix_add_link+0x100/0xd00 [minix]" },
		{ 0xf8a30010, -ENOENT, "0xf8a30010" },	/* a module without symbols */
		{ 0xf8b00000, -ENOENT, "0xf8b00000" },	/* no module there */
		{ 0xbfffffff, -ENOENT, "0xbfffffff" },	/* below every symbol */
	};
	char buf[128];

	if (!tap_ok(k != NULL, "kallsyms fixture loads")) {
		tap_diag("%s", err.msg);
		return;
	}
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int r = hm_ksyms_site(k, cases[i].ip, buf, sizeof(buf));

		tap_ok(r == cases[i].ret && strcmp(buf, cases[i].want) == 0,
		       "site of 0x%llx: %s (want %s, %d)", (unsigned long long)cases[i].ip, buf,
		       cases[i].want, cases[i].ret);
	}
	tap_ok(hm_ksyms_has(k, "kunmap_high"), "kunmap_high is there");
	tap_ok(hm_ksyms_has(k, "minix_readdir"), "module symbols are there");
	tap_ok(!hm_ksyms_has(k, "kmap_hig"), "no prefix matches");
	tap_is_u64(hm_ksyms_addr(k, "kmap_high"), 0xc1263430, "address of kmap_high");
	tap_is_u64(hm_ksyms_addr(k, "minix_readdir"), 0, "no address for a module's symbol");
	tap_ok(hm_ksyms_reload(k) == 0, "reload");
	tap_is_u64(hm_ksyms_addr(k, "some_data"), 0xc1400000, "same table after reload");
	hm_ksyms_free(k);

	k = hm_ksyms_load(data("kallsyms-hidden"), data("no-such-modules"), &err);
	tap_ok(k != NULL, "a kernel without modules loads");
	if (k) {
		tap_ok(!hm_ksyms_have_addrs(k), "kptr_restrict: no addresses");
		tap_ok(hm_ksyms_has(k, "__kmap_local_pfn_prot"), "but the names");
		tap_ok(hm_ksyms_site(k, 0xc1263030, buf, sizeof(buf)) == -ENOENT, "sites as addresses");
		hm_ksyms_free(k);
	}
	k = hm_ksyms_load(data("no-such-kallsyms"), NULL, &err);
	tap_ok(k == NULL && strstr(err.msg, "no-such-kallsyms: No such file or directory"),
	       "a missing kallsyms is an error naming it: %s", err.msg);
}

/* A gzip'd copy of a fixture, made here so the fixture stays reviewable text. */
static int gzip_copy(const char *src, const char *dst)
{
	char buf[4096];
	size_t n;
	FILE *in = fopen(src, "r");
	gzFile out = gzopen(dst, "wb9");

	if (!in || !out)
		return -1;
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		gzwrite(out, buf, (unsigned)n);
	fclose(in);
	return gzclose(out) == Z_OK ? 0 : -1;
}

static void test_meta(void)
{
	struct hm_record_sys sys = {
		.release = "6.1.0-50-686-pae",
		.config = data("config-pae"),
		.zoneinfo = data("zoneinfo"),
		.cpus = data("cpus"),
	};
	struct hm_trace_meta m;
	struct hm_error err;
	char gz[] = "/tmp/hm-test-config.XXXXXX";
	int fd;

	tap_ok(hm_record_meta_fill(&m, &sys, NULL, &err) == 0, "meta from a PAE kernel's config");
	tap_is_str(m.arch, "x86-32-pae", "HIGHMEM64G is x86-32-pae");
	tap_is_u64(m.last_pkmap, 512, "its LAST_PKMAP");
	tap_is_u64(m.km_max_idx, 16, "KM_MAX_IDX without DEBUG_KMAP_LOCAL");
	tap_ok(m.debug_kmap_local == 0, "debug_kmap_local false");
	tap_is_u64(m.highmem_start_pfn, 224254, "highmem from the HighMem zone's start_pfn");
	tap_is_u64(m.nr_cpus, 2, "CPUs 0-1 are two");
	tap_is_str(m.kernel, "6.1.0-50-686-pae", "kernel release");
	tap_is_str(m.clock, "mono", "clock");

	fd = mkstemp(gz);
	if (fd >= 0)
		close(fd);
	tap_ok(fd >= 0 && gzip_copy(data("config-4g-debug"), gz) == 0, "gzip a config (/proc/config.gz)");
	sys.config = gz;
	sys.cpus = data("cpus-sparse");
	tap_ok(hm_record_meta_fill(&m, &sys, NULL, &err) == 0, "meta from a gzip'd config");
	tap_is_str(m.arch, "x86-32", "HIGHMEM4G is x86-32, whatever the release says");
	tap_is_u64(m.km_max_idx, 33, "KM_MAX_IDX 33 with DEBUG_KMAP_LOCAL");
	tap_ok(m.debug_kmap_local == 1, "debug_kmap_local true");
	tap_is_u64(m.nr_cpus, 6, "CPUs 0-3,5: the highest is 5");
	unlink(gz);

	sys.config = data("no-such-config");
	tap_ok(hm_record_meta_fill(&m, &sys, NULL, &err) == 0, "no config: Debian's flavour name");
	tap_is_str(m.arch, "x86-32-pae", "-686-pae is x86-32-pae");
	tap_ok(m.debug_kmap_local == -1 && m.km_max_idx == 0, "debug_kmap_local unset");
	sys.release = "6.1.0-50-amd64";
	tap_ok(hm_record_meta_fill(&m, &sys, NULL, &err) == -ENOENT && m.arch[0] == '\0',
	       "no config, unknown flavour: no profile, a warning: %s", err.msg);
	sys.config = data("config-x86_64");
	tap_ok(hm_record_meta_fill(&m, &sys, NULL, &err) == -ENOENT, "a 64-bit kernel has no profile");
	tap_ok(hm_record_meta_fill(&m, &sys, "x86-32", &err) == 0 && strcmp(m.arch, "x86-32") == 0,
	       "--arch names it");
	tap_ok(hm_record_meta_fill(&m, &sys, "vax", &err) == -EINVAL && err.status == HM_EXIT_USAGE,
	       "an unknown --arch is a usage error: %s", err.msg);
	sys.zoneinfo = data("no-such-zoneinfo");
	sys.cpus = NULL;
	hm_record_meta_fill(&m, &sys, "x86-32", &err);
	tap_ok(m.highmem_start_pfn == HM_NONE && m.nr_cpus == 0, "unknown highmem and CPUs stay unset");
}

static void test_header(void)
{
	struct hm_trace_meta m;
	struct hm_record_sys sys = { .release = "6.1.0-50-686", .config = data("config-pae") };
	struct hm_error err;
	char *buf = NULL;
	size_t len = 0, width;
	FILE *fp;
	long n;

	hm_record_meta_fill(&m, &sys, NULL, &err);
	snprintf(m.source, sizeof(m.source), "hm-record test");
	width = hm_record_header_width(&m);
	fp = open_memstream(&buf, &len);
	n = hm_record_header_write(fp, &m, width);
	fflush(fp);
	/* the room: what ,"lost_events":18446744073709551614 takes, 35 bytes */
	tap_ok(n > 0 && width - (size_t)n == 35 && len == width + 1,
	       "the first header fills its room with spaces");
	tap_ok(len == width + 1 && strncmp(buf, "{\"format\":\"hmtrace\",\"version\":1,\"meta\":{\"arch\":\"x86-32-pae\",\"last_pkmap\":512,\"km_max_idx\":16,\"debug_kmap_local\":false,\"source\":\"hm-record test\",\"kernel\":\"6.1.0-50-686\",\"clock\":\"mono\"}}", (size_t)n) == 0 &&
	       strspn(buf + n, " ") == 35 && buf[width] == '\n',
	       "header without losses, then spaces: %s", buf);
	m.lost_events = UINT64_MAX - 1;
	rewind(fp);
	n = hm_record_header_write(fp, &m, width);
	fflush(fp);
	tap_ok((size_t)n == width && len == width + 1, "the largest loss count fits the same room");
	m.lost_events = 1234;
	rewind(fp);
	hm_record_header_write(fp, &m, width);
	fflush(fp);
	tap_ok(strstr(buf, "\"lost_events\":1234,") && len == width + 1 && buf[width] == '\n',
	       "rewritten in place with the loss count");
	tap_ok(hm_record_header_write(fp, &m, 20) == -ENOSPC, "a room too small is refused");
	fclose(fp);
	free(buf);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: test-record DATADIR\n");
		return 2;
	}
	datadir = argv[1];
	hm_set_progname("test-record");
	test_pair();
	test_holdback();
	test_order();
	test_unpaired();
	test_nesting();
	test_kinds();
	test_malformed();
	test_ksyms();
	test_meta();
	test_header();
	return tap_done();
}
