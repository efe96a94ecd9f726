// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * hm-readtest.c - read a trace through the reader library and say what came
 * out: a one-line summary, per-op counts (--ops) or the events as JSON Lines
 * (--jsonl).  Errors are printed exactly as hm-replay prints them, with its
 * program name and exit status, so the bad-input corpus can be checked
 * before hm-replay exists (and against hm-replay itself later).
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hm_reader.h"
#include "hm_writer.h"

static void usage(FILE *fp)
{
	fprintf(fp,
		"usage: hm-readtest [--format NAME] [--map FILE] [--lenient] [--tsc-mhz MHZ]\n"
		"                   [--ops | --jsonl] TRACE\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "map", required_argument, NULL, 'm' },
		{ "lenient", no_argument, NULL, 'l' },
		{ "ops", no_argument, NULL, 'o' },
		{ "jsonl", no_argument, NULL, 'j' },
		{ "tsc-mhz", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct hm_reader_opts opts = { 0 };
	struct {
		uint64_t n, vaddr, ret, pfn, page;
	} per_op[HM_OP__COUNT] = { 0 };
	bool ops = false, jsonl = false;
	struct hm_error err = { 0 };
	struct hm_reader *r;
	struct hm_event ev;
	uint64_t n = 0;
	int c, rc;

	hm_set_progname("hm-replay");
	while ((c = getopt_long(argc, argv, "f:m:lojt:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			opts.format = optarg;
			break;
		case 'm':
			opts.map_file = optarg;
			break;
		case 'l':
			opts.lenient = true;
			break;
		case 'o':
			ops = true;
			break;
		case 'j':
			jsonl = true;
			break;
		case 't':
			opts.tsc_mhz = strtod(optarg, NULL);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return HM_EXIT_USAGE;
		}
	}
	if (optind + 1 != argc) {
		usage(stderr);
		return HM_EXIT_USAGE;
	}
	r = hm_reader_open(argv[optind], &opts, &err);
	if (!r) {
		hm_error_print(&err);
		return err.status;
	}
	if (jsonl && hm_trace_write_header(stdout, hm_reader_meta(r)) < 0) {
		hm_reader_close(r);
		return HM_EXIT_SYSTEM;
	}
	while ((rc = hm_reader_next(r, &ev)) == 1) {
		n++;
		if (jsonl && hm_event_write_json(stdout, &ev, hm_reader_strtab(r)) < 0) {
			hm_reader_close(r);
			return HM_EXIT_SYSTEM;
		}
		per_op[ev.op].n++;
		per_op[ev.op].vaddr += ev.vaddr != HM_NONE;
		per_op[ev.op].ret += ev.ret_ts != HM_NONE;
		per_op[ev.op].pfn += ev.pfn != HM_NONE;
		per_op[ev.op].page += ev.page != HM_NONE;
	}
	if (rc < 0) {
		int status = hm_reader_error(r)->status;

		fflush(stdout);
		hm_error_print(hm_reader_error(r));
		hm_reader_close(r);
		return status;
	}
	if (!jsonl) {
		const struct hm_trace_meta *m = hm_reader_meta(r);

		printf("format %s events %" PRIu64 " skipped %" PRIu64 " backwards %" PRIu64
		       " nr_cpus %" PRIu32 " lost %" PRIu64 "\n",
		       hm_reader_format(r), n, hm_reader_skipped(r), hm_reader_backwards(r),
		       m->nr_cpus, m->lost_events);
	}
	if (ops) {
		for (unsigned int op = 0; op < HM_OP__COUNT; op++) {
			if (!per_op[op].n)
				continue;
			printf("%s %" PRIu64 " vaddr %" PRIu64 " ret %" PRIu64 " pfn %" PRIu64
			       " page %" PRIu64 "\n",
			       hm_op_name(op), per_op[op].n, per_op[op].vaddr, per_op[op].ret,
			       per_op[op].pfn, per_op[op].page);
		}
	}
	hm_reader_close(r);
	if (fflush(stdout) != 0 || ferror(stdout))
		return HM_EXIT_SYSTEM;
	return 0;
}
