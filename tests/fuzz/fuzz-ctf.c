// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz-ctf.c - the CTF reader (through libbabeltrace2) fed an arbitrary
 * stream file beside a fixed, valid metadata file.
 *
 * Input: the first byte picks the metadata (0: hmtrace's native event
 * classes, 1: an LTTng kernel session, 2: `perf data convert --to-ctf`,
 * modulo 3), the rest is the stream file's bytes.  The three metadata files
 * in ctf/ were written by tests/ctf/gen-ctf.py, like the seed streams in the
 * corpus, which come from the same runs (the packet headers carry the
 * metadata's UUID).  The metadata stays fixed because its parser is
 * babeltrace2's, not ours; the decoding of the stream into events, their
 * pairing and their checks are ours.
 *
 * The checks are those of every reader (fuzz-common.c): the format's
 * contract for each event, well-formed sticky errors, no more events than
 * bytes, and conversion to JSON Lines without loss.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz-read.h"

#ifndef FUZZ_CTF_DIR
#error "build with -DFUZZ_CTF_DIR=\"tests/fuzz/ctf\""
#endif

static const char *const shapes[] = { "native", "lttng", "perf" };
static char scratch[256];

static void copy_file(const char *from, const char *to)
{
	char buf[1 << 14];
	int in = open(from, O_RDONLY | O_CLOEXEC);
	int out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ssize_t n;

	FUZZ_CHECK(in >= 0 && out >= 0, "cannot copy %s to %s: %s", from, to, strerror(errno));
	while ((n = read(in, buf, sizeof(buf))) > 0)
		FUZZ_CHECK(write(out, buf, (size_t)n) == n, "write %s", to);
	FUZZ_CHECK(n == 0 && close(out) == 0, "copy %s", from);
	close(in);
}

/* At exit: remove the scratch directory and what is in it. */
static void scratch_remove(void)
{
	char path[600];

	for (size_t i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s/stream_0", scratch, shapes[i]);
		unlink(path);
		snprintf(path, sizeof(path), "%s/%s/metadata", scratch, shapes[i]);
		unlink(path);
		snprintf(path, sizeof(path), "%s/%s", scratch, shapes[i]);
		rmdir(path);
	}
	rmdir(scratch);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *tmp = getenv("TMPDIR");
	char from[512], to[512];

	hm_set_progname("hm-replay");
	/* the CTF metadata parser logs syntax errors on its own unless told not to */
	setenv("LIBBABELTRACE2_INIT_LOG_LEVEL", "NONE", 0);
	setenv("BABELTRACE_PLUGIN_CTF_METADATA_LOG_LEVEL", "NONE", 0);
	snprintf(scratch, sizeof(scratch), "%s/fuzz-ctf.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	FUZZ_CHECK(mkdtemp(scratch), "mkdtemp %s: %s", scratch, strerror(errno));
	atexit(scratch_remove);
	for (size_t i = 0; i < 3; i++) {
		snprintf(to, sizeof(to), "%s/%s", scratch, shapes[i]);
		FUZZ_CHECK(mkdir(to, 0755) == 0, "mkdir %s", to);
		snprintf(from, sizeof(from), "%s/%s.metadata", FUZZ_CTF_DIR, shapes[i]);
		snprintf(to, sizeof(to), "%s/%s/metadata", scratch, shapes[i]);
		copy_file(from, to);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hm_reader_opts opts = { .format = "ctf" };
	char dir[512], stream[600];
	int fd;

	if (!scratch[0])
		LLVMFuzzerInitialize(NULL, NULL);
	if (size < 1)
		return 0;
	snprintf(dir, sizeof(dir), "%s/%s", scratch, shapes[data[0] % 3]);
	snprintf(stream, sizeof(stream), "%s/stream_0", dir);
	fd = open(stream, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	FUZZ_CHECK(fd >= 0, "open %s: %s", stream, strerror(errno));
	FUZZ_CHECK(write(fd, data + 1, size - 1) == (ssize_t)(size - 1) && close(fd) == 0,
		   "write %s", stream);

	fuzz_read_all(dir, &opts, size, true);
	/* an empty stream file is no stream at all: leave none for the next run */
	unlink(stream);
	return 0;
}
