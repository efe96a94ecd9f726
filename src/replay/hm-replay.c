// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * hm-replay.c - replay a kmap/kunmap trace through the highmem model and
 * print what hurts: argument parsing and wiring only (see replay.c).
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "hm_replay.h"

enum {
	OPT_FORMAT = 0x100,
	OPT_LENIENT,
	OPT_MAP,
	OPT_CPU,
	OPT_PID,
	OPT_COMM,
	OPT_SINCE,
	OPT_UNTIL,
	OPT_SITE,
	OPT_TOP,
	OPT_ARCH,
	OPT_LAST_PKMAP,
	OPT_CPUS,
	OPT_DEBUG_KMAP_LOCAL,
	OPT_TLB_POLICY,
	OPT_WHAT_IF,
	OPT_COMPARE,
	OPT_NO_SHIFT,
	OPT_TIMELINE,
	OPT_CONVERT,
	OPT_LIST_PROFILES,
	OPT_TSC_MHZ,
};

static const struct option long_opts[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "output", required_argument, NULL, 'o' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "version", no_argument, NULL, 'V' },
	{ "help", no_argument, NULL, 'h' },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "lenient", no_argument, NULL, OPT_LENIENT },
	{ "map", required_argument, NULL, OPT_MAP },
	{ "tsc-mhz", required_argument, NULL, OPT_TSC_MHZ },
	{ "cpu", required_argument, NULL, OPT_CPU },
	{ "pid", required_argument, NULL, OPT_PID },
	{ "comm", required_argument, NULL, OPT_COMM },
	{ "since", required_argument, NULL, OPT_SINCE },
	{ "until", required_argument, NULL, OPT_UNTIL },
	{ "site", required_argument, NULL, OPT_SITE },
	{ "top", required_argument, NULL, OPT_TOP },
	{ "arch", required_argument, NULL, OPT_ARCH },
	{ "last-pkmap", required_argument, NULL, OPT_LAST_PKMAP },
	{ "cpus", required_argument, NULL, OPT_CPUS },
	{ "debug-kmap-local", no_argument, NULL, OPT_DEBUG_KMAP_LOCAL },
	{ "tlb-policy", required_argument, NULL, OPT_TLB_POLICY },
	{ "what-if", no_argument, NULL, OPT_WHAT_IF },
	{ "compare", no_argument, NULL, OPT_COMPARE },
	{ "no-shift", no_argument, NULL, OPT_NO_SHIFT },
	{ "timeline", required_argument, NULL, OPT_TIMELINE },
	{ "convert", required_argument, NULL, OPT_CONVERT },
	{ "list-profiles", no_argument, NULL, OPT_LIST_PROFILES },
	{ NULL, 0, NULL, 0 },
};

static void help(FILE *fp)
{
	fputs("Usage: hm-replay [OPTIONS] TRACE\n"
	      "       hm-replay --what-if OVERRIDES [--compare] [OPTIONS] TRACE\n"
	      "       hm-replay --list-profiles | --version | --help\n"
	      "\n"
	      "Replay a kmap/kunmap trace (TRACE, or - for stdin) through a model of the\n"
	      "32-bit Linux highmem mapper and report pool wraps, sleeps, kmap_lock\n"
	      "contention, kmap_local nesting violations, latency and leaks.\n", fp);
	hm_cli_help_heading(fp, "Output");
	hm_cli_help_option(fp, "-j, --json", "print the report as one JSON object");
	hm_cli_help_option(fp, "-o, --output FILE", "write the report to FILE (atomically)");
	hm_cli_help_option(fp, "-q, --quiet", "print only the verdict line");
	hm_cli_help_option(fp, "-v, --verbose", "add per-site and per-CPU latency histograms");
	hm_cli_help_option(fp, "--top N", "rows per table (default 10)");
	hm_cli_help_option(fp, "--timeline FILE", "write a Chrome/Perfetto trace of the replay");
	hm_cli_help_option(fp, "--convert FILE", "write the trace as hmtrace JSON Lines");
	hm_cli_help_heading(fp, "Input");
	hm_cli_help_option(fp, "--format NAME", "read TRACE as NAME (json, jsonl, ftrace, ctf)");
	hm_cli_help_option(fp, "--lenient", "skip events with unknown ops instead of failing");
	hm_cli_help_option(fp, "--map FILE", "ftrace: probe name to op mapping");
	hm_cli_help_option(fp, "--tsc-mhz MHZ", "ftrace: cycle timestamps at MHZ (x86-tsc clock)");
	hm_cli_help_heading(fp, "Filters (what the report counts; the model sees every event)");
	hm_cli_help_option(fp, "--cpu N", "events on CPU N");
	hm_cli_help_option(fp, "--pid N", "events of task N");
	hm_cli_help_option(fp, "--comm GLOB", "events of tasks whose name matches GLOB");
	hm_cli_help_option(fp, "--site GLOB", "events whose call site matches GLOB");
	hm_cli_help_option(fp, "--since TIME", "events at or after TIME (ns, 1.5s, +2ms)");
	hm_cli_help_option(fp, "--until TIME", "events at or before TIME");
	hm_cli_help_heading(fp, "Profile");
	hm_cli_help_option(fp, "--arch NAME", "replay on profile NAME (see --list-profiles)");
	hm_cli_help_option(fp, "--last-pkmap N", "pkmap pool of N slots (a power of two)");
	hm_cli_help_option(fp, "--cpus N", "N CPUs online");
	hm_cli_help_option(fp, "--debug-kmap-local", "CONFIG_DEBUG_KMAP_LOCAL (guard slots)");
	hm_cli_help_option(fp, "--tlb-policy NAME",
			   "x86, arm-vipt, arm-vivt, mips, powerpc, xtensa or generic");
	hm_cli_help_option(fp, "--list-profiles", "list the built-in profiles and exit");
	hm_cli_help_heading(fp, "What-if");
	hm_cli_help_option(fp, "--what-if", "report the trace replayed with the overrides above");
	hm_cli_help_option(fp, "--compare", "baseline and what-if side by side");
	hm_cli_help_option(fp, "--no-shift", "do not delay tasks that sleep longer in the what-if");
	hm_cli_help_heading(fp, "Other");
	hm_cli_help_option(fp, "-V, --version", "print the version, formats and features");
	hm_cli_help_option(fp, "-h, --help", "print this help");
	fputs("\nExit status: 0 ok, 2 usage error, 3 bad input, 4 system error, 130 interrupted.\n",
	      fp);
	hm_cli_help_heading(fp, "Examples");
	fputs("  hm-replay traces/pae-1cpu-minix600.ftrace.zst\n"
	      "  hm-replay --json traces/pae-1cpu-minix600.ftrace.zst\n"
	      "  hm-replay --what-if --last-pkmap 16 --compare traces/pae-1cpu-minix600.ftrace.zst\n"
	      "  hm-replay -q traces/handmade-nesting.jsonl\n"
	      "  hm-replay --cpu 1 --top 5 --timeline out.json traces/nopae-2cpu-tmpfs.ftrace.zst\n"
	      "  hm-replay -q --convert out.jsonl traces/pae-2cpu-minix.ftrace.zst\n", fp);
}

static void list_profiles(FILE *fp)
{
	fprintf(fp, "%-12s %10s %7s %-9s %s\n", "profile", "LAST_PKMAP", "NR_CPUS", "tlb",
		"description");
	for (unsigned int i = 0; i < hm_profile_count(); i++) {
		const struct hm_profile *p = hm_profile_get(i);

		fprintf(fp, "%-12s %10u %7u %-9s %s\n", p->name, p->last_pkmap, p->nr_cpus_max,
			hm_tlb_policy_name(p->tlb_policy), p->description);
	}
}

static void version(FILE *fp)
{
	struct hm_cli_format f[16];
	size_t n = 0;

	for (size_t i = 0; hm_formats[i] && n < 16; i++, n++) {
		f[n].name = hm_formats[i]->name;
		f[n].description = hm_formats[i]->description;
	}
	hm_cli_print_version(fp, f, n);
}

struct args {
	struct hm_replay_opts ro;
	struct hm_report_opts rep;
	bool json, quiet, compare;
	const char *output;
};

static int parse_pid(const char *arg, int32_t *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v < 0 || v > INT32_MAX)
		return hm_cli_usage("--pid: \"%s\" must be a non-negative integer", arg);
	*out = (int32_t)v;
	return 0;
}

static bool is_pow2(uint32_t v)
{
	return v && !(v & (v - 1));
}

/* Return -1 to go on, else the exit status. */
static int parse(int argc, char **argv, struct args *a)
{
	struct hm_replay_overrides *ov = &a->ro.ov;
	bool any_override;
	int c;

	memset(a, 0, sizeof(*a));
	hm_replay_overrides_init(ov);
	a->rep.until = UINT64_MAX;
	opterr = 0;
	/* --json must be known before the first error is printed */
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--json") || !strcmp(argv[i], "-j"))
			hm_set_json_errors(true);
	while ((c = getopt_long(argc, argv, ":jo:qvVh", long_opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			a->json = true;
			break;
		case 'o':
			a->output = optarg;
			break;
		case 'q':
			a->quiet = true;
			break;
		case 'v':
			a->rep.verbose = true;
			break;
		case 'V':
			version(stdout);
			return HM_EXIT_OK;
		case 'h':
			help(stdout);
			return HM_EXIT_OK;
		case OPT_FORMAT:
			a->ro.reader.format = optarg;
			break;
		case OPT_LENIENT:
			a->ro.reader.lenient = true;
			break;
		case OPT_MAP:
			a->ro.reader.map_file = optarg;
			break;
		case OPT_TSC_MHZ: {
			char *end;
			double mhz = strtod(optarg, &end);

			if (end == optarg || *end || !(mhz > 0 && mhz < 1e6)) {
				hm_cli_usage("--tsc-mhz: \"%s\" is not a rate in MHz like 2599.993",
					     optarg);
				return HM_EXIT_USAGE;
			}
			a->ro.reader.tsc_mhz = mhz;
			break;
		}
		case OPT_CPU:
			if (hm_cli_u32("--cpu", optarg, 0, 65535, &a->rep.cpu))
				return HM_EXIT_USAGE;
			a->rep.cpu_set = true;
			break;
		case OPT_PID:
			if (parse_pid(optarg, &a->rep.pid))
				return HM_EXIT_USAGE;
			a->rep.pid_set = true;
			break;
		case OPT_COMM:
			a->rep.comm = optarg;
			break;
		case OPT_SITE:
			a->rep.site = optarg;
			break;
		case OPT_SINCE:
			if (hm_cli_time("--since", optarg, &a->rep.since, &a->rep.since_rel))
				return HM_EXIT_USAGE;
			break;
		case OPT_UNTIL:
			if (hm_cli_time("--until", optarg, &a->rep.until, &a->rep.until_rel))
				return HM_EXIT_USAGE;
			break;
		case OPT_TOP:
			if (hm_cli_u32("--top", optarg, 1, 100000, &a->rep.top))
				return HM_EXIT_USAGE;
			break;
		case OPT_ARCH:
			if (!hm_profile_find(optarg)) {
				hm_cli_usage("--arch: unknown profile \"%s\" (see --list-profiles)",
					     optarg);
				return HM_EXIT_USAGE;
			}
			ov->arch = optarg;
			break;
		case OPT_LAST_PKMAP:
			if (hm_cli_u32("--last-pkmap", optarg, 1, 1u << 20, &ov->last_pkmap))
				return HM_EXIT_USAGE;
			if (!is_pow2(ov->last_pkmap)) {
				hm_cli_usage("--last-pkmap: \"%s\" must be a power of two", optarg);
				return HM_EXIT_USAGE;
			}
			break;
		case OPT_CPUS:
			if (hm_cli_u32("--cpus", optarg, 1, 4096, &ov->nr_cpus))
				return HM_EXIT_USAGE;
			break;
		case OPT_DEBUG_KMAP_LOCAL:
			ov->debug_kmap_local = 1;
			break;
		case OPT_TLB_POLICY:
			ov->tlb_policy = hm_tlb_policy_from_name(optarg);
			if (ov->tlb_policy < 0) {
				hm_cli_usage("--tlb-policy: unknown policy \"%s\" (x86, arm-vipt, "
					     "arm-vivt, mips, powerpc, xtensa, generic)", optarg);
				return HM_EXIT_USAGE;
			}
			break;
		case OPT_WHAT_IF:
			a->ro.what_if = true;
			break;
		case OPT_COMPARE:
			a->compare = true;
			a->ro.what_if = true;
			break;
		case OPT_NO_SHIFT:
			a->ro.no_shift = true;
			break;
		case OPT_TIMELINE:
			a->ro.timeline = optarg;
			break;
		case OPT_CONVERT:
			a->ro.convert = optarg;
			break;
		case OPT_LIST_PROFILES:
			list_profiles(stdout);
			return HM_EXIT_OK;
		default:
			return hm_cli_bad_option(argv, c, long_opts);
		}
	}
	if (optind >= argc)
		return hm_cli_usage("no trace given (use - for stdin)");
	if (optind + 1 < argc)
		return hm_cli_usage("one trace at a time: unexpected \"%s\"", argv[optind + 1]);
	a->ro.path = argv[optind];
	any_override = ov->arch || ov->last_pkmap || ov->nr_cpus || ov->debug_kmap_local >= 0 ||
		       ov->tlb_policy >= 0;
	if (a->ro.what_if && !any_override)
		return hm_cli_usage("--what-if needs an override: --arch, --last-pkmap, --cpus, "
				    "--debug-kmap-local or --tlb-policy");
	if (a->rep.since > a->rep.until && a->rep.since_rel == a->rep.until_rel)
		return hm_cli_usage("--since is after --until");
	return -1;
}

static int print(const struct args *a, struct hm_report *base, struct hm_report *what,
		 struct hm_error *err)
{
	struct hm_outfile of;
	json_t *j = NULL;

	if (hm_outfile_open(&of, a->output ? a->output : "-", a->ro.path, err))
		return -1;
	if (a->json) {
		j = a->compare ? hm_report_compare_json(base, what) :
		    hm_report_json(what ? what : base);
		if (!j || json_dumpf(j, of.fp, JSON_INDENT(2)) || fputc('\n', of.fp) == EOF) {
			json_decref(j);
			hm_outfile_abort(&of);
			return hm_error_set(err, HM_EXIT_SYSTEM, NULL, "cannot write the report");
		}
		json_decref(j);
	} else if (a->compare) {
		hm_report_print_compare(base, what, of.fp);
	} else if (a->quiet) {
		hm_report_print_verdict(what ? what : base, of.fp);
	} else {
		hm_report_print_text(what ? what : base, of.fp);
	}
	return hm_outfile_commit(&of, err);
}

int main(int argc, char **argv)
{
	struct hm_report *base = NULL, *what = NULL;
	struct hm_replay *r = NULL;
	struct hm_error err;
	struct args a;
	int status;

	hm_set_progname("hm-replay");
	status = parse(argc, argv, &a);
	if (status >= 0)
		return status;
	/* the real machine's ret_ts says nothing about the what-if machine */
	if (a.ro.what_if)
		a.rep.modelled_latency = true;
	hm_signals_install();
	memset(&err, 0, sizeof(err));

	base = hm_report_new(&a.rep);
	if (a.ro.what_if)
		what = hm_report_new(&a.rep);
	if (!base || (a.ro.what_if && !what)) {
		hm_error_set(&err, HM_EXIT_SYSTEM, NULL, "out of memory");
		goto fail;
	}
	hm_report_set_label(base, "baseline");
	if (what)
		hm_report_set_label(what, "what-if");
	r = hm_replay_open(&a.ro, &err);
	if (!r)
		goto fail;
	if (hm_replay_run(r, base, what, &err))
		goto fail;
	if (print(&a, base, what, &err))
		goto fail;
	hm_replay_close(r);
	hm_report_free(base);
	hm_report_free(what);
	return HM_EXIT_OK;
fail:
	hm_error_print(&err);
	hm_replay_close(r);
	hm_report_free(base);
	hm_report_free(what);
	return err.status ? err.status : HM_EXIT_SYSTEM;
}
