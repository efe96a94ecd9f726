// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz-reader.c - one byte-stream reader (FUZZ_FORMAT: "json", "jsonl" or
 * "ftrace") fed arbitrary bytes.
 *
 * Beyond "no crash": every event keeps the format's contract, errors are
 * well-formed and sticky, no reader makes more events than it has bytes, and
 * what was read converts to JSON Lines and reads back the same (hm-replay
 * --convert).  The bytes are read twice, with and without --lenient, and
 * once more with format detection, which must agree with the forced format
 * whenever detection picks it.
 */
#include <string.h>

#include "fuzz-read.h"

#ifndef FUZZ_FORMAT
#error "build with -DFUZZ_FORMAT=\"json\" (or jsonl, ftrace)"
#endif

static struct fuzz_file in = { .fd = -1 };

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	hm_set_progname("hm-replay");
	fuzz_file_open(&in, "fuzz-" FUZZ_FORMAT);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hm_reader_opts opts = { .format = FUZZ_FORMAT };
	struct hm_reader_opts detect = { 0 };
	struct hm_error err = { 0 };
	uint64_t max = size;
	struct hm_reader *r;
	long strict, lenient, detected = -2;

	if (in.fd < 0)
		LLVMFuzzerInitialize(NULL, NULL);
	/* compressed input expands: no bound from the size then */
	if (size >= 2 && ((data[0] == 0x28 && data[1] == 0xb5) ||
			  (data[0] == 0x1f && data[1] == 0x8b)))
		max = UINT64_MAX;
	fuzz_file_set(&in, data, size);

	strict = fuzz_read_all(in.path, &opts, max, true);
	opts.lenient = true;
	lenient = fuzz_read_all(in.path, &opts, max, true);
	/* lenient only skips what strict refuses: never fewer events */
	FUZZ_CHECK(strict < 0 || lenient >= strict, "strict %ld, lenient %ld", strict, lenient);

	/* detection: when it picks this format, it reads what the forced reader read */
	r = hm_reader_open(in.path, &detect, &err);
	if (r) {
		bool same = strcmp(hm_reader_format(r), FUZZ_FORMAT) == 0;

		hm_reader_close(r);
		if (same)
			detected = fuzz_read_all(in.path, &detect, max, false);
		FUZZ_CHECK(!same || detected == strict, "detected %ld, forced %ld", detected,
			   strict);
	} else {
		fuzz_check_error(&err);
	}
	return 0;
}
