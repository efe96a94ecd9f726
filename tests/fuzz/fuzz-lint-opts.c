// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz-lint-opts.c - hm-lint's command line: the fuzz bytes, split at NUL
 * bytes, are its arguments.
 *
 * hm-lint parses its options inside main(), so the whole tool runs: it is
 * compiled in here with main() renamed and runs in a scratch directory that
 * holds a small trace (t.jsonl), a suppression file (s.supp) and an ftrace
 * map (m.map) for the arguments to name; command lines naming anything with
 * a '/' are skipped, so nothing outside the scratch directory is read or
 * written.  Each run starts from a fresh directory.  What a run may not do:
 * exit with a status outside 0-4, fail without saying why, write stderr in
 * another shape than "hm-lint: ...", leak (LeakSanitizer), leave a
 * temporary output file behind.
 */
#include <dirent.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <sys/stat.h>

#include "fuzz-args.h"

int hm_lint_main(int argc, char **argv);
#define main hm_lint_main
#include "hm-lint.c"
#undef main

static struct fuzz_stderr caught;
static char scratch[256];

static const char trace[] =
	"{\"format\":\"hmtrace\",\"version\":1,\"meta\":{\"arch\":\"x86-32-pae\",\"nr_cpus\":1}}\n"
	"{\"ts\":1000,\"cpu\":0,\"pid\":100,\"comm\":\"cat\",\"op\":\"kmap_local\","
	"\"pfn\":\"0x40000\",\"vaddr\":\"0xfffbb000\",\"site\":\"copy_a+0x10/0x80\"}\n"
	"{\"ts\":2000,\"cpu\":0,\"pid\":100,\"comm\":\"cat\",\"op\":\"kmap_local\","
	"\"pfn\":\"0x40001\",\"vaddr\":\"0xfffba000\",\"site\":\"copy_b+0x20/0x80\"}\n"
	"{\"ts\":3000,\"cpu\":0,\"pid\":100,\"comm\":\"cat\",\"op\":\"kunmap_local\","
	"\"vaddr\":\"0xfffbb000\",\"site\":\"copy_a+0x30/0x80\"}\n";
static const char supp[] = "# known\nnesting-order copy_a+*\n";
static const char map[] = "kmap_high kmap page=page\nkunmap_high kunmap page=page\n";

static void put(const char *name, const char *text)
{
	int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	FUZZ_CHECK(fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text) &&
		   close(fd) == 0, "cannot write %s/%s", scratch, name);
}

/*
 * Empty the scratch directory; true when it held a temporary output file:
 * hm_outfile's ".NAME.XXXXXX", a name the command line (@data) did not give.
 */
static bool clean(const uint8_t *data, size_t size)
{
	bool leftover = false;
	struct dirent *de;
	DIR *d = opendir(".");

	FUZZ_CHECK(d, "opendir %s", scratch);
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (de->d_name[0] == '.' && strlen(de->d_name) > 8 &&
		    !memmem(data, size, de->d_name, strlen(de->d_name)))
			leftover = true;
		if (unlink(de->d_name) && errno == EISDIR)
			rmdir(de->d_name);
	}
	closedir(d);
	return leftover;
}

/* At exit: remove the scratch directory and what is in it. */
static void scratch_remove(void)
{
	int here = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (here < 0 || chdir(scratch) != 0)
		return;
	clean((const uint8_t *)"", 0);
	if (fchdir(here) == 0)
		rmdir(scratch);
	close(here);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *tmp = getenv("TMPDIR");

	/* the reports go to stdout: not ours to read */
	if (!freopen("/dev/null", "w", stdout))
		abort();
	/* "-" as a trace reads stdin: give it an empty one */
	if (!freopen("/dev/null", "r", stdin))
		abort();
	snprintf(scratch, sizeof(scratch), "%s/fuzz-lint-opts.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	FUZZ_CHECK(mkdtemp(scratch), "mkdtemp %s: %s", scratch, strerror(errno));
	atexit(scratch_remove);
	fuzz_stderr_init(&caught);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_argv a;
	int status, here;
	bool leftover;

	if (!scratch[0])
		LLVMFuzzerInitialize(NULL, NULL);
	if (memchr(data, '/', size))
		return 0;
	if (!fuzz_argv_make(&a, "hm-lint", data, size)) {
		fuzz_argv_free(&a);
		return 0;
	}
	here = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	FUZZ_CHECK(here >= 0 && chdir(scratch) == 0, "chdir %s", scratch);
	clean(data, 0);
	put("t.jsonl", trace);
	put("s.supp", supp);
	put("m.map", map);
	hm_set_progname("hm-lint");
	hm_set_json_errors(false);
	optind = 0;	/* glibc: start a new scan */

	fuzz_stderr_catch(&caught);
	status = hm_lint_main(a.argc, a.argv);
	fflush(stdout);
	fuzz_stderr_release(&caught);
	leftover = clean(data, size);
	FUZZ_CHECK(fchdir(here) == 0 && close(here) == 0, "back from %s", scratch);

	FUZZ_CHECK(status >= HM_EXIT_OK && status <= HM_EXIT_SYSTEM, "status %d", status);
	FUZZ_CHECK(!leftover, "a temporary output file was left behind");
	fuzz_stderr_check_shape(&caught, "hm-lint");
	if (status >= HM_EXIT_USAGE)
		FUZZ_CHECK(caught.len > 0, "status %d without a message", status);
	fuzz_argv_free(&a);
	return 0;
}
