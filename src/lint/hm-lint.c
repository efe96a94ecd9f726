// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * hm-lint.c - check kmap/kunmap traces against the rules of the highmem API:
 * argument parsing and wiring only; the checker is src/lint/.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "hm_lint.h"

static void usage(FILE *fp)
{
	fprintf(fp, "Usage: %s [OPTIONS] TRACE...\n"
		"Check kmap/kunmap traces against the rules of the highmem API and report every\n"
		"violation the way a compiler reports errors.\n", hm_progname());
	hm_cli_help_heading(fp, "Output");
	hm_cli_help_option(fp, "-f, --format FMT", "text (default), json (JSON Lines) or sarif");
	hm_cli_help_option(fp, "-j, --json", "same as --format json");
	hm_cli_help_option(fp, "-o, --output FILE", "write to FILE (atomically) instead of stdout");
	hm_cli_help_option(fp, "--all", "every occurrence, not one per (rule, call-site pair)");
	hm_cli_help_heading(fp, "Rules");
	hm_cli_help_option(fp, "--list-rules", "list the rules (ID, default level, summary) and exit");
	hm_cli_help_option(fp, "--enable RULE", "enable RULE, \"style\" or \"all\" (repeatable)");
	hm_cli_help_option(fp, "--disable RULE", "disable RULE, \"style\" or \"all\" (repeatable)");
	hm_cli_help_option(fp, "--Werror", "treat warnings as errors");
	hm_cli_help_option(fp, "--suppress FILE", "skip findings matching \"RULE SITE-GLOB\" lines");
	hm_cli_help_option(fp, "--max-hold DURATION", "report kmap() mappings held longer (2ms)");
	hm_cli_help_heading(fp, "Input");
	hm_cli_help_option(fp, "--input-format NAME", "read TRACE as NAME (json, jsonl, ftrace, ctf)");
	hm_cli_help_option(fp, "--lenient", "skip events with unknown ops instead of failing");
	hm_cli_help_option(fp, "--map FILE", "ftrace: probe name to op mapping");
	hm_cli_help_heading(fp, "Profile");
	hm_cli_help_option(fp, "--arch NAME", "replay on profile NAME instead of the trace's");
	hm_cli_help_option(fp, "--cpus N", "N CPUs online");
	hm_cli_help_option(fp, "--last-pkmap N", "pkmap pool of N slots (a power of two)");
	hm_cli_help_option(fp, "--debug-kmap-local", "CONFIG_DEBUG_KMAP_LOCAL (KM_MAX_IDX 33)");
	hm_cli_help_option(fp, "--force-map", "CONFIG_DEBUG_KMAP_LOCAL_FORCE_MAP (lowmem mapped too)");
	hm_cli_help_heading(fp, "Other");
	hm_cli_help_option(fp, "-V, --version", "version, trace formats and features");
	hm_cli_help_option(fp, "-h, --help", "this help");
	fprintf(fp, "\nExit status: 0 clean, 1 violations (errors, or warnings with --Werror),\n"
		"2 usage, 3 bad input, 4 system error.\n"
		"\nEXAMPLES\n"
		"  hm-lint tests/lint/data/nesting-order.jsonl\n"
		"  hm-lint --arch x86-32 traces/nopae-2cpu-tmpfs.ftrace.zst\n"
		"  hm-lint --format sarif -o hm-lint.sarif traces/handmade-nesting.jsonl\n"
		"  hm-lint --enable style --max-hold 1ms --Werror trace.jsonl\n"
		"  hm-lint --suppress known.supp --all trace.jsonl\n");
}

static void version(void)
{
	struct hm_cli_format f[16];
	size_t n = 0;

	for (int i = 0; hm_formats[i] && n < 16; i++, n++) {
		f[n].name = hm_formats[i]->name;
		f[n].description = hm_formats[i]->description;
	}
	hm_cli_print_version(stdout, f, n);
	printf("rules: %u (hm-lint --list-rules)\n", hm_lint_rule_count());
}

/* The trace -o would overwrite, or NULL: hm_outfile_open() checks the first one only. */
static const char *output_is_input(const char *output, char **traces, int n)
{
	struct stat so, st;

	if (!output || strcmp(output, "-") == 0 || stat(output, &so))
		return NULL;
	for (int i = 0; i < n; i++)
		if (stat(traces[i], &st) == 0 && st.st_dev == so.st_dev && st.st_ino == so.st_ino)
			return traces[i];
	return NULL;
}

enum {
	OPT_ALL = 256, OPT_LIST_RULES, OPT_ENABLE, OPT_DISABLE, OPT_WERROR, OPT_SUPPRESS,
	OPT_MAX_HOLD, OPT_INPUT_FORMAT, OPT_LENIENT, OPT_ARCH, OPT_CPUS, OPT_LAST_PKMAP,
	OPT_DEBUG_KMAP_LOCAL, OPT_MAP, OPT_FORCE_MAP,
};

static const struct option longopts[] = {
	{ "format", required_argument, NULL, 'f' },
	{ "json", no_argument, NULL, 'j' },
	{ "output", required_argument, NULL, 'o' },
	{ "all", no_argument, NULL, OPT_ALL },
	{ "list-rules", no_argument, NULL, OPT_LIST_RULES },
	{ "enable", required_argument, NULL, OPT_ENABLE },
	{ "disable", required_argument, NULL, OPT_DISABLE },
	{ "Werror", no_argument, NULL, OPT_WERROR },
	{ "suppress", required_argument, NULL, OPT_SUPPRESS },
	{ "max-hold", required_argument, NULL, OPT_MAX_HOLD },
	{ "input-format", required_argument, NULL, OPT_INPUT_FORMAT },
	{ "lenient", no_argument, NULL, OPT_LENIENT },
	{ "arch", required_argument, NULL, OPT_ARCH },
	{ "cpus", required_argument, NULL, OPT_CPUS },
	{ "last-pkmap", required_argument, NULL, OPT_LAST_PKMAP },
	{ "debug-kmap-local", no_argument, NULL, OPT_DEBUG_KMAP_LOCAL },
	{ "map", required_argument, NULL, OPT_MAP },
	{ "force-map", no_argument, NULL, OPT_FORCE_MAP },
	{ "version", no_argument, NULL, 'V' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int main(int argc, char **argv)
{
	enum hm_lint_format fmt = HM_LINT_TEXT;
	struct hm_lint_opts opts;
	struct hm_outfile of = { 0 };
	struct hm_error err;
	const char *output = NULL;
	bool list_rules = false;
	struct hm_lint *l;
	int c, status = HM_EXIT_OK;

	hm_set_progname("hm-lint");
	hm_lint_opts_init(&opts);
	while ((c = getopt_long(argc, argv, ":f:jo:Vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (strcmp(optarg, "text") == 0) {
				fmt = HM_LINT_TEXT;
			} else if (strcmp(optarg, "json") == 0) {
				fmt = HM_LINT_JSON;
			} else if (strcmp(optarg, "sarif") == 0) {
				fmt = HM_LINT_SARIF;
			} else {
				status = hm_cli_usage("--format: \"%s\" is not text, json or sarif",
						      optarg);
				goto out;
			}
			break;
		case 'j':
			fmt = HM_LINT_JSON;
			break;
		case 'o':
			output = optarg;
			break;
		case OPT_ALL:
			opts.all = true;
			break;
		case OPT_LIST_RULES:
			list_rules = true;
			break;
		case OPT_ENABLE:
		case OPT_DISABLE:
			if (hm_lint_opts_set(&opts, optarg, c == OPT_ENABLE)) {
				status = hm_cli_usage("unknown rule \"%s\" (see --list-rules)", optarg);
				goto out;
			}
			break;
		case OPT_WERROR:
			opts.werror = true;
			break;
		case OPT_SUPPRESS:
			if (hm_lint_opts_load_suppressions(&opts, optarg, &err)) {
				hm_error_print(&err);
				status = err.status;
				goto out;
			}
			break;
		case OPT_MAX_HOLD:
			if (hm_parse_duration_ns(optarg, &opts.max_hold_ns) || !opts.max_hold_ns) {
				status = hm_cli_usage("--max-hold: \"%s\" must be a positive duration "
						      "such as 500us, 2ms or 1.5s", optarg);
				goto out;
			}
			break;
		case OPT_INPUT_FORMAT:
			opts.reader.format = optarg;
			break;
		case OPT_LENIENT:
			opts.reader.lenient = true;
			break;
		case OPT_ARCH:
			if (!hm_profile_find(optarg)) {
				status = hm_cli_usage("--arch: unknown profile \"%s\"", optarg);
				goto out;
			}
			opts.arch = optarg;
			break;
		case OPT_CPUS:
			if ((status = hm_cli_u32("--cpus", optarg, 1, 4096, &opts.nr_cpus)))
				goto out;
			break;
		case OPT_LAST_PKMAP:
			if ((status = hm_cli_u32("--last-pkmap", optarg, 1, 1u << 20, &opts.last_pkmap)))
				goto out;
			break;
		case OPT_DEBUG_KMAP_LOCAL:
			opts.debug_kmap_local = 1;
			break;
		case OPT_FORCE_MAP:
			opts.force_map = true;
			break;
		case OPT_MAP:
			opts.reader.map_file = optarg;
			break;
		case 'V':
			version();
			goto out;
		case 'h':
			usage(stdout);
			goto out;
		default:
			status = hm_cli_bad_option(argv, c, longopts);
			goto out;
		}
	}
	if (list_rules) {
		hm_lint_list_rules(stdout, fmt == HM_LINT_TEXT ? HM_LINT_TEXT : HM_LINT_JSON);
		goto out;
	}
	if (optind >= argc) {
		status = hm_cli_usage("no trace given");
		goto out;
	}
	if (fmt == HM_LINT_JSON)
		hm_set_json_errors(true);
	hm_signals_install();
	if (output_is_input(output, argv + optind, argc - optind)) {
		struct hm_where w = { .file = output };

		hm_error_set(&err, HM_EXIT_USAGE, &w, "refusing to write over the input trace");
		hm_error_print(&err);
		status = HM_EXIT_USAGE;
		goto out;
	}
	if (hm_outfile_open(&of, output ? output : "-", argv[optind], &err)) {
		hm_error_print(&err);
		status = err.status ? err.status : HM_EXIT_SYSTEM;
		goto out;
	}
	l = hm_lint_new(&opts, of.fp, fmt);
	if (!l) {
		hm_err("out of memory");
		hm_outfile_abort(&of);
		status = HM_EXIT_SYSTEM;
		goto out;
	}
	for (int i = optind; i < argc; i++) {
		if (hm_lint_file(l, argv[i], &err) < 0) {
			hm_error_print(&err);
			if (err.status == HM_EXIT_INTERRUPTED || err.status == HM_EXIT_SYSTEM)
				break;
		}
	}
	if (hm_interrupted) {
		/* Ctrl-C: no summary, and no half a report under the output's name */
		hm_lint_free(l);
		hm_outfile_abort(&of);
		status = HM_EXIT_INTERRUPTED;
		goto out;
	}
	status = hm_lint_finish(l);
	hm_lint_free(l);
	if (hm_outfile_commit(&of, &err)) {
		hm_error_print(&err);
		status = HM_EXIT_SYSTEM;
	}
out:
	hm_lint_opts_release(&opts);
	return status;
}
