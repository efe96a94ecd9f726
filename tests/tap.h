/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tap.h - a tiny TAP producer for hmtrace's C tests.
 *
 * Ownership: nothing is allocated; all state is in this translation unit.
 * Use: tap_ok(cond, "name %d", ...), tap_is_u64(got, want, "name"),
 * then `return tap_done();` from main().
 */
#ifndef HM_TAP_H
#define HM_TAP_H

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_count;
static int tap_failed;

static inline __attribute__((format(printf, 2, 3))) int tap_ok(int cond, const char *fmt, ...)
{
	va_list ap;

	tap_count++;
	printf("%s %d - ", cond ? "ok" : "not ok", tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!cond)
		tap_failed++;
	fflush(stdout);
	return cond;
}

static inline __attribute__((unused)) int tap_is_u64(uint64_t got, uint64_t want, const char *name)
{
	int ok = tap_ok(got == want, "%s", name);

	if (!ok)
		printf("#   got:  %" PRIu64 " (0x%" PRIx64 ")\n#   want: %" PRIu64 " (0x%" PRIx64 ")\n",
		       got, got, want, want);
	return ok;
}

static inline __attribute__((unused)) int tap_is_str(const char *got, const char *want,
						     const char *name)
{
	int ok = tap_ok(got && want && strcmp(got, want) == 0, "%s", name);

	if (!ok)
		printf("#   got:  \"%s\"\n#   want: \"%s\"\n", got ? got : "(null)",
		       want ? want : "(null)");
	return ok;
}

static inline __attribute__((unused, format(printf, 1, 2))) void tap_diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static inline int tap_done(void)
{
	printf("1..%d\n", tap_count);
	return tap_failed ? 1 : 0;
}

#endif /* HM_TAP_H */
