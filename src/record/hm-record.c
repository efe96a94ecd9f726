// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * hm-record.c - record kmap/kunmap calls of the running kernel with BPF and
 * write them as trace format v1: argument parsing and wiring only; the BPF
 * session is session.c, the records become events in record.c.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "hm_record.h"

/* How long a record may trail the newest one (a CPU held up between taking
 * its timestamp and reserving ring-buffer space). */
#define HM_REORDER_NS (100 * 1000 * 1000ull)
#define HM_POLL_MS 100

static void usage(FILE *fp)
{
	fprintf(fp, "Usage: %s [OPTIONS]\n"
		"Record the kmap/kunmap calls of the running 32-bit kernel (kprobes and tracepoints\n"
		"through BPF) as an hmtrace trace, until Ctrl-C or --duration.\n", hm_progname());
	hm_cli_help_heading(fp, "Output");
	hm_cli_help_option(fp, "-o, --output FILE", "write the trace to FILE (atomically) instead of stdout");
	hm_cli_help_option(fp, "-d, --duration DURATION", "stop after DURATION (10s, 500ms; default: at Ctrl-C)");
	hm_cli_help_option(fp, "--stats", "print what was recorded and lost at the end");
	hm_cli_help_option(fp, "--arch NAME", "profile to name in the trace (default: from the kernel's config)");
	hm_cli_help_heading(fp, "Filters (applied in the kernel)");
	hm_cli_help_option(fp, "-p, --pid PID", "only the process PID (its threads)");
	hm_cli_help_option(fp, "-c, --comm NAME", "only tasks named NAME");
	hm_cli_help_option(fp, "--cpu N", "only CPU N");
	hm_cli_help_option(fp, "--no-local", "leave out kmap_local (__kmap_local_pfn_prot, kunmap_local_indexed)");
	hm_cli_help_option(fp, "--no-pkmap", "leave out kmap()/kunmap() and the pool flushes");
	hm_cli_help_heading(fp, "BPF");
	hm_cli_help_option(fp, "--btf FILE", "relocate against the kernel's BTF in FILE (CO-RE)");
	hm_cli_help_option(fp, "--buffer-kb KIB", "ring buffer size (a power of two, default 8192)");
	hm_cli_help_option(fp, "-v, --verbose", "print libbpf's messages (and the verifier's)");
	hm_cli_help_heading(fp, "Other");
	hm_cli_help_option(fp, "-V, --version", "version, BPF objects and trace format");
	hm_cli_help_option(fp, "-h, --help", "this help");
	fprintf(fp, "\nExit status: 0 recorded (also when stopped by Ctrl-C), 2 usage, 4 system error\n"
		"(not root, no BPF, nothing to probe in this kernel, write failed).\n"
		"\nEXAMPLES\n"
		"  hm-record -o trace.jsonl\n"
		"  hm-record --duration 10s --stats -o trace.jsonl\n"
		"  hm-record -c dd --no-pkmap -o dd.jsonl\n"
		"  hm-record | hm-replay -\n"
		"  hm-record --version\n");
}

static void version(void)
{
	printf("%s (hmtrace) %s\n", hm_progname(), hm_version());
	printf("writes:\n  %-8s %s\n", "jsonl", "hmtrace trace format v1, JSON Lines");
	printf("bpf objects:\n");
	printf("  %-8s %s\n", "fixed", "built-in " HM_RECORD_ARCH " layouts, no BTF needed");
	printf("  %-8s %s\n", "co-re", "relocated against /sys/kernel/btf/vmlinux or --btf FILE");
	printf("probes:\n  kprobes   kmap_high kunmap_high __kmap_local_pfn_prot kunmap_local_indexed\n"
	       "            __kmap_flush_unused flush_all_zero_pkmaps\n"
	       "  kretprobes kmap_high __kmap_local_pfn_prot\n"
	       "  tracepoints sched_switch sched_process_exit sched_process_fork sched_migrate_task\n"
	       "            irq_handler_entry irq_handler_exit softirq_entry softirq_exit\n");
}

enum {
	OPT_STATS = 256, OPT_ARCH, OPT_CPU, OPT_NO_LOCAL, OPT_NO_PKMAP, OPT_BTF, OPT_BUFFER_KB,
};

static const struct option longopts[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "duration", required_argument, NULL, 'd' },
	{ "stats", no_argument, NULL, OPT_STATS },
	{ "arch", required_argument, NULL, OPT_ARCH },
	{ "pid", required_argument, NULL, 'p' },
	{ "comm", required_argument, NULL, 'c' },
	{ "cpu", required_argument, NULL, OPT_CPU },
	{ "no-local", no_argument, NULL, OPT_NO_LOCAL },
	{ "no-pkmap", no_argument, NULL, OPT_NO_PKMAP },
	{ "btf", required_argument, NULL, OPT_BTF },
	{ "buffer-kb", required_argument, NULL, OPT_BUFFER_KB },
	{ "verbose", no_argument, NULL, 'v' },
	{ "version", no_argument, NULL, 'V' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

struct args {
	const char *output;
	const char *arch;
	uint64_t duration;
	bool stats;
	struct hm_session_opts s;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int parse_args(int argc, char **argv, struct args *a)
{
	uint32_t v;
	int c;

	memset(a, 0, sizeof(*a));
	a->output = "-";
	a->s.groups = HM_GROUP_PKMAP | HM_GROUP_LOCAL | HM_GROUP_SCHED | HM_GROUP_IRQ;
	a->s.cpu = HM_CPU_ANY;
	a->s.buffer_kb = 8192;
	while ((c = getopt_long(argc, argv, ":o:d:p:c:vVh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			a->output = optarg;
			break;
		case 'd':
			if (hm_parse_duration_ns(optarg, &a->duration) || !a->duration)
				return hm_cli_usage("--duration: \"%s\" is not a duration (10s, 500ms, 1.5s)", optarg);
			break;
		case OPT_STATS:
			a->stats = true;
			break;
		case OPT_ARCH:
			a->arch = optarg;
			break;
		case 'p':
			if (hm_cli_u32("--pid", optarg, 1, INT32_MAX, &a->s.tgid))
				return HM_EXIT_USAGE;
			break;
		case 'c':
			if (!*optarg || strlen(optarg) > 15)
				return hm_cli_usage("--comm: \"%s\" must be 1 to 15 characters (a task name)", optarg);
			a->s.comm = optarg;
			break;
		case OPT_CPU:
			if (hm_cli_u32("--cpu", optarg, 0, 4095, &a->s.cpu))
				return HM_EXIT_USAGE;
			break;
		case OPT_NO_LOCAL:
			a->s.groups &= ~HM_GROUP_LOCAL;
			break;
		case OPT_NO_PKMAP:
			a->s.groups &= ~HM_GROUP_PKMAP;
			break;
		case OPT_BTF:
			a->s.btf = optarg;
			break;
		case OPT_BUFFER_KB:
			if (hm_cli_u32("--buffer-kb", optarg, 4, 1u << 20, &v))
				return HM_EXIT_USAGE;
			if (v & (v - 1))
				return hm_cli_usage("--buffer-kb: \"%s\" must be a power of two", optarg);
			a->s.buffer_kb = v;
			break;
		case 'v':
			a->s.verbose = true;
			break;
		case 'V':
			version();
			exit(HM_EXIT_OK);
		case 'h':
			usage(stdout);
			exit(HM_EXIT_OK);
		default:
			return hm_cli_bad_option(argv, c, longopts);
		}
	}
	if (optind < argc)
		return hm_cli_usage("unexpected argument '%s'", argv[optind]);
	if (!(a->s.groups & (HM_GROUP_PKMAP | HM_GROUP_LOCAL)))
		return hm_cli_usage("--no-local and --no-pkmap leave nothing to record");
	return 0;
}

static void print_stats(const struct hm_recorder_stats *st, uint64_t lost, const struct hm_session *s)
{
	const char *object = hm_session_object(s);
	uint64_t runs, ns;
	struct rusage ru;

	fprintf(stderr, "%s: %" PRIu64 " events written (%" PRIu64 " records), %" PRIu64 " lost in the ring buffer; BPF object %s\n",
		hm_progname(), st->events, st->records, lost, object);
	for (unsigned int op = 0; op < HM_OP__COUNT; op++)
		if (st->ops[op])
			fprintf(stderr, "%s:   %-18s %" PRIu64 "\n", hm_progname(), hm_op_name(op), st->ops[op]);
	fprintf(stderr, "%s: %" PRIu64 " maps whose entry predates the recording, %" PRIu64 " entries without a return, %" PRIu64 " records out of order, %" PRIu64 " malformed\n",
		hm_progname(), st->unpaired_returns, st->unreturned, st->late, st->malformed);
	if (hm_session_run_stats(s, &runs, &ns) == 0 && runs)
		fprintf(stderr, "%s: BPF programs: %" PRIu64 " runs, %.3f s in the kernel, %" PRIu64 " ns per run\n",
			hm_progname(), runs, ns / 1e9, ns / runs);
	else
		fprintf(stderr, "%s: BPF programs: run time not counted (sysctl kernel.bpf_stats_enabled=1 counts it)\n", hm_progname());
	if (getrusage(RUSAGE_SELF, &ru) == 0)
		fprintf(stderr, "%s: hm-record itself: %.3f s user, %.3f s system\n", hm_progname(),
			ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6, ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6);
}

static int record(const struct args *a)
{
	char config[300];
	struct utsname u;
	struct hm_record_sys sys = {
		.zoneinfo = "/proc/zoneinfo",
		.cpus = "/sys/devices/system/cpu/possible",
	};
	struct hm_trace_meta meta;
	struct hm_outfile of = { 0 };
	struct hm_recorder *rec = NULL;
	struct hm_session *s = NULL;
	struct hm_ksyms *k = NULL;
	struct hm_error err = { 0 };
	uint64_t end = 0, lost = 0;
	size_t width = 0;
	int status = HM_EXIT_SYSTEM, ret;

	if (uname(&u) == 0) {
		sys.release = u.release;
		snprintf(config, sizeof(config), "/boot/config-%s", u.release);
		sys.config = access(config, R_OK) == 0 ? config : "/proc/config.gz";
	}
	ret = hm_record_meta_fill(&meta, &sys, a->arch, &err);
	if (ret == -EINVAL) {
		hm_error_print(&err);
		return HM_EXIT_USAGE;
	}
	k = hm_ksyms_load("/proc/kallsyms", "/proc/modules", &err);
	if (!k)
		goto fail;
	if (hm_outfile_open(&of, a->output, NULL, &err))
		goto fail;
	rec = hm_recorder_new(of.fp, k);
	if (!rec) {
		hm_error_set(&err, HM_EXIT_SYSTEM, NULL, "out of memory");
		goto fail;
	}
	hm_signals_install();
	s = hm_session_start(&a->s, k, rec, &err);
	if (!s)
		goto fail;
	if (ret == -ENOENT)
		hm_warn("%s", err.msg);
	snprintf(meta.source, sizeof(meta.source), "hm-record %s, BPF object %s", hm_version(), hm_session_object(s));
	/* a file gets its header again at the end, with the loss count, in the same room */
	if (!of.is_stdout)
		width = hm_record_header_width(&meta);
	if (hm_record_header_write(of.fp, &meta, width) < 0 || fflush(of.fp)) {
		hm_error_set(&err, HM_EXIT_SYSTEM, NULL, "%s: write failed: %s", of.is_stdout ? "<stdout>" : a->output, strerror(errno));
		goto fail;
	}
	fprintf(stderr, "%s: recording (%u programs attached, BPF object %s); stop with Ctrl-C\n", hm_progname(), hm_session_nr_links(s), hm_session_object(s));
	if (a->duration)
		end = now_ns() + a->duration;
	while (!hm_interrupted && (!end || now_ns() < end)) {
		ret = hm_session_poll(s, HM_POLL_MS);
		if (ret < 0 && ret != -EINTR) {
			hm_error_set(&err, HM_EXIT_SYSTEM, NULL, "reading the ring buffer: %s", strerror(-ret));
			goto fail;
		}
		if (hm_recorder_flush(rec, now_ns() - HM_REORDER_NS)) {
			hm_error_set(&err, HM_EXIT_SYSTEM, NULL, "%s: write failed: %s", of.is_stdout ? "<stdout>" : a->output, strerror(errno ? errno : EIO));
			goto fail;
		}
	}
	/* stop: nothing new comes once the programs are detached; drain, pair, write */
	ret = hm_session_stop(s);
	lost = hm_session_lost(s);
	if (ret < 0) {
		hm_error_set(&err, HM_EXIT_SYSTEM, NULL, "reading the ring buffer: %s", strerror(-ret));
		goto fail;
	}
	if (hm_recorder_finish(rec))
		goto write_failed;
	meta.lost_events = lost;
	if (!of.is_stdout) {
		if (fflush(of.fp) || fseek(of.fp, 0, SEEK_SET) ||
		    hm_record_header_write(of.fp, &meta, width) < 0 || fseek(of.fp, 0, SEEK_END))
			goto write_failed;
	} else if (lost) {
		hm_warn("%" PRIu64 " events were lost in the ring buffer; a trace on standard output cannot say so in its header (use -o FILE, or a larger --buffer-kb)", lost);
	}
	if (hm_outfile_commit(&of, &err))
		goto fail;
	if (a->stats)
		print_stats(hm_recorder_stats(rec), lost, s);
	else if (lost)
		hm_warn("%" PRIu64 " events lost in the ring buffer (raise --buffer-kb)", lost);
	status = HM_EXIT_OK;
	goto out;
write_failed:
	hm_error_set(&err, HM_EXIT_SYSTEM, NULL, "%s: write failed: %s", of.is_stdout ? "<stdout>" : a->output, strerror(errno ? errno : EIO));
fail:
	hm_error_print(&err);
	status = err.status ? err.status : HM_EXIT_SYSTEM;
	if (of.fp)
		hm_outfile_abort(&of);
out:
	hm_session_free(s);
	hm_recorder_free(rec);
	hm_ksyms_free(k);
	return status;
}

int main(int argc, char **argv)
{
	struct args a;
	int ret;

	hm_set_progname("hm-record");
	ret = parse_args(argc, argv, &a);
	if (ret)
		return ret;
	return record(&a);
}
