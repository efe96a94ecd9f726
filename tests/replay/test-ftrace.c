// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-ftrace.c - the ftrace text reader: line shapes (tracefs, trace-cmd,
 * perf), the flags column, kprobe/kretprobe pairing per task and context,
 * returns from before the capture, hold-back order and its limit, the
 * header, the --map file, and errors with line:col.
 */
#include "rt-util.h"

static const struct hm_reader_opts defaults;

#define HEAD "# tracer: nop\n#\n# entries-in-buffer/entries-written: 100/150   #P:2\n#\n"
#define KMAP(task, cpu, flags, ts, page) \
	task " [" cpu "] " flags " " ts ": kmap_high: (kmap_high+0x0/0x260) page=" page "\n"
#define KRET(task, cpu, flags, ts, vaddr) \
	task " [" cpu "] " flags " " ts ": kmap_high_ret: (dir_get_page.isra.0+0x50/0x60 [minix] <- kmap_high) vaddr=" vaddr "\n"
#define LMAP(task, cpu, flags, ts, pfn) \
	task " [" cpu "] " flags " " ts ": kmap_local: (__kmap_local_pfn_prot+0x0/0x180) pfn=" pfn "\n"
#define LRET(task, cpu, flags, ts, vaddr) \
	task " [" cpu "] " flags " " ts ": kmap_local_ret: (__kmap_local_page_prot+0x51/0x60 <- __kmap_local_pfn_prot) vaddr=" vaddr "\n"
#define LUNMAP(task, cpu, flags, ts, vaddr) \
	task " [" cpu "] " flags " " ts ": kunmap_local: (kunmap_local_indexed+0x0/0x110) vaddr=" vaddr "\n"

static void test_pairing(void)
{
	struct rt_trace *t;
	const struct hm_event *e;

	/*
	 * mkdir's kmap_high sleeps; sh runs meanwhile.  One kmap event at
	 * mkdir's entry time comes out first, then sh's events.
	 */
	t = rt_text("pair.ftrace",
		    HEAD
		    KMAP("   mkdir-112   ", "000", ".....", "6.015351", "0xf6e9ccf8")
		    "   mkdir-112    [000] d..2.  6.015400: sched_switch: prev_comm=mkdir prev_pid=112 prev_prio=120 prev_state=D ==> next_comm=sh next_pid=102 next_prio=120\n"
		    LUNMAP("      sh-102   ", "000", "...11", "6.015500", "0xfffbb1f0")
		    "      sh-102    [000] d..2.  6.015600: sched_switch: prev_comm=sh prev_pid=102 prev_prio=120 prev_state=S ==> next_comm=mkdir next_pid=112 next_prio=120\n"
		    KRET("   mkdir-112   ", "001", ".N...", "6.015785", "0xff001000")
		    "   mkdir-112    [001] .....  6.015945: kunmap_high: (kunmap_high+0x0/0xb0) page=0xf6e9ccf8\n",
		    &defaults);
	e = t->ev;
	tap_ok(t->rc == 0 && t->n == 5, "sleeping kmap: 5 events (%s)", t->err);
	if (t->n == 5) {
		tap_ok(e[0].op == HM_OP_KMAP && e[0].ts == 6015351000ull &&
		       e[0].ret_ts == 6015785000ull && e[0].vaddr == 0xff001000 &&
		       e[0].page == 0xf6e9ccf8 && e[0].pfn == HM_NONE && e[0].pid == 112 &&
		       e[0].cpu == 0 && e[0].line == 5, "kmap: entry time, return's vaddr and time");
		tap_is_str(rt_str(t, e[0].site), "dir_get_page.isra.0+0x50/0x60 [minix]",
			   "kmap: the kretprobe's caller, module kept");
		tap_is_str(rt_str(t, e[0].comm), "mkdir", "kmap: comm");
		tap_ok(e[1].op == HM_OP_SCHED_SWITCH && e[1].pid == 112 && e[1].next_pid == 102 &&
		       e[2].op == HM_OP_KUNMAP_LOCAL && e[2].pid == 102 &&
		       e[2].vaddr == 0xfffbb1f0 &&
		       e[3].op == HM_OP_SCHED_SWITCH && e[4].op == HM_OP_KUNMAP &&
		       e[4].page == 0xf6e9ccf8 && e[4].cpu == 1,
		       "the events in between keep their order after the kmap");
		tap_ok(e[2].site == 0 && e[4].site == 0, "probes at a function entry give no site");
		for (size_t i = 0; i < t->n; i++)
			if (e[i].index != i)
				tap_ok(0, "index %zu", i);
	}
	tap_is_u64(t->meta.nr_cpus, 2, "#P:2 -> nr_cpus");
	tap_is_u64(t->meta.lost_events, 50, "entries 100/150 -> 50 lost");
	rt_free(t);

	/*
	 * A task maps, an interrupt on it maps and unmaps, the task's map
	 * returns: two kmap_local events, each with its own return, in entry
	 * order.
	 */
	t = rt_text("nest.ftrace",
		    HEAD
		    LMAP("     cat-7     ", "000", "...1.", "1.000001", "0x100")
		    LMAP("     cat-7     ", "000", "d.h1.", "1.000002", "0x200")
		    LRET("     cat-7     ", "000", "d.h11", "1.000003", "0xfffba000")
		    LUNMAP("     cat-7     ", "000", "d.h11", "1.000004", "0xfffba000")
		    LRET("     cat-7     ", "000", "...11", "1.000005", "0xfffbb000"),
		    &defaults);
	e = t->ev;
	tap_ok(t->rc == 0 && t->n == 3, "nested map in hardirq: 3 events (%s)", t->err);
	if (t->n == 3) {
		tap_ok(e[0].ts == 1000001000ull && e[0].pfn == 0x100 &&
		       e[0].ret_ts == 1000005000ull &&
		       e[0].vaddr == 0xfffbb000 && e[0].ctx == HM_CTX_TASK &&
		       e[0].flags == (HM_EVF_CTX_KNOWN | HM_EVF_PREEMPT_OFF),
		       "outer map: task context, its own return");
		tap_ok(e[1].ts == 1000002000ull && e[1].pfn == 0x200 &&
		       e[1].ret_ts == 1000003000ull &&
		       e[1].vaddr == 0xfffba000 && e[1].ctx == HM_CTX_HARDIRQ &&
		       e[1].flags == (HM_EVF_CTX_KNOWN | HM_EVF_PREEMPT_OFF | HM_EVF_IRQS_OFF),
		       "inner map: hardirq, irqs off, its own return");
		tap_ok(e[2].op == HM_OP_KUNMAP_LOCAL && e[2].ts == 1000004000ull,
		       "unmap after both maps");
	}
	rt_free(t);

	/*
	 * The interrupt's return was lost: when the task's return arrives the
	 * interrupt's entry (a deeper context) goes out without one.
	 */
	t = rt_text("lostret.ftrace",
		    HEAD
		    LMAP("     cat-7     ", "000", "...1.", "1.000001", "0x100")
		    LMAP("     cat-7     ", "000", "d.h1.", "1.000002", "0x200")
		    LRET("     cat-7     ", "000", "...11", "1.000005", "0xfffbb000"),
		    &defaults);
	e = t->ev;
	tap_ok(t->rc == 0 && t->n == 2 && e[0].ret_ts == 1000005000ull && e[0].pfn == 0x100 &&
	       e[1].ret_ts == HM_NONE && e[1].vaddr == HM_NONE && e[1].pfn == 0x200,
	       "lost interrupt return: the task still pairs, the interrupt's map has no return");
	rt_free(t);

	/* pid 0 pairs per CPU: two idle tasks interleave */
	t = rt_text("idle.ftrace",
		    HEAD
		    LMAP("  <idle>-0     ", "000", "..s1.", "1.000001", "0x100")
		    LMAP("  <idle>-0     ", "001", "..s1.", "1.000002", "0x200")
		    LRET("  <idle>-0     ", "000", "..s11", "1.000003", "0xfffbb000")
		    LRET("  <idle>-0     ", "001", "..s11", "1.000004", "0xfffab000"),
		    &defaults);
	e = t->ev;
	tap_ok(t->rc == 0 && t->n == 2 && e[0].pfn == 0x100 && e[0].vaddr == 0xfffbb000 &&
	       e[1].pfn == 0x200 && e[1].vaddr == 0xfffab000 && e[0].ctx == HM_CTX_SOFTIRQ,
	       "pid 0 pairs per CPU");
	tap_is_str(t->n ? rt_str(t, e[0].comm) : "", "<idle>", "comm <idle>");
	rt_free(t);

	/* the capture starts inside calls: returns without entries */
	t = rt_text("midflight.ftrace",
		    HEAD
		    LUNMAP("    init-1     ", "000", ".N.11", "5.577668", "0xfffbb1f0")
		    LRET("    init-1     ", "000", ".N.11", "5.586838", "0xfffbb000")
		    LMAP("    init-1     ", "000", ".N.1.", "5.594613", "0x36ffe")
		    LRET("    init-1     ", "000", ".N.11", "5.594642", "0xfffbb000"),
		    &defaults);
	e = t->ev;
	tap_ok(t->rc == 0 && t->n == 3, "mid-flight: 3 events (%s)", t->err);
	if (t->n == 3)
		tap_ok(e[1].op == HM_OP_KMAP_LOCAL && e[1].ts == 5586838000ull &&
		       e[1].vaddr == 0xfffbb000 && e[1].pfn == HM_NONE && e[1].page == HM_NONE &&
		       e[1].ret_ts == HM_NONE && e[2].pfn == 0x36ffe &&
		       e[2].ret_ts == 5594642000ull,
		       "a return without entry: an event at the return, vaddr only");
	rt_free(t);

	/* the task exits (or the trace ends) with an entry still waiting */
	t = rt_text("exit.ftrace",
		    HEAD
		    KMAP("   mkdir-112   ", "000", ".....", "1.000001", "0x1000")
		    LUNMAP("      sh-102   ", "000", "...11", "1.000002", "0xfffbb000")
		    "   mkdir-112    [000] .....  1.000003: sched_process_exit: comm=mkdir pid=112 prio=120\n"
		    LUNMAP("      sh-102   ", "000", "...11", "1.000004", "0xfffbb000")
		    KMAP("      sh-102   ", "000", ".....", "1.000005", "0x2000"),
		    &defaults);
	e = t->ev;
	tap_ok(t->rc == 0 && t->n == 5 && e[0].ret_ts == HM_NONE && e[0].page == 0x1000 &&
	       e[2].op == HM_OP_TASK_EXIT && e[2].pid == 112 && e[4].page == 0x2000 &&
	       e[4].ret_ts == HM_NONE, "task exit and end of trace release waiting entries (%s)",
	       t->err);
	rt_free(t);
}

static void test_holdback_limit(void)
{
	struct rt_trace *t;
	const struct hm_event *e;

	/*
	 * Limit 3: the kmap waits with two unmaps queued behind it; the
	 * limit pushes it out without its return; the late return is dropped.
	 */
	setenv("HMTRACE_FTRACE_HOLD", "3", 1);
	t = rt_text("hold.ftrace",
		    HEAD
		    KMAP("   mkdir-112   ", "000", ".....", "1.000001", "0x1000")
		    LUNMAP("      sh-102   ", "001", "...11", "1.000002", "0xfffbb000")
		    LUNMAP("      sh-102   ", "001", "...11", "1.000003", "0xfffbb000")
		    LUNMAP("      sh-102   ", "001", "...11", "1.000004", "0xfffbb000")
		    LUNMAP("      sh-102   ", "001", "...11", "1.000005", "0xfffbb000")
		    KRET("   mkdir-112   ", "000", ".....", "1.000006", "0xff001000"),
		    &defaults);
	unsetenv("HMTRACE_FTRACE_HOLD");
	e = t->ev;
	tap_ok(t->rc == 0 && t->n == 5 && e[0].op == HM_OP_KMAP && e[0].ret_ts == HM_NONE &&
	       e[1].ts == 1000002000ull && e[4].ts == 1000005000ull,
	       "hold-back limit: entry sent on without its return, order kept, no duplicate (%s)",
	       t->err);
	rt_free(t);
}

static void test_lines(void)
{
	struct rt_trace *t;
	const struct hm_event *e;

	t = rt_text("shapes.ftrace",
		    "# tracer: nop\n#P:4\n"
		    " Web Content-1234    [001] d.h2.   10.000001: kunmap_local: (kunmap_local_indexed+0x0/0x110) vaddr=0xfffbb000\n"
		    " kworker/0:1-events-25 [002] ..s..   10.000002: kunmap_local: (kunmap_local_indexed+0x0/0x110) vaddr=0xfffbb000\n"
		    "        bash-1234  (   1234) [003] ....   10.000003: kunmap_local: (kunmap_local_indexed+0x0/0x110) vaddr=0xfffbb000\n"
		    "       <...>-99    [000] d.Z1.   10.000004: kunmap_local: (kunmap_local_indexed+0x0/0x110) vaddr=0xfffbb000\n"
		    "          sh-5     [000]   10.000005123: kunmap_local: (kunmap_local_indexed+0x0/0x110) vaddr=0xfffbb000\n"
		    "            perf  4321 [001]   10.000006: probe:kunmap_local: (c1234567) vaddr=0xfffbb000\n"
		    "CPU:1 [LOST 7 EVENTS]\n"
		    "          sh-5     [000] .....   10.000007: sched_process_fork: comm=sh pid=5 child_comm=sh child_pid=6\n"
		    "          sh-5     [000] d..2.   10.000008: sched_switch: prev_comm=Web Content prev_pid=5 prev_prio=120 prev_state=R+ ==> next_comm=sh next_pid=6 next_prio=120\n"
		    " migration/1-20    [001] d..3.   10.000009: sched_migrate_task: comm=init pid=102 prio=120 orig_cpu=1 dest_cpu=3\n"
		    "          sh-5     [000] d.h..   10.000010: irq_handler_entry: irq=4 name=ttyS0\n"
		    "          sh-5     [000] ..s..   10.000011: softirq_exit: vec=9 [action=RCU]\n"
		    "          sh-5     [000] .....   10.000012: sched_wakeup: comm=x pid=3\n"
		    "          sh-5     [000] .....   10.000013: kmap_flush_unused: (__kmap_flush_unused+0x0/0x30)\n"
		    "          sh-5     [000] ...1.   10.000014: flush_all_zero: (flush_all_zero_pkmaps+0x0/0xd0)\n",
		    &defaults);
	e = t->ev;
	tap_ok(t->rc == 0 && t->n == 13 && t->skipped == 1 && t->meta.lost_events == 7 &&
	       t->meta.nr_cpus == 4, "15 lines: 13 events, 1 unknown skipped, 7 lost (%s)", t->err);
	if (t->n != 13) {
		rt_free(t);
		return;
	}
	tap_is_str(rt_str(t, e[0].comm), "Web Content", "task name with a space");
	tap_ok(e[0].pid == 1234 && e[0].cpu == 1 && e[0].ctx == HM_CTX_HARDIRQ &&
	       e[0].flags == (HM_EVF_CTX_KNOWN | HM_EVF_IRQS_OFF | HM_EVF_PREEMPT_OFF),
	       "d.h2.: hardirq, irqs off, preempt depth 2");
	tap_is_str(rt_str(t, e[1].comm), "kworker/0:1-events", "task name with a dash");
	tap_ok(e[1].pid == 25 && e[1].ctx == HM_CTX_SOFTIRQ && e[1].flags == HM_EVF_CTX_KNOWN,
	       "pid after the last dash; ..s..: softirq");
	tap_ok(e[2].pid == 1234 && e[2].cpu == 3 && e[2].ctx == HM_CTX_TASK,
	       "TGID column and a 4-character flags column");
	tap_ok(e[3].comm == 0 && e[3].pid == 99 && e[3].ctx == HM_CTX_NMI, "<...> is no comm; z: NMI");
	tap_ok(e[4].ts == 10000005123ull && e[4].flags == 0 && e[4].ctx == HM_CTX_TASK,
	       "no flags column, nanosecond timestamp");
	tap_ok(e[5].pid == 4321 && e[5].cpu == 1 && e[5].op == HM_OP_KUNMAP_LOCAL,
	       "perf script: COMM PID, group:event");
	tap_is_str(rt_str(t, e[5].comm), "perf", "perf script comm");
	tap_ok(e[6].op == HM_OP_FORK && e[6].pid == 5 && e[6].next_pid == 6, "fork: child_pid");
	tap_ok(e[7].op == HM_OP_SCHED_SWITCH && e[7].pid == 5 && e[7].next_pid == 6,
	       "sched_switch: prev_pid, next_pid");
	tap_is_str(rt_str(t, e[7].comm), "Web Content", "sched_switch: prev_comm with a space");
	tap_ok(e[8].op == HM_OP_MIGRATE && e[8].pid == 102 && e[8].cpu == 1 && e[8].dest_cpu == 3,
	       "migrate: pid, orig_cpu, dest_cpu");
	tap_is_str(rt_str(t, e[8].comm), "init", "migrate: the task's comm");
	tap_ok(e[9].op == HM_OP_IRQ_ENTER && e[9].ctx == HM_CTX_HARDIRQ &&
	       e[10].op == HM_OP_IRQ_EXIT && e[10].ctx == HM_CTX_SOFTIRQ, "irq_handler_entry, softirq_exit");
	tap_ok(e[11].op == HM_OP_KMAP_FLUSH_UNUSED && e[12].op == HM_OP_FLUSH_ALL_ZERO,
	       "kmap_flush_unused, flush_all_zero");
	rt_free(t);

	t = rt_text("trace-cmd.ftrace",
		    "version = 6\ncpus=2\n"
		    "            bash-1234  [001]  123.456789: kmap_high:            (kmap_high+0x0/0x260) page=0xf6e9ccf8\n",
		    &defaults);
	tap_ok(t->rc == 0 && t->n == 1 && t->meta.nr_cpus == 2 && t->ev[0].page == 0xf6e9ccf8 &&
	       t->ev[0].ret_ts == HM_NONE && !strcmp(t->format, "ftrace"),
	       "trace-cmd report: cpus=, padded event name (%s)", t->err);
	rt_free(t);

	t = rt_text("empty-hdr.ftrace", "# tracer: nop\n#\n", &defaults);
	tap_ok(t->rc == 0 && t->n == 0, "header only: no events");
	rt_free(t);
}

static void test_clock(void)
{
	struct hm_reader_opts opts = { 0 };
	struct rt_trace *t;
	const char *tsc = "  cat-5  [001] .....  25689118328: kmap_flush_unused: (__kmap_flush_unused+0x0/0x30)\n";
	char buf[512];

	/* x86-tsc: cycles; 25689118328 cycles at 2599.993 MHz = 9880456727.38 ns */
	snprintf(buf, sizeof(buf), "%s%s", HEAD, tsc);
	t = rt_text("tsc.ftrace", buf, &defaults);
	tap_ok(t->rc == 0 && t->n == 1 && t->ev[0].ts == 25689118328ull &&
	       !strcmp(t->meta.clock, "cycles"), "integer timestamps without a rate: kept, clock \"cycles\"");
	rt_free(t);

	opts.tsc_mhz = 2599.993;
	t = rt_text("tsc.ftrace", buf, &opts);
	tap_ok(t->rc == 0 && t->n == 1 && t->ev[0].ts == 9880456727ull &&
	       !strcmp(t->meta.clock, "x86-tsc"), "opts.tsc_mhz converts cycles to ns (%llu)",
	       t->n ? (unsigned long long)t->ev[0].ts : 0ull);
	rt_free(t);

	snprintf(buf, sizeof(buf),
		 "# tracer: nop\n# hmtrace: arch=x86-32 tsc_mhz=2599.993 clock=x86-tsc kernel=6.1.0-50-686 "
		 "source=capture-vm minix highmem_start_pfn=0x36bfe km_max_idx=16\n#P:2\n%s", tsc);
	t = rt_text("tsc-hdr.ftrace", buf, &defaults);
	tap_ok(t->rc == 0 && t->n == 1 && t->ev[0].ts == 9880456727ull &&
	       !strcmp(t->meta.clock, "x86-tsc") && !strcmp(t->meta.arch, "x86-32") &&
	       !strcmp(t->meta.kernel, "6.1.0-50-686") && !strcmp(t->meta.source, "capture-vm minix") &&
	       t->meta.highmem_start_pfn == 0x36bfe && t->meta.km_max_idx == 16 &&
	       t->meta.nr_cpus == 2, "\"# hmtrace:\" line: meta and the TSC rate (%s)", t->err);
	rt_free(t);

	rt_is_err(rt_text("badarch.ftrace", "# tracer: nop\n# hmtrace: arch=vax\n", &defaults),
		  "2:17: unknown \"arch\" \"vax\" (known: x86-32-pae, x86-32, arm, arm-vivt, mips, powerpc, xtensa)",
		  "\"# hmtrace:\" line: unknown arch");
	rt_is_err(rt_text("badmhz.ftrace", "# tracer: nop\n# hmtrace: tsc_mhz=fast\n", &defaults),
		  "2:20: \"tsc_mhz\" must be a rate in MHz like 2599.993", "\"# hmtrace:\" line: bad rate");
}

static void test_errors(void)
{
	/*   123456789012345678901234567890 */
	rt_is_err(rt_text("cpu.ftrace", HEAD "  cat-5  [002] ..... 1.000001: kmap_flush_unused: (x)\n",
			  &defaults),
		  "5:11: CPU 2 is not below the CPU count 2 of the header", "CPU beyond #P");
	rt_is_err(rt_text("head.ftrace", HEAD "garbage here\n", &defaults),
		  "5:1: expected an event line: TASK-PID [CPU] FLAGS TIMESTAMP: EVENT: FIELDS",
		  "a line that is not an event");
	rt_is_err(rt_text("ts.ftrace", HEAD "  cat-5  [001] ..... 1.00x001: kmap_flush_unused: (x)\n",
			  &defaults),
		  "5:22: expected a timestamp like \"123.456789:\"", "bad timestamp");
	rt_is_err(rt_text("field.ftrace",
			  HEAD "  cat-5  [001] ..... 1.000001: kmap_high: (kmap_high+0x0/0x260) pgae=0x1\n",
			  &defaults),
		  "5:43: event \"kmap_high\": missing field \"page=\"", "missing field");
	rt_is_err(rt_text("value.ftrace",
			  HEAD "  cat-5  [001] ..... 1.000001: kmap_high: (kmap_high+0x0/0x260) page=0xzz\n",
			  &defaults),
		  "5:70: event \"kmap_high\": field \"page\" must be a number, not \"0xzz\"", "bad number");
	rt_is_err(rt_text("ret.ftrace",
			  HEAD "  cat-5  [001] ..... 1.000001: kmap_high_ret: vaddr=0x1\n", &defaults),
		  "5:47: event \"kmap_high_ret\": expected \"(CALLER <- FUNCTION)\" of a return probe",
		  "return without its caller");
	{
		char buf[256];
		size_t hl = strlen(HEAD);

		memcpy(buf, HEAD, hl);
		memcpy(buf + hl, "  cat-5  [001] ..... 1.0\0\n", 26);
		rt_is_err(rt_read(rt_file("nul.ftrace", buf, hl + 26), &defaults),
			  "5:25: unexpected NUL byte (binary data?)", "NUL byte in a line");
	}
}

static void test_map_file(void)
{
	struct hm_reader_opts opts = { 0 };
	struct rt_trace *t;

	opts.map_file = rt_file("my.map",
				"# my probes\n"
				"my_kmap     kmap_local   pfn=arg1   # entry\n"
				"my_kmap_r   kmap_local   role=return vaddr=ret\n"
				"noise       ignore\n", (size_t)-1);
	t = rt_text("mapped.ftrace",
		    HEAD
		    "  cat-5  [001] ..... 1.000001: my_kmap: (f+0x0/0x10) arg1=77\n"
		    "  cat-5  [001] ..... 1.000002: noise: x=1\n"
		    "  cat-5  [001] ..... 1.000003: kmap_high: (kmap_high+0x0/0x260) page=0x1\n"
		    "  cat-5  [001] ..... 1.000004: my_kmap_r: (caller+0x1/0x2 <- f) ret=0xfffbb000\n",
		    &opts);
	tap_ok(t->rc == 0 && t->n == 1 && t->skipped == 1 && t->ev[0].pfn == 77 &&
	       t->ev[0].vaddr == 0xfffbb000 && t->ev[0].ret_ts == 1000004000ull,
	       "--map: own names paired, ignore not counted, unmapped skipped (%s)", t->err);
	if (t->n == 1)
		tap_is_str(rt_str(t, t->ev[0].site), "caller+0x1/0x2", "--map: return site");
	rt_free(t);

#define MAPERR(name, text, want)                                                     \
	do {                                                                         \
		opts.map_file = rt_file(name ".map", text, (size_t)-1);              \
		rt_is_err(rt_text(name ".ftrace", HEAD, &opts), want, "map: " name); \
	} while (0)
	MAPERR("badop", "\n  ev   kmapx\n", "2:8: unknown op \"kmapx\" (see hm-trace(5) for the list, or \"ignore\")");
	MAPERR("badkey", "ev kmap pfn=a colour=red\n",
	       "1:15: unknown key \"colour\" (expected role, ctx, pfn, page, vaddr, pid, next_pid, cpu, dest_cpu or comm)");
	MAPERR("twice", "ev kmap pfn=a\nev kunmap pfn=a\n", "2:1: event \"ev\" is mapped twice");
	MAPERR("noopd", "ev kunmap\n", "1:1: event \"ev\": op \"kunmap\" needs pfn=, page= or vaddr=FIELD");
	MAPERR("retnov", "ev kmap role=return pfn=x\n", "1:1: event \"ev\": a return event needs vaddr=FIELD");
	MAPERR("irqctx", "ev irq_enter\n",
	       "1:1: event \"ev\": op \"irq_enter\" needs ctx=hardirq, ctx=softirq or ctx=nmi");
	MAPERR("noop", "ev\n", "1:3: expected an op after the event name");
	MAPERR("role", "ev kmap role=exit vaddr=v\n", "1:14: \"role\" must be entry or return, not \"exit\"");
#undef MAPERR
}

int main(void)
{
	test_pairing();
	test_holdback_limit();
	test_lines();
	test_clock();
	test_errors();
	test_map_file();
	return tap_done();
}
