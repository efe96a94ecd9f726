// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * driver.c - run a fuzz target over files without libFuzzer, as TAP: the
 * checked-in corpus in every `meson test`, or one crashing input to debug it
 * under gdb or valgrind.
 *
 * usage: fuzz-TARGET-corpus FILE|DIR...
 *
 * Each file is one input; directories are read one level deep, in name
 * order.  A broken invariant aborts (the target prints which and where), so
 * a failing input stops the run with its name as the last line printed.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"

__attribute__((weak)) int LLVMFuzzerInitialize(int *argc, char ***argv);

static FILE *tap;
static int count;

static int run_file(const char *path)
{
	struct stat sb;
	uint8_t *buf;
	size_t len = 0;
	FILE *fp;

	fp = fopen(path, "rb");
	if (!fp || fstat(fileno(fp), &sb)) {
		fprintf(tap, "not ok %d - %s: %s\n", ++count, path, strerror(errno));
		if (fp)
			fclose(fp);
		return -1;
	}
	/* malloc'd to the exact size, so ASan sees a read past the end */
	buf = malloc(sb.st_size ? (size_t)sb.st_size : 1);
	if (!buf) {
		fclose(fp);
		fprintf(tap, "not ok %d - %s: out of memory\n", ++count, path);
		return -1;
	}
	if (sb.st_size)
		len = fread(buf, 1, (size_t)sb.st_size, fp);
	fclose(fp);
	if (len != (size_t)sb.st_size) {
		free(buf);
		fprintf(tap, "not ok %d - %s: short read\n", ++count, path);
		return -1;
	}
	/* the name first: if the input aborts, the log says which one */
	fprintf(tap, "# %s (%zu bytes)\n", path, len);
	fflush(tap);
	LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	fprintf(tap, "ok %d - %s\n", ++count, path);
	fflush(tap);
	return 0;
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_dir(const char *dir)
{
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0;
	int failed = 0;
	DIR *d = opendir(dir);

	if (!d) {
		fprintf(tap, "not ok %d - %s: %s\n", ++count, dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			names = realloc(names, cap * sizeof(*names));
			if (!names)
				abort();
		}
		if (asprintf(&names[n], "%s/%s", dir, de->d_name) < 0)
			abort();
		n++;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), cmp);
	for (size_t i = 0; i < n; i++) {
		failed |= run_file(names[i]);
		free(names[i]);
	}
	free(names);
	return failed;
}

int main(int argc, char **argv)
{
	int failed = 0;

	/* the target may point stdout elsewhere: TAP goes to a copy of it */
	tap = fdopen(dup(STDOUT_FILENO), "w");
	if (!tap)
		return 99;
	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
		return 2;
	}
	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	for (int i = 1; i < argc; i++) {
		struct stat sb;

		if (stat(argv[i], &sb) == 0 && S_ISDIR(sb.st_mode))
			failed |= run_dir(argv[i]);
		else
			failed |= run_file(argv[i]);
	}
	if (count == 0) {
		fprintf(tap, "not ok 1 - no inputs\n");
		count = 1;
		failed = 1;
	}
	fprintf(tap, "1..%d\n", count);
	fclose(tap);
	return failed ? 1 : 0;
}
