// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * writer.c - hmtrace trace format v1 as JSON Lines, written by hand: one
 * printf per event is several times faster than building jansson objects,
 * and the field order stays the one man/hm-trace.5 shows.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "hm_writer.h"

/* A JSON string; bytes that are not UTF-8 become U+FFFD so the output stays valid JSON. */
static void put_str(FILE *fp, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', fp);
	while (*p) {
		unsigned char c = *p;
		size_t n = 0;

		if (c == '"' || c == '\\') {
			fputc('\\', fp);
			fputc(c, fp);
			p++;
			continue;
		}
		if (c < 0x20 || c == 0x7f) {
			fprintf(fp, "\\u%04x", c);
			p++;
			continue;
		}
		if (c < 0x80) {
			fputc(c, fp);
			p++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			n = 2;
		else if (c >= 0xe0 && c <= 0xef)
			n = 3;
		else if (c >= 0xf0 && c <= 0xf4)
			n = 4;
		for (size_t i = 1; i < n; i++)
			if ((p[i] & 0xc0) != 0x80)
				n = 0;
		if (n == 3 && ((c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] >= 0xa0)))
			n = 0;	/* overlong, surrogate */
		if (n == 4 && ((c == 0xf0 && p[1] < 0x90) || (c == 0xf4 && p[1] >= 0x90)))
			n = 0;	/* overlong, above U+10FFFF */
		if (n == 0) {
			fputs("\\ufffd", fp);
			p++;
			continue;
		}
		fwrite(p, 1, n, fp);
		p += n;
	}
	fputc('"', fp);
}

int hm_trace_write_header(FILE *fp, const struct hm_trace_meta *m)
{
	const char *sep = "";

	fputs("{\"format\":\"hmtrace\",\"version\":1,\"meta\":{", fp);

#define SEP() (fputs(sep, fp), sep = ",")
	if (m->arch[0]) {
		SEP();
		fputs("\"arch\":", fp);
		put_str(fp, m->arch);
	}
	if (m->nr_cpus) {
		SEP();
		fprintf(fp, "\"nr_cpus\":%" PRIu32, m->nr_cpus);
	}
	if (m->last_pkmap) {
		SEP();
		fprintf(fp, "\"last_pkmap\":%" PRIu32, m->last_pkmap);
	}
	if (m->km_max_idx) {
		SEP();
		fprintf(fp, "\"km_max_idx\":%" PRIu32, m->km_max_idx);
	}
	if (m->debug_kmap_local >= 0) {
		SEP();
		fprintf(fp, "\"debug_kmap_local\":%s", m->debug_kmap_local ? "true" : "false");
	}
	if (m->highmem_start_pfn != HM_NONE) {
		SEP();
		fprintf(fp, "\"highmem_start_pfn\":%" PRIu64, m->highmem_start_pfn);
	}
	if (m->pkmap_base != HM_NONE) {
		SEP();
		fprintf(fp, "\"pkmap_base\":\"0x%" PRIx64 "\"", m->pkmap_base);
	}
	if (m->fixaddr_top != HM_NONE) {
		SEP();
		fprintf(fp, "\"fixaddr_top\":\"0x%" PRIx64 "\"", m->fixaddr_top);
	}
	if (m->lost_events) {
		SEP();
		fprintf(fp, "\"lost_events\":%" PRIu64, m->lost_events);
	}
	if (m->source[0]) {
		SEP();
		fputs("\"source\":", fp);
		put_str(fp, m->source);
	}
	if (m->kernel[0]) {
		SEP();
		fputs("\"kernel\":", fp);
		put_str(fp, m->kernel);
	}
	if (m->clock[0]) {
		SEP();
		fputs("\"clock\":", fp);
		put_str(fp, m->clock);
	}
#undef SEP
	fputs("}}\n", fp);
	return ferror(fp) ? -EIO : 0;
}

int hm_event_write_json(FILE *fp, const struct hm_event *ev, const struct hm_strtab *tab)
{
	fprintf(fp, "{\"ts\":%" PRIu64 ",\"cpu\":%" PRIu32 ",\"pid\":%" PRId32, ev->ts, ev->cpu,
		ev->pid);
	if (ev->comm) {
		fputs(",\"comm\":", fp);
		put_str(fp, hm_strtab_get(tab, ev->comm));
	}
	if (ev->ctx != HM_CTX_TASK)
		fprintf(fp, ",\"ctx\":\"%s\"", hm_ctx_name(ev->ctx));
	fprintf(fp, ",\"op\":\"%s\"", hm_op_name(ev->op));
	if (ev->pfn != HM_NONE && ev->pfn <= INT64_MAX)
		fprintf(fp, ",\"pfn\":%" PRIu64, ev->pfn);
	else if (ev->pfn != HM_NONE)	/* beyond a JSON integer jansson reads */
		fprintf(fp, ",\"pfn\":\"0x%" PRIx64 "\"", ev->pfn);
	if (ev->page != HM_NONE)
		fprintf(fp, ",\"page\":\"0x%" PRIx64 "\"", ev->page);
	if (ev->vaddr != HM_NONE)
		fprintf(fp, ",\"vaddr\":\"0x%" PRIx64 "\"", ev->vaddr);
	if (ev->ret_ts != HM_NONE)
		fprintf(fp, ",\"ret_ts\":%" PRIu64, ev->ret_ts);
	if (ev->site) {
		fputs(",\"site\":", fp);
		put_str(fp, hm_strtab_get(tab, ev->site));
	}
	if (ev->next_pid != HM_PID_NONE)
		fprintf(fp, ",\"next_pid\":%" PRId32, ev->next_pid);
	if (ev->op == HM_OP_MIGRATE)
		fprintf(fp, ",\"dest_cpu\":%" PRIu32, ev->dest_cpu);
	if (ev->flags & HM_EVF_CTX_KNOWN)
		fprintf(fp, ",\"irqs_off\":%s,\"preempt_off\":%s",
			ev->flags & HM_EVF_IRQS_OFF ? "true" : "false",
			ev->flags & HM_EVF_PREEMPT_OFF ? "true" : "false");
	fputs("}\n", fp);
	return ferror(fp) ? -EIO : 0;
}
