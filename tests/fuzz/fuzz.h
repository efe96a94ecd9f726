/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz.h - what every hmtrace fuzz target shares: the libFuzzer entry points,
 * an assertion that names the broken invariant, and fuzz bytes as a file.
 *
 * Ownership: a struct fuzz_file owns its memfd until fuzz_file_close().
 */
#ifndef HM_FUZZ_H
#define HM_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>


/* The target: the same signature libFuzzer calls and driver.c calls. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* Optional set-up, called once (driver.c and libFuzzer both call it when defined). */
int LLVMFuzzerInitialize(int *argc, char ***argv);

/*
 * An invariant broke: say which, where, and abort so that libFuzzer (or the
 * corpus driver, or ASan) reports the input.
 */
#define FUZZ_CHECK(cond, ...)							\
	do {									\
		if (!(cond)) {							\
			fprintf(stderr, "%s:%d: invariant broken: %s: ",	\
				__FILE__, __LINE__, #cond);			\
			fprintf(stderr, __VA_ARGS__);				\
			fputc('\n', stderr);					\
			abort();						\
		}								\
	} while (0)

/* Bytes as a file the readers can open by name: a memfd behind /proc/self/fd/N. */
struct fuzz_file {
	int fd;
	char path[64];
};

/* Create an empty file; aborts when memfd_create() fails (nothing to fuzz without it). */
void fuzz_file_open(struct fuzz_file *f, const char *name);
/* Replace the file's contents with @data[0..size). */
void fuzz_file_set(struct fuzz_file *f, const void *data, size_t size);
void fuzz_file_close(struct fuzz_file *f);

#endif /* HM_FUZZ_H */
