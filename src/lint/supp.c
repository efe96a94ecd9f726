// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * supp.c - the --suppress file: lines "RULE SITE-GLOB", '#' comments; a
 * finding is suppressed when its rule matches and the glob matches the call
 * site of either side of it.
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "lint_priv.h"

static int supp_add(struct hm_lint_opts *o, int rule, const char *glob, size_t len)
{
	struct hm_lint_supp *n = realloc(o->supp, (o->nr_supp + 1) * sizeof(*n));

	if (!n)
		return -ENOMEM;
	o->supp = n;
	n[o->nr_supp].rule = rule;
	n[o->nr_supp].used = 0;
	n[o->nr_supp].glob = strndup(glob, len);
	if (!n[o->nr_supp].glob)
		return -ENOMEM;
	o->nr_supp++;
	return 0;
}

/* Next whitespace-separated token from *p: its start and length, 0 at the end. */
static size_t token(const char **p, const char **start)
{
	const char *s = *p;
	size_t n = 0;

	while (*s == ' ' || *s == '\t')
		s++;
	*start = s;
	while (s[n] && s[n] != ' ' && s[n] != '\t' && s[n] != '#')
		n++;
	*p = s + n;
	return n;
}

int hm_lint_opts_load_suppressions(struct hm_lint_opts *o, const char *path,
				   struct hm_error *err)
{
	struct hm_where where = { .file = path };
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	FILE *fp;
	int rc = 0;

	fp = fopen(path, "r");
	if (!fp)
		return hm_error_set(err, HM_EXIT_USAGE, NULL, "--suppress: \"%s\": %s", path,
				    strerror(errno));
	while ((len = getline(&line, &cap, fp)) >= 0) {
		const char *p = line, *rule_s, *glob, *extra;
		size_t rule_n, glob_n;
		char name[64];
		int rule;

		where.line++;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		rule_n = token(&p, &rule_s);
		if (!rule_n)
			continue;	/* blank or comment */
		glob_n = token(&p, &glob);
		where.col = (uint64_t)(rule_s - line) + 1;
		if (!glob_n) {
			rc = hm_error_set(err, HM_EXIT_INPUT, &where,
					  "expected \"RULE SITE-GLOB\" (use \"*\" for any site)");
			break;
		}
		if (token(&p, &extra)) {
			where.col = (uint64_t)(extra - line) + 1;
			rc = hm_error_set(err, HM_EXIT_INPUT, &where,
					  "unexpected text after the site glob");
			break;
		}
		if (rule_n == 1 && rule_s[0] == '*') {
			rule = -1;
		} else {
			snprintf(name, sizeof(name), "%.*s", (int)(rule_n < 63 ? rule_n : 63), rule_s);
			rule = rule_n < 63 ? hm_lint_rule_find(name) : -1;
			if (rule < 0) {
				rc = hm_error_set(err, HM_EXIT_INPUT, &where,
						  "unknown rule \"%s\" (see hm-lint --list-rules)", name);
				break;
			}
		}
		if (supp_add(o, rule, glob, glob_n)) {
			rc = hm_error_set(err, HM_EXIT_SYSTEM, NULL, "out of memory");
			break;
		}
	}
	if (!rc && ferror(fp))
		rc = hm_error_set(err, HM_EXIT_SYSTEM, NULL, "--suppress: \"%s\": read error", path);
	free(line);
	fclose(fp);
	return rc;
}

bool lint_suppressed(struct hm_lint *l, const struct lint_finding *f)
{
	for (unsigned int i = 0; i < l->opts.nr_supp; i++) {
		struct hm_lint_supp *s = &l->opts.supp[i];

		if (s->rule >= 0 && (uint32_t)s->rule != f->rule)
			continue;
		if (fnmatch(s->glob, f->site, 0) == 0 ||
		    (f->other_site[0] && fnmatch(s->glob, f->other_site, 0) == 0)) {
			s->used++;
			return true;
		}
	}
	return false;
}
