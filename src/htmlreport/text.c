// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * text.c - every way a string from a trace or a JSON input leaves hm-report:
 * into a gnuplot script (whitelisted), a .dat field (one clean field), HTML
 * text (escaped), and gnuplot's own SVG into the page (ids renamed, script
 * refused).
 */
#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "hm_htmlreport.h"

static bool gp_safe(unsigned char c)
{
	return isascii(c) && (isalnum(c) || strchr(" _.,:()+=/-", c));
}

char *hm_gp_quote(char *buf, size_t size, const char *s)
{
	size_t o = 0;

	buf[o++] = '\'';
	for (; s && *s && o + 2 < size; s++)
		buf[o++] = gp_safe((unsigned char)*s) ? *s : '_';
	buf[o++] = '\'';
	buf[o] = '\0';
	return buf;
}

void hm_dat_string(FILE *fp, const char *s)
{
	fputc('"', fp);
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		fputc(c >= 0x20 && c <= 0x7e && c != '"' && c != '\\' ? c : '?', fp);
	}
	fputc('"', fp);
}

void hm_html_escape(FILE *fp, const char *s)
{
	while (s && *s) {
		size_t plain = strcspn(s, "&<>\"'");

		fwrite(s, 1, plain, fp);
		s += plain;
		if (!*s)
			break;
		switch (*s++) {
		case '&':
			fputs("&amp;", fp);
			break;
		case '<':
			fputs("&lt;", fp);
			break;
		case '>':
			fputs("&gt;", fp);
			break;
		case '"':
			fputs("&quot;", fp);
			break;
		default:
			fputs("&#39;", fp);
		}
	}
}

/* ------------------------------------------------------------- svg --- */

struct svg_in {
	const char *p, *end;
	const char *prefix;
	struct hm_error *err;
};

static int refuse(struct svg_in *in, const char *what)
{
	return hm_error_set(in->err, HM_EXIT_SYSTEM, NULL,
			    "refusing to inline gnuplot's SVG of %s: it contains %s", in->prefix,
			    what);
}

static bool name_is(const char *s, size_t len, const char *name)
{
	return strlen(name) == len && strncasecmp(s, name, len) == 0;
}

/* Whether @needle (which holds a '<' or a ':') is in s[0..len), any case. */
static bool contains_ci(const char *s, size_t len, const char *needle)
{
	size_t n = strlen(needle), at = strcspn(needle, "<:");
	char key = needle[at];
	const char *p = s, *end = s + len;

	/* path data is long and has neither: look for the rare character first */
	while ((p = memchr(p, key, (size_t)(end - p)))) {
		if ((size_t)(p - s) >= at && (size_t)(end - (p - at)) >= n &&
		    strncasecmp(p - at, needle, n) == 0)
			return true;
		p++;
	}
	return false;
}

/* Write an attribute value, pointing its local references at renamed ids. */
static void attr_value(FILE *fp, const char *v, size_t len, bool is_id, bool is_href,
		       const char *prefix)
{
	const char *p = v, *end = v + len;

	if (is_id) {
		fprintf(fp, "%s-", prefix);
	} else if (is_href && p < end && *p == '#') {
		fprintf(fp, "#%s-", prefix);
		p++;
	}
	while (p < end) {
		const char *u = memmem(p, (size_t)(end - p), "url(#", 5);
		const char *upto = u ? u : end;

		fwrite(p, 1, (size_t)(upto - p), fp);
		p = upto;
		if (u) {
			fprintf(fp, "url(#%s-", prefix);
			p += 5;
		}
	}
}

/* Copy one tag (at '<'), checking and rewriting its attributes. */
static int svg_tag(FILE *fp, struct svg_in *in, bool *root_done)
{
	const char *p = in->p + 1, *name;
	size_t nlen;

	if (p < in->end && (*p == '!' || *p == '?')) {
		/* a comment or declaration: nothing gnuplot puts inside the image */
		const char *gt = memchr(p, '>', (size_t)(in->end - p));

		if (!gt)
			return refuse(in, "an unterminated tag");
		if (contains_ci(in->p, (size_t)(gt - in->p), "<!entity"))
			return refuse(in, "an entity declaration");
		fwrite(in->p, 1, (size_t)(gt + 1 - in->p), fp);
		in->p = gt + 1;
		return 0;
	}
	fputc('<', fp);
	if (p < in->end && *p == '/') {
		fputc('/', fp);
		p++;
	}
	name = p;
	while (p < in->end && (isalnum((unsigned char)*p) || *p == ':' || *p == '-' || *p == '_'))
		p++;
	nlen = (size_t)(p - name);
	if (name_is(name, nlen, "script") || name_is(name, nlen, "foreignObject") ||
	    name_is(name, nlen, "iframe") || name_is(name, nlen, "object") ||
	    name_is(name, nlen, "embed"))
		return refuse(in, "a <script> or embedded document");
	fwrite(name, 1, nlen, fp);
	if (!*root_done && name_is(name, nlen, "svg")) {
		fputs(" class=\"hm-fig\"", fp);
		*root_done = true;
	}
	for (;;) {
		const char *an, *v;
		size_t alen;
		char q;

		while (p < in->end && isspace((unsigned char)*p))
			fputc(*p++, fp);
		if (p >= in->end)
			return refuse(in, "an unterminated tag");
		if (*p == '>' || *p == '/') {
			fputc(*p, fp);
			if (*p++ == '>')
				break;
			continue;
		}
		an = p;
		while (p < in->end && !isspace((unsigned char)*p) && *p != '=' && *p != '>' &&
		       *p != '/')
			p++;
		alen = (size_t)(p - an);
		if (!alen)
			return refuse(in, "a malformed attribute");
		if (alen >= 2 && strncasecmp(an, "on", 2) == 0)
			return refuse(in, "an event handler attribute");
		fwrite(an, 1, alen, fp);
		/* gnuplot writes some as "fill = 'rgb(...)'" */
		while (p < in->end && isspace((unsigned char)*p))
			fputc(*p++, fp);
		if (p >= in->end || *p != '=')
			continue;
		fputc(*p++, fp);
		while (p < in->end && isspace((unsigned char)*p))
			fputc(*p++, fp);
		if (p >= in->end || (*p != '"' && *p != '\''))
			return refuse(in, "an unquoted attribute");
		q = *p++;
		v = p;
		while (p < in->end && *p != q)
			p++;
		if (p >= in->end)
			return refuse(in, "an unterminated attribute");
		if (contains_ci(v, (size_t)(p - v), "javascript:") ||
		    contains_ci(v, (size_t)(p - v), "data:text"))
			return refuse(in, "a script URL");
		fputc(q, fp);
		attr_value(fp, v, (size_t)(p - v), name_is(an, alen, "id"),
			   name_is(an, alen, "href") || name_is(an, alen, "xlink:href"),
			   in->prefix);
		fputc(q, fp);
		p++;
	}
	in->p = p;
	return 0;
}

int hm_svg_inline(FILE *fp, const char *svg, size_t len, const char *prefix,
		  struct hm_error *err)
{
	struct svg_in in = { .end = svg + len, .prefix = prefix, .err = err };
	bool root_done = false;
	const char *start = NULL;

	for (size_t i = 0; i + 4 <= len; i++)
		if (strncmp(svg + i, "<svg", 4) == 0) {
			start = svg + i;
			break;
		}
	if (!start)
		return hm_error_set(err, HM_EXIT_SYSTEM, NULL,
				    "gnuplot's image of %s is not SVG", prefix);
	in.p = start;
	while (in.p < in.end) {
		const char *lt = memchr(in.p, '<', (size_t)(in.end - in.p));

		if (!lt) {
			fwrite(in.p, 1, (size_t)(in.end - in.p), fp);
			break;
		}
		fwrite(in.p, 1, (size_t)(lt - in.p), fp);
		in.p = lt;
		if (svg_tag(fp, &in, &root_done))
			return -EINVAL;
	}
	return 0;
}
