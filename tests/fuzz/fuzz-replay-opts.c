// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz-replay-opts.c - hm-replay's command line: the fuzz bytes, split at NUL
 * bytes, are its arguments.
 *
 * hm-replay.c is compiled in here with its main() renamed, so its static
 * parse() runs as it does in the tool; parse() never exits, it returns the
 * status.  What a command line may not do: end in a status other than "go
 * on", 0 or 2; go on without a trace, with an override the tool's own rules
 * refuse, or with --what-if and no override; print a usage error in another
 * shape than "hm-replay: ...".  The overrides it lets through then meet
 * hm_replay_profile() with a trace's meta: a profile the model accepts, or
 * an error in the usual shape.
 */
#include <getopt.h>
#include <stdio.h>

#include "fuzz-args.h"
#include "fuzz-read.h"

int hm_replay_main(int argc, char **argv);
#define main hm_replay_main
#include "hm-replay.c"
#undef main

static struct fuzz_stderr caught;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	/* --help, --version, --list-profiles print to stdout: not ours to read */
	if (!freopen("/dev/null", "w", stdout))
		abort();
	fuzz_stderr_init(&caught);
	return 0;
}

static void check_profile(const struct hm_replay_overrides *ov, uint32_t nr_cpus,
			  const char *arch)
{
	struct hm_trace_meta meta = {
		.debug_kmap_local = -1,
		.highmem_start_pfn = HM_NONE,
		.pkmap_base = HM_NONE,
		.fixaddr_top = HM_NONE,
		.nr_cpus = nr_cpus,
	};
	struct hm_error err = { 0 };
	struct hm_profile prof;
	const char *why;

	snprintf(meta.arch, sizeof(meta.arch), "%s", arch);
	if (hm_replay_profile(&meta, ov, &prof, &err) == 0) {
		FUZZ_CHECK(hm_profile_check(&prof, &why) == 0,
			   "hm_replay_profile() made a profile the model refuses: %s", why);
		FUZZ_CHECK(!ov->last_pkmap || prof.last_pkmap == ov->last_pkmap,
			   "--last-pkmap %u ignored", ov->last_pkmap);
		FUZZ_CHECK(!ov->nr_cpus || prof.nr_cpus == ov->nr_cpus, "--cpus %u ignored",
			   ov->nr_cpus);
	} else {
		fuzz_check_error(&err);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_argv a;
	struct args args;
	int status;

	if (caught.mem <= 0)
		LLVMFuzzerInitialize(NULL, NULL);
	if (!fuzz_argv_make(&a, "hm-replay", data, size)) {
		fuzz_argv_free(&a);
		return 0;
	}
	hm_set_progname("hm-replay");
	hm_set_json_errors(false);
	optind = 0;	/* glibc: start a new scan */

	fuzz_stderr_catch(&caught);
	status = parse(a.argc, a.argv, &args);
	fflush(stdout);
	fuzz_stderr_release(&caught);

	FUZZ_CHECK(status == -1 || status == HM_EXIT_OK || status == HM_EXIT_USAGE,
		   "status %d", status);
	fuzz_stderr_check_shape(&caught, "hm-replay");
	if (status == HM_EXIT_USAGE)
		FUZZ_CHECK(caught.len > 0, "usage error without a message");
	if (status == HM_EXIT_OK || status == HM_EXIT_USAGE) {
		fuzz_argv_free(&a);
		return 0;
	}

	/* going on: the trace is one of the arguments, the options are in range */
	FUZZ_CHECK(args.ro.path, "no trace");
	{
		bool found = false;

		for (int i = 1; i < a.argc; i++)
			found |= a.argv[i] == args.ro.path;
		FUZZ_CHECK(found, "the trace is not one of the arguments");
	}
	FUZZ_CHECK(!args.ro.ov.arch || hm_profile_find(args.ro.ov.arch), "unknown --arch");
	FUZZ_CHECK(!args.ro.ov.last_pkmap || !(args.ro.ov.last_pkmap & (args.ro.ov.last_pkmap - 1)),
		   "--last-pkmap %u", args.ro.ov.last_pkmap);
	FUZZ_CHECK(args.ro.ov.nr_cpus <= 4096, "--cpus %u", args.ro.ov.nr_cpus);
	FUZZ_CHECK(args.ro.ov.tlb_policy < HM_TLB__COUNT, "--tlb-policy %d",
		   args.ro.ov.tlb_policy);
	FUZZ_CHECK(!args.ro.what_if || args.ro.ov.arch || args.ro.ov.last_pkmap ||
		   args.ro.ov.nr_cpus || args.ro.ov.debug_kmap_local >= 0 ||
		   args.ro.ov.tlb_policy >= 0, "--what-if without an override");
	FUZZ_CHECK(args.rep.top <= 100000, "--top %u", args.rep.top);
	FUZZ_CHECK(args.rep.since_rel != args.rep.until_rel || args.rep.since <= args.rep.until,
		   "--since after --until");

	check_profile(&args.ro.ov, 0, "");
	check_profile(&args.ro.ov, 2, "x86-32-pae");
	check_profile(&args.ro.ov, 64, "arm");
	fuzz_argv_free(&a);
	return 0;
}
