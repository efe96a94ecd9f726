// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-text.c - every way a string from a trace leaves hm-report: gnuplot
 * literals (whitelist), .dat fields, HTML text, and gnuplot's SVG inlined.
 */
#include <stdlib.h>
#include <string.h>

#include "hm_htmlreport.h"
#include "../tap.h"

static char *capture_begin(FILE **fp, char **buf, size_t *len)
{
	*buf = NULL;
	*len = 0;
	*fp = open_memstream(buf, len);
	return *buf;
}

static char *dat(const char *s)
{
	static char out[256];
	char *buf;
	size_t len;
	FILE *fp;

	capture_begin(&fp, &buf, &len);
	hm_dat_string(fp, s);
	fclose(fp);
	snprintf(out, sizeof(out), "%s", buf);
	free(buf);
	return out;
}

static char *html(const char *s)
{
	static char out[512];
	char *buf;
	size_t len;
	FILE *fp;

	capture_begin(&fp, &buf, &len);
	hm_html_escape(fp, s);
	fclose(fp);
	snprintf(out, sizeof(out), "%s", buf);
	free(buf);
	return out;
}

/* Inline @svg; NULL when refused (the error message in *msg). */
static char *svg(const char *in, const char **msg)
{
	static struct hm_error err;
	static char out[2048];
	char *buf;
	size_t len;
	FILE *fp;
	int ret;

	memset(&err, 0, sizeof(err));
	capture_begin(&fp, &buf, &len);
	ret = hm_svg_inline(fp, in, strlen(in), "pool", &err);
	fclose(fp);
	snprintf(out, sizeof(out), "%s", buf);
	free(buf);
	*msg = err.msg;
	return ret ? NULL : out;
}

static void test_gp_quote(void)
{
	static const char *const hostile[] = {
		"\"; system(\"touch /tmp/pwned\") #",
		"`touch /tmp/pwned`",
		"'; !touch /tmp/pwned",
		"@macro $HOME \\' {x}",
		"a\nb\rc\td",
		"caf\xc3\xa9",
	};
	char q[64];

	tap_is_str(hm_gp_quote(q, sizeof(q), "kmap_local"), "'kmap_local'", "a plain name");
	tap_is_str(hm_gp_quote(q, sizeof(q), "x86-32-pae, LAST_PKMAP 16"),
		   "'x86-32-pae, LAST_PKMAP 16'", "a label with the allowed punctuation");
	tap_is_str(hm_gp_quote(q, sizeof(q), hostile[0]), "'__ system(_touch /tmp/pwned_) _'",
		   "quotes and # become _");
	for (unsigned int i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		const char *inner;
		size_t n;

		hm_gp_quote(q, sizeof(q), hostile[i]);
		n = strlen(q);
		inner = q + 1;
		tap_ok(n >= 2 && q[0] == '\'' && q[n - 1] == '\'' &&
		       strcspn(inner, "'\"`!@$\\{}#\n\r\t") == n - 2,
		       "hostile string %u: nothing gnuplot would act on inside %s", i, q);
	}
	tap_is_str(hm_gp_quote(q, 8, "abcdefghij"), "'abcde'", "cut to the buffer, still closed");
	tap_is_str(hm_gp_quote(q, sizeof(q), NULL), "''", "NULL is the empty string");
}

static void test_dat(void)
{
	tap_is_str(dat("dir_get_page.isra.0+0x50/0x60 [minix]"),
		   "\"dir_get_page.isra.0+0x50/0x60 [minix]\"", "a call site stays one field");
	tap_is_str(dat("a\"b\\c\nd\te"), "\"a?b?c?d?e\"", "quote, backslash and controls become ?");
	tap_is_str(dat("caf\xc3\xa9"), "\"caf??\"", "bytes above 0x7e become ?");
	tap_is_str(dat("\"; system(\"touch /tmp/pwned\") #"),
		   "\"?; system(?touch /tmp/pwned?) #\"", "the hostile comm is one inert field");
	tap_is_str(dat(""), "\"\"", "the empty string");
}

static void test_html(void)
{
	tap_is_str(html("<script>alert('x' & \"y\")</script>"),
		   "&lt;script&gt;alert(&#39;x&#39; &amp; &quot;y&quot;)&lt;/script&gt;",
		   "& < > \" ' are escaped");
	tap_is_str(html("plain text"), "plain text", "plain text is unchanged");
	tap_is_str(html(""), "", "the empty string");
}

static void test_svg(void)
{
	const char *msg, *out;

	out = svg("<?xml version=\"1.0\"?>\n<!DOCTYPE svg>\n<svg viewBox=\"0 0 10 10\">"
		  "<defs><path id='gpPt0' d='M0,0'/></defs>"
		  "<use xlink:href='#gpPt0' x='1'/><g filter = 'url(#textbox)'>"
		  "<text>a &lt;b> onload=x javascript:y</text></g></svg>\n", &msg);
	tap_ok(out != NULL, "gnuplot-like SVG is accepted (%s)", msg);
	tap_is_str(out ? out : "",
		   "<svg class=\"hm-fig\" viewBox=\"0 0 10 10\">"
		   "<defs><path id='pool-gpPt0' d='M0,0'/></defs>"
		   "<use xlink:href='#pool-gpPt0' x='1'/><g filter = 'url(#pool-textbox)'>"
		   "<text>a &lt;b> onload=x javascript:y</text></g></svg>\n",
		   "prolog dropped, ids and references renamed, text left alone");
	tap_ok(svg("<svg><script>alert(1)</script></svg>", &msg) == NULL &&
	       strstr(msg, "script"), "a <script> element is refused");
	tap_ok(svg("<svg><SCRIPT>alert(1)</SCRIPT></svg>", &msg) == NULL,
	       "in any case");
	tap_ok(svg("<svg onload=\"alert(1)\"></svg>", &msg) == NULL &&
	       strstr(msg, "event handler"), "an on* attribute is refused");
	tap_ok(svg("<svg><a href=' JavaScript:alert(1)'>x</a></svg>", &msg) == NULL,
	       "a javascript: URL is refused");
	tap_ok(svg("<svg><foreignObject><div/></foreignObject></svg>", &msg) == NULL,
	       "foreignObject is refused");
	tap_ok(svg("<svg><g x='1></svg>", &msg) == NULL, "an unterminated attribute is refused");
	tap_ok(svg("no svg here", &msg) == NULL && strstr(msg, "not SVG"),
	       "text without <svg is refused");
}

int main(void)
{
	test_gp_quote();
	test_dat();
	test_html();
	test_svg();
	return tap_done();
}
