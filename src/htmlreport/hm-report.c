// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * hm-report.c - turn a replay into pictures: gnuplot figures and a
 * self-contained index.html.  Argument parsing and wiring only (see tool.c).
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "hm_htmlreport.h"

enum {
	OPT_FORMAT = 0x100,
	OPT_PLOT,
	OPT_LIST_PLOTS,
	OPT_FROM_JSON,
	OPT_BUCKETS,
	OPT_TOP,
	OPT_GNUPLOT_TIMEOUT,
	OPT_INPUT_FORMAT,
	OPT_LENIENT,
	OPT_MAP,
	OPT_ARCH,
	OPT_LAST_PKMAP,
	OPT_CPUS,
	OPT_DEBUG_KMAP_LOCAL,
	OPT_TLB_POLICY,
	OPT_WHAT_IF,
	OPT_COMPARE,
	OPT_NO_SHIFT,
};

static const struct option long_opts[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "version", no_argument, NULL, 'V' },
	{ "help", no_argument, NULL, 'h' },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "plot", required_argument, NULL, OPT_PLOT },
	{ "list-plots", no_argument, NULL, OPT_LIST_PLOTS },
	{ "from-json", required_argument, NULL, OPT_FROM_JSON },
	{ "buckets", required_argument, NULL, OPT_BUCKETS },
	{ "top", required_argument, NULL, OPT_TOP },
	{ "gnuplot-timeout", required_argument, NULL, OPT_GNUPLOT_TIMEOUT },
	{ "input-format", required_argument, NULL, OPT_INPUT_FORMAT },
	{ "lenient", no_argument, NULL, OPT_LENIENT },
	{ "map", required_argument, NULL, OPT_MAP },
	{ "arch", required_argument, NULL, OPT_ARCH },
	{ "last-pkmap", required_argument, NULL, OPT_LAST_PKMAP },
	{ "cpus", required_argument, NULL, OPT_CPUS },
	{ "debug-kmap-local", no_argument, NULL, OPT_DEBUG_KMAP_LOCAL },
	{ "tlb-policy", required_argument, NULL, OPT_TLB_POLICY },
	{ "what-if", no_argument, NULL, OPT_WHAT_IF },
	{ "compare", no_argument, NULL, OPT_COMPARE },
	{ "no-shift", no_argument, NULL, OPT_NO_SHIFT },
	{ NULL, 0, NULL, 0 },
};

static void help(FILE *fp)
{
	fputs("Usage: hm-report [OPTIONS] TRACE -o DIR\n"
	      "       hm-report [OPTIONS] --from-json RESULT.json -o DIR\n"
	      "       hm-report --plot NAME [-o FILE|-] [OPTIONS] (TRACE | --from-json FILE)\n"
	      "       hm-report --list-plots | --version | --help\n"
	      "\n"
	      "Replay a kmap/kunmap trace (or load a saved hm-replay --json result) and write\n"
	      "its figures into DIR: per figure a .dat file and a gnuplot script, the images\n"
	      "gnuplot draws from them, and index.html, one self-contained page with the\n"
	      "summary tables, the violations and every figure.\n", fp);
	hm_cli_help_heading(fp, "Output");
	hm_cli_help_option(fp, "-o, --output DIR", "write the report into DIR (made if missing);");
	hm_cli_help_option(fp, "", "with --plot, the image file (- or none: stdout)");
	hm_cli_help_option(fp, "--format FMT", "images as svg (default), png or both");
	hm_cli_help_option(fp, "--plot NAME", "draw only figure NAME (see --list-plots)");
	hm_cli_help_option(fp, "--list-plots", "list the figures and what each needs, and exit");
	hm_cli_help_option(fp, "--top N", "rows per table and call sites drawn (default 10)");
	hm_cli_help_option(fp, "--buckets N", "time buckets per series (default 2000)");
	hm_cli_help_option(fp, "--gnuplot-timeout S", "kill gnuplot after S s per figure "
			   "(default 30)");
	hm_cli_help_heading(fp, "Input");
	hm_cli_help_option(fp, "--from-json FILE", "draw from an hm-replay --json result or "
			   "a series.json");
	hm_cli_help_option(fp, "--input-format NAME", "read TRACE as NAME (json, jsonl, ftrace, "
			   "ctf)");
	hm_cli_help_option(fp, "--lenient", "skip events with unknown ops instead of failing");
	hm_cli_help_option(fp, "--map FILE", "ftrace: probe name to op mapping");
	hm_cli_help_heading(fp, "Profile (as hm-replay)");
	hm_cli_help_option(fp, "--arch NAME", "replay on profile NAME (hm-replay --list-profiles)");
	hm_cli_help_option(fp, "--last-pkmap N", "pkmap pool of N slots (a power of two)");
	hm_cli_help_option(fp, "--cpus N", "N CPUs online");
	hm_cli_help_option(fp, "--debug-kmap-local", "CONFIG_DEBUG_KMAP_LOCAL (guard slots)");
	hm_cli_help_option(fp, "--tlb-policy NAME",
			   "x86, arm-vipt, arm-vivt, mips, powerpc, xtensa or generic");
	hm_cli_help_heading(fp, "What-if");
	hm_cli_help_option(fp, "--what-if", "report the trace replayed with the overrides above");
	hm_cli_help_option(fp, "--compare", "baseline and what-if overlaid");
	hm_cli_help_option(fp, "--no-shift", "do not delay tasks that sleep longer in the what-if");
	hm_cli_help_heading(fp, "Other");
	hm_cli_help_option(fp, "-v, --verbose", "list the files written and gnuplot's warnings");
	hm_cli_help_option(fp, "-V, --version", "print the version, formats and features");
	hm_cli_help_option(fp, "-h, --help", "print this help");
	fputs("\nExit status: 0 ok, 2 usage error, 3 bad input, 4 system error (gnuplot missing\n"
	      "or failing included), 130 interrupted.\n", fp);
	hm_cli_help_heading(fp, "Examples");
	fputs("  hm-report traces/pae-1cpu-minix600.ftrace.zst -o minix600\n"
	      "  hm-report --what-if --last-pkmap 16 --compare traces/pae-1cpu-minix600.ftrace.zst "
	      "-o small\n"
	      "  hm-replay --json -o run.json traces/nopae-2cpu-wrap.ftrace.zst\n"
	      "  hm-report --from-json run.json -o wrap\n"
	      "  hm-report --from-json minix600/series.json --format png -o minix600-png\n"
	      "  hm-report --plot pool traces/handmade-pool-wrap.jsonl -o - > pool.svg\n", fp);
}

static void list_plots(FILE *fp)
{
	for (unsigned int i = 0; i < hm_figure_count(); i++) {
		const struct hm_figure *f = hm_figure_get(i);

		fprintf(fp, "%-16s %s (from: %s)\n", f->name, f->title, f->needs);
	}
}

static void version(FILE *fp)
{
	char gp[4096];
	struct hm_cli_format f[16];
	size_t n = 0;

	for (size_t i = 0; hm_formats[i] && n < 16; i++, n++) {
		f[n].name = hm_formats[i]->name;
		f[n].description = hm_formats[i]->description;
	}
	hm_cli_print_version(fp, f, n);
	/* the one thing hm-report needs at run time that the build does not give it */
	if (hm_gnuplot_find(gp, sizeof(gp)) == 0)
		fprintf(fp, "  %-8s yes (%s)\n", "gnuplot", gp);
	else
		fprintf(fp, "  %-8s no (install the gnuplot-nox package)\n", "gnuplot");
}

static bool is_pow2(uint32_t v)
{
	return v && !(v & (v - 1));
}

struct args {
	struct hm_replay_opts ro;
	struct hm_htmlreport_opts o;
	const char *format;
};

/* Return -1 to go on, else the exit status. */
static int parse(int argc, char **argv, struct args *a)
{
	struct hm_replay_overrides *ov = &a->ro.ov;
	uint32_t u;
	int c;

	memset(a, 0, sizeof(*a));
	hm_replay_overrides_init(ov);
	a->o.replay = &a->ro;
	a->o.report.until = UINT64_MAX;
	a->o.buckets = HM_SERIES_BUCKETS;
	a->o.timeout_s = 30;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:vVh", long_opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			a->o.output = optarg;
			break;
		case 'v':
			a->o.verbose = true;
			break;
		case 'V':
			version(stdout);
			return HM_EXIT_OK;
		case 'h':
			help(stdout);
			return HM_EXIT_OK;
		case OPT_FORMAT:
			a->format = optarg;
			break;
		case OPT_PLOT:
			if (!hm_figure_find(optarg))
				return hm_cli_usage(
					"--plot: unknown figure \"%s\" (see --list-plots)", optarg);
			a->o.plot = optarg;
			break;
		case OPT_LIST_PLOTS:
			list_plots(stdout);
			return HM_EXIT_OK;
		case OPT_FROM_JSON:
			a->o.from_json = optarg;
			break;
		case OPT_BUCKETS:
			if (hm_cli_u32("--buckets", optarg, HM_SERIES_BUCKETS_MIN,
				       HM_SERIES_BUCKETS_MAX, &a->o.buckets))
				return HM_EXIT_USAGE;
			break;
		case OPT_TOP:
			if (hm_cli_u32("--top", optarg, 1, 1000, &u))
				return HM_EXIT_USAGE;
			a->o.report.top = u;
			break;
		case OPT_GNUPLOT_TIMEOUT:
			if (hm_cli_u32("--gnuplot-timeout", optarg, 1, 3600, &u))
				return HM_EXIT_USAGE;
			a->o.timeout_s = u;
			break;
		case OPT_INPUT_FORMAT:
			a->ro.reader.format = optarg;
			break;
		case OPT_LENIENT:
			a->ro.reader.lenient = true;
			break;
		case OPT_MAP:
			a->ro.reader.map_file = optarg;
			break;
		case OPT_ARCH:
			if (!hm_profile_find(optarg))
				return hm_cli_usage("--arch: unknown profile \"%s\" (see hm-replay "
						    "--list-profiles)", optarg);
			ov->arch = optarg;
			break;
		case OPT_LAST_PKMAP:
			if (hm_cli_u32("--last-pkmap", optarg, 1, 1u << 20, &ov->last_pkmap))
				return HM_EXIT_USAGE;
			if (!is_pow2(ov->last_pkmap))
				return hm_cli_usage("--last-pkmap: \"%s\" must be a power of two",
						    optarg);
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
			if (ov->tlb_policy < 0)
				return hm_cli_usage("--tlb-policy: unknown policy \"%s\" (x86, "
						    "arm-vipt, arm-vivt, mips, powerpc, xtensa, "
						    "generic)", optarg);
			break;
		case OPT_WHAT_IF:
			a->ro.what_if = true;
			break;
		case OPT_COMPARE:
			a->o.compare = true;
			a->ro.what_if = true;
			break;
		case OPT_NO_SHIFT:
			a->ro.no_shift = true;
			break;
		default:
			return hm_cli_bad_option(argv, c, long_opts);
		}
	}
	if (!a->format || !strcmp(a->format, "svg"))
		a->o.formats = HM_FIG_SVG;
	else if (!strcmp(a->format, "png"))
		a->o.formats = HM_FIG_PNG;
	else if (!strcmp(a->format, "both") && !a->o.plot)
		a->o.formats = HM_FIG_SVG | HM_FIG_PNG;
	else
		return hm_cli_usage("--format: \"%s\" must be svg or png%s", a->format,
				    a->o.plot ? " with --plot" : ", or both");
	if (a->o.from_json) {
		if (optind < argc)
			return hm_cli_usage("--from-json reads no trace: unexpected \"%s\"",
					    argv[optind]);
		if (a->ro.what_if || ov->arch || ov->last_pkmap || ov->nr_cpus ||
		    ov->debug_kmap_local >= 0 || ov->tlb_policy >= 0 || a->ro.reader.format ||
		    a->ro.reader.map_file || a->ro.reader.lenient || a->ro.no_shift)
			return hm_cli_usage("--from-json draws a finished replay: replay and "
					    "input options do not apply");
	} else {
		if (optind >= argc)
			return hm_cli_usage("no trace given (use - for stdin, or --from-json)");
		if (optind + 1 < argc)
			return hm_cli_usage("one trace at a time: unexpected \"%s\"",
					    argv[optind + 1]);
		a->ro.path = argv[optind];
	}
	if (!a->o.plot && !a->o.output)
		return hm_cli_usage("no output directory given (-o DIR)");
	if (!a->o.plot && !strcmp(a->o.output, "-"))
		return hm_cli_usage("-o -: only one figure (--plot NAME) can go to stdout");
	if (a->ro.what_if && !(ov->arch || ov->last_pkmap || ov->nr_cpus ||
			       ov->debug_kmap_local >= 0 || ov->tlb_policy >= 0))
		return hm_cli_usage("--what-if needs an override: --arch, --last-pkmap, --cpus, "
				    "--debug-kmap-local or --tlb-policy");
	return -1;
}

int main(int argc, char **argv)
{
	struct hm_error err;
	struct args a;
	int status;

	hm_set_progname("hm-report");
	status = parse(argc, argv, &a);
	if (status >= 0)
		return status;
	hm_signals_install();
	if (hm_htmlreport_run(&a.o, &err)) {
		hm_error_print(&err);
		return err.status ? err.status : HM_EXIT_SYSTEM;
	}
	return HM_EXIT_OK;
}
