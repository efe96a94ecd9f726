// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cli.c - the parts of every tool's main() that must look the same: version
 * text, usage errors, option values, help layout.
 */
#include <stdarg.h>
#include <string.h>

#include "cli.h"
#include "hm_config.h"
#include "hm_util.h"

void hm_cli_print_version(FILE *fp, const struct hm_cli_format *formats, size_t nr_formats)
{
	size_t i;

	fprintf(fp, "%s (hmtrace) %s\n", hm_progname(), hm_version());
	fputs("trace formats:\n", fp);
	for (i = 0; i < nr_formats; i++)
		fprintf(fp, "  %-8s %s\n", formats[i].name, formats[i].description);
	fputs("features:\n", fp);
	hm_cli_print_feature(fp, "zstd", HM_HAVE_ZSTD ? "yes (.zst input)" : "no");
	hm_cli_print_feature(fp, "gzip", HM_HAVE_GZIP ? "yes (.gz input)" : "no");
	hm_cli_print_feature(fp, "ctf", HM_HAVE_CTF ? "yes (libbabeltrace2)" : "no");
}

void hm_cli_print_feature(FILE *fp, const char *name, const char *state)
{
	fprintf(fp, "  %-8s %s\n", name, state);
}

int hm_cli_usage(const char *fmt, ...)
{
	struct hm_error e;
	va_list ap;

	memset(&e, 0, sizeof(e));
	e.status = HM_EXIT_USAGE;
	va_start(ap, fmt);
	vsnprintf(e.msg, sizeof(e.msg), fmt, ap);
	va_end(ap);
	hm_error_print(&e);
	fprintf(stderr, "Try '%s --help' for more information.\n", hm_progname());
	return HM_EXIT_USAGE;
}

int hm_cli_bad_option(char **argv, int ret, const struct option *opts)
{
	const char *arg = argv[optind - 1];
	char name[64];

	/* a short option inside a cluster ("-jx"): getopt knows the letter */
	if (optopt && (arg[0] != '-' || arg[1] != '-')) {
		if (ret == ':')
			return hm_cli_usage("option '-%c' needs a value", optopt);
		return hm_cli_usage("unknown option '-%c'", optopt);
	}
	/* a long option: "--name" or "--name=value" */
	snprintf(name, sizeof(name), "%s", arg);
	name[strcspn(name, "=")] = '\0';
	if (ret == ':')
		return hm_cli_usage("option '%s' needs a value", name);
	for (const struct option *o = opts; o && o->name; o++) {
		if (strcmp(name + 2, o->name) == 0 && o->has_arg == no_argument)
			return hm_cli_usage("option '%s' takes no value", name);
	}
	return hm_cli_usage("unknown option '%s'", name);
}

int hm_cli_u32(const char *opt, const char *arg, uint32_t min, uint32_t max, uint32_t *out)
{
	uint64_t v;

	if (hm_parse_u64(arg, &v) || v < min || v > max)
		return hm_cli_usage("%s: \"%s\" must be an integer from %u to %u", opt, arg, min,
				    max);
	*out = (uint32_t)v;
	return 0;
}

int hm_cli_time(const char *opt, const char *arg, uint64_t *out, bool *relative)
{
	const char *s = arg;

	*relative = false;
	if (*s == '+') {
		*relative = true;
		s++;
	}
	if (hm_parse_duration_ns(s, out))
		return hm_cli_usage("%s: \"%s\" is not a trace time (ns, or with a unit: "
				    "1.5s, 200ms, 30us; '+' for after the first event)", opt, arg);
	return 0;
}

void hm_cli_help_heading(FILE *fp, const char *title)
{
	fprintf(fp, "\n%s:\n", title);
}

void hm_cli_help_option(FILE *fp, const char *names, const char *text)
{
	if (strlen(names) > 24)
		fprintf(fp, "  %s\n  %-24s  %s\n", names, "", text);
	else
		fprintf(fp, "  %-24s  %s\n", names, text);
}
