// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * emit.c - findings as text (compiler style, lockdep-style stacks), as JSON
 * Lines, or as one SARIF 2.1.0 log for GitHub code scanning.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "lint_priv.h"

#define SARIF_SCHEMA "https://json.schemastore.org/sarif-2.1.0.json"

static const char *file_name(const struct hm_lint *l, uint32_t file)
{
	return file < l->nr_files ? l->files[file].name : "?";
}

static void page_text(char *buf, size_t size, uint64_t key)
{
	if (key == HM_NONE)
		buf[0] = '\0';
	else if (key & (1ull << 63))
		snprintf(buf, size, " (page 0x%" PRIx64 ")", (uint64_t)(key & ~(1ull << 63)));
	else
		snprintf(buf, size, " (pfn 0x%" PRIx64 ")", key);
}

/* One stack line without its place: "#0: 0xfffbb000 (pfn 0x40000) kmap_local_page() at f+0x1, ..." */
static char *frame_text(const struct lint_frame *fr)
{
	char pg[48], ts[32];
	char *s = NULL;
	int n;

	if (fr->ts == HM_NONE) {
		n = asprintf(&s, "#%u: 0x%" PRIx64 " mapped before the trace began%s%s",
			     fr->depth - 1, fr->vaddr, fr->mark ? " " : "", fr->mark ? fr->mark : "");
	} else {
		page_text(pg, sizeof(pg), fr->page);
		lint_fmt_ts(ts, sizeof(ts), fr->ts);
		n = asprintf(&s, "#%u: 0x%" PRIx64 "%s %s()%s%s, taken at %s%s%s", fr->depth - 1,
			     fr->vaddr, pg, lint_op_call(fr->op), fr->site[0] ? " at " : "",
			     fr->site, ts, fr->mark ? " " : "", fr->mark ? fr->mark : "");
	}
	return n < 0 ? NULL : s;
}

static const char *reaction_name(int reaction)
{
	switch (reaction) {
	case HM_KERNEL_BUG:
		return "bug";
	case HM_KERNEL_WARN:
		return "warn";
	case HM_KERNEL_WARN_ONCE:
		return "warn-once";
	case HM_KERNEL_NOTHING:
	case HM_KERNEL_WARNED_BEFORE:
	case HM_KERNEL_DEBUG_ONLY:
		return "silent";
	default:
		return "none";
	}
}

/* ----------------------------------------------------------------- text --- */

static void text_loc(FILE *fp, const char *file, uint64_t line)
{
	if (line)
		fprintf(fp, "%s:%" PRIu64 ": ", file, line);
	else
		fprintf(fp, "%s: ", file);
}

static void emit_text(struct hm_lint *l, const struct lint_finding *f)
{
	const char *file = file_name(l, f->file);
	FILE *fp = l->out;

	text_loc(fp, file, f->line);
	fprintf(fp, "%s: %s [hm-lint:%s]\n", lint_level_name(f->level), f->message,
		hm_lint_rule_get(f->rule)->id);
	if (f->kernel) {
		text_loc(fp, file, f->line);
		fprintf(fp, "note: %s\n", f->kernel);
	}
	for (uint32_t i = 0; i < f->nr_notes; i++) {
		text_loc(fp, file, f->notes[i].line ? f->notes[i].line : f->line);
		fprintf(fp, "note: %s\n", f->notes[i].text);
	}
	if (f->nr_stack && f->stack_title) {
		text_loc(fp, file, f->line);
		fprintf(fp, "note: %s\n", f->stack_title);
		for (uint32_t i = 0; i < f->nr_stack; i++) {
			char *s = frame_text(&f->stack[i]);

			text_loc(fp, file, f->stack[i].line ? f->stack[i].line : f->line);
			fprintf(fp, "note:  %s\n", s ? s : "?");
			free(s);
		}
	}
	if (f->count > 1) {
		text_loc(fp, file, f->line);
		fprintf(fp, "note: %" PRIu64 " occurrences with these call sites, the last at line %"
			PRIu64 " (--all shows each)\n", f->count, f->last_line);
	}
}

/* ----------------------------------------------------------------- JSON --- */

static json_t *hex(uint64_t v)
{
	char buf[24];

	if (v == HM_NONE)
		return json_null();
	snprintf(buf, sizeof(buf), "0x%" PRIx64, v);
	return json_string(buf);
}

static json_t *u64_or_null(uint64_t v)
{
	return v == HM_NONE ? json_null() : json_integer((json_int_t)v);
}

static json_t *page_json(uint64_t key)
{
	if (key == HM_NONE)
		return json_null();
	if (key & (1ull << 63))
		return json_pack("{s:o}", "page", hex((uint64_t)(key & ~(1ull << 63))));
	return json_pack("{s:o}", "pfn", hex(key));
}

static json_t *stack_json(const struct lint_finding *f)
{
	json_t *a = json_array();

	for (uint32_t i = 0; a && i < f->nr_stack; i++) {
		const struct lint_frame *fr = &f->stack[i];

		json_array_append_new(a, json_pack("{s:I, s:o, s:o, s:s, s:s, s:o, s:o, s:s?}",
			"depth", (json_int_t)fr->depth, "vaddr", hex(fr->vaddr),
			"page", page_json(fr->page), "op", hm_op_name(fr->op), "site", fr->site,
			"ts", u64_or_null(fr->ts),
			"line", fr->line ? json_integer((json_int_t)fr->line) : json_null(),
			"mark", fr->mark));
	}
	return a;
}

static json_t *finding_json(const struct hm_lint *l, const struct lint_finding *f)
{
	bool has_event = f->index != HM_NONE || f->ts != HM_NONE;
	json_t *notes = json_array();
	json_t *o = json_object();

	if (!o || !notes) {
		json_decref(o);
		json_decref(notes);
		return NULL;
	}
	for (uint32_t i = 0; i < f->nr_notes; i++)
		json_array_append_new(notes, json_pack("{s:I, s:s}", "line",
			(json_int_t)(f->notes[i].line ? f->notes[i].line : f->line),
			"message", f->notes[i].text));
	json_object_set_new(o, "file", json_string(file_name(l, f->file)));
	json_object_set_new(o, "line", f->line ? json_integer((json_int_t)f->line) : json_null());
	json_object_set_new(o, "rule", json_string(hm_lint_rule_get(f->rule)->id));
	json_object_set_new(o, "level", json_string(lint_level_name(f->level)));
	json_object_set_new(o, "message", json_string(f->message));
	json_object_set_new(o, "event", u64_or_null(f->index));
	json_object_set_new(o, "ts", u64_or_null(f->ts));
	json_object_set_new(o, "cpu", has_event ? json_integer(f->cpu) : json_null());
	json_object_set_new(o, "pid", has_event ? json_integer(f->pid) : json_null());
	json_object_set_new(o, "comm", json_string(f->comm));
	json_object_set_new(o, "ctx", json_string(hm_ctx_name(f->ctx)));
	json_object_set_new(o, "site", json_string(f->site));
	json_object_set_new(o, "other_site", json_string(f->other_site));
	json_object_set_new(o, "kernel_reaction", json_string(reaction_name(f->reaction)));
	json_object_set_new(o, "kernel", f->kernel ? json_string(f->kernel) : json_null());
	json_object_set_new(o, "count", json_integer((json_int_t)f->count));
	json_object_set_new(o, "last_line",
			    f->last_line ? json_integer((json_int_t)f->last_line) : json_null());
	json_object_set_new(o, "notes", notes);
	json_object_set_new(o, "stack", stack_json(f));
	return o;
}

/* ---------------------------------------------------------------- SARIF --- */

/* RFC 3986: keep unreserved characters and '/', percent-encode the rest. */
static json_t *uri_json(const char *path)
{
	static const char hexd[] = "0123456789ABCDEF";
	size_t n = strlen(path);
	char *s = malloc(n * 3 + 1), *o = s;
	json_t *j;

	if (!s)
		return NULL;
	if (strcmp(path, "<stdin>") == 0)
		path = "stdin";
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~/", *p)) {
			*o++ = (char)*p;
		} else {
			*o++ = '%';
			*o++ = hexd[*p >> 4];
			*o++ = hexd[*p & 15];
		}
	}
	*o = '\0';
	j = json_string(s);
	free(s);
	return j;
}

static json_t *phys_loc(const struct hm_lint *l, uint32_t file, uint64_t line)
{
	json_t *p = json_pack("{s:{s:o, s:I}}", "artifactLocation", "uri",
			      uri_json(file_name(l, file)), "index", (json_int_t)file);

	if (p && line)
		json_object_set_new(p, "region", json_pack("{s:I}", "startLine", (json_int_t)line));
	return p;
}

/* "foo+0x1c/0x40" -> "foo" */
static json_t *logical_loc(const char *site)
{
	size_t n = strcspn(site, "+/ ");
	char name[256];

	if (!site[0])
		return NULL;
	snprintf(name, sizeof(name), "%.*s", (int)(n < 255 ? n : 255), site);
	return json_pack("[{s:s, s:s, s:s}]", "name", name, "fullyQualifiedName", site,
			 "kind", "function");
}

static json_t *location(const struct hm_lint *l, uint32_t file, uint64_t line, const char *site,
			const char *msg)
{
	json_t *loc = json_pack("{s:o}", "physicalLocation", phys_loc(l, file, line));
	json_t *logical = site ? logical_loc(site) : NULL;

	if (!loc)
		return NULL;
	if (logical)
		json_object_set_new(loc, "logicalLocations", logical);
	if (msg)
		json_object_set_new(loc, "message", json_pack("{s:s}", "text", msg));
	return loc;
}

static json_t *sarif_result(const struct hm_lint *l, const struct lint_finding *f)
{
	const struct hm_lint_rule *rule = hm_lint_rule_get(f->rule);
	json_t *res, *related = json_array(), *props;
	char *text = NULL, *fp = NULL;
	json_int_t id = 1;

	/* one text: the message, then what the kernel does as a sentence of its own */
	if (asprintf(&text, "%s%s%c%s%s", f->message, f->kernel ? ". " : "",
		     f->kernel ? (char)(f->kernel[0] >= 'a' && f->kernel[0] <= 'z' ?
					f->kernel[0] - 'a' + 'A' : f->kernel[0]) : '\0',
		     f->kernel ? f->kernel + 1 : "", f->kernel ? "." : "") < 0)
		return NULL;
	if (asprintf(&fp, "%s|%s|%s", rule->id, f->site, f->other_site) < 0) {
		free(text);
		return NULL;
	}
	res = json_pack("{s:s, s:I, s:s, s:{s:s}, s:[o], s:{s:s}, s:I}",
		"ruleId", rule->id, "ruleIndex", (json_int_t)f->rule,
		"level", f->level == HM_LINT_ERROR ? "error" : "warning",
		"message", "text", text,
		"locations", location(l, f->file, f->line, f->site, NULL),
		"partialFingerprints", "hmLintCallSites/v1", fp,
		"occurrenceCount", (json_int_t)f->count);
	free(text);
	free(fp);
	if (!res)
		return NULL;
	for (uint32_t i = 0; related && i < f->nr_notes; i++) {
		json_t *loc = location(l, f->file, f->notes[i].line ? f->notes[i].line : f->line,
				       NULL, f->notes[i].text);

		if (loc) {
			json_object_set_new(loc, "id", json_integer(id++));
			json_array_append_new(related, loc);
		}
	}
	if (related && json_array_size(related))
		json_object_set_new(res, "relatedLocations", related);
	else
		json_decref(related);
	if (f->nr_stack) {
		json_t *frames = json_array();

		/* SARIF stacks list the innermost frame first: the top of the kmap stack */
		for (uint32_t i = f->nr_stack; frames && i-- > 0;) {
			char *s = frame_text(&f->stack[i]);

			json_array_append_new(frames, json_pack("{s:o}", "location",
				location(l, f->file, f->stack[i].line ? f->stack[i].line : f->line,
					 f->stack[i].site[0] ? f->stack[i].site : NULL,
					 s ? s : "?")));
			free(s);
		}
		json_object_set_new(res, "stacks", json_pack("[{s:{s:s}, s:o}]", "message", "text",
			f->stack_title ? f->stack_title : "local mappings held", "frames", frames));
	}
	props = json_pack("{s:o, s:o, s:s, s:s, s:s}",
		"event", u64_or_null(f->index), "ts", u64_or_null(f->ts),
		"comm", f->comm, "context", hm_ctx_name(f->ctx),
		"kernelReaction", reaction_name(f->reaction));
	if (props) {
		json_object_set_new(props, "cpu", json_integer(f->cpu));
		json_object_set_new(props, "pid", json_integer(f->pid));
		if (f->other_site[0])
			json_object_set_new(props, "otherSite", json_string(f->other_site));
		json_object_set_new(res, "properties", props);
	}
	return res;
}

/* "nesting-order" -> "NestingOrder" */
static void pascal(char *buf, size_t size, const char *id)
{
	size_t o = 0;
	bool up = true;

	for (; *id && o + 1 < size; id++) {
		if (*id == '-') {
			up = true;
			continue;
		}
		buf[o++] = up && *id >= 'a' && *id <= 'z' ? (char)(*id - 'a' + 'A') : *id;
		up = false;
	}
	buf[o] = '\0';
}

static json_t *sarif_rules(void)
{
	json_t *a = json_array();

	for (unsigned int i = 0; a && i < hm_lint_rule_count(); i++) {
		const struct hm_lint_rule *r = hm_lint_rule_get(i);
		char name[64], *help_md = NULL, *full = NULL;
		json_t *cfg;

		pascal(name, sizeof(name), r->id);
		if (asprintf(&full, "%s%s%s%s", r->description, r->kernel_check ? " Checked by the "
			     "kernel in " : " The kernel does not check it.",
			     r->kernel_check ? r->kernel_check : "", r->kernel_check ? "." : "") < 0)
			full = NULL;
		if (asprintf(&help_md, "**%s**\n\n%s\n\n**How to fix:** %s\n\nSee `man hm-lint`, "
			     "section RULES.", r->summary, r->description, r->help) < 0)
			help_md = NULL;
		cfg = r->level == HM_LINT_OFF ?
			json_pack("{s:b, s:s}", "enabled", 0, "level", "warning") :
			json_pack("{s:b, s:s}", "enabled", 1, "level",
				  r->level == HM_LINT_ERROR ? "error" : "warning");
		json_array_append_new(a, json_pack("{s:s, s:s, s:{s:s}, s:{s:s}, s:{s:s, s:s},"
						   " s:o, s:{s:[s, s], s:s}}",
			"id", r->id, "name", name,
			"shortDescription", "text", r->summary,
			"fullDescription", "text", full ? full : r->description,
			"help", "text", r->help, "markdown", help_md ? help_md : r->help,
			"defaultConfiguration", cfg,
			"properties", "tags", r->style ? "maintainability" : "correctness",
			"highmem", "precision", "high"));
		free(full);
		free(help_md);
	}
	return a;
}

/* ----------------------------------------------------------- dispatch --- */

void lint_emit(struct hm_lint *l, const struct lint_finding *f)
{
	json_t *j;

	switch (l->fmt) {
	case HM_LINT_TEXT:
		emit_text(l, f);
		break;
	case HM_LINT_JSON:
		j = finding_json(l, f);
		if (j) {
			json_dumpf(j, l->out, JSON_COMPACT | JSON_PRESERVE_ORDER);
			fputc('\n', l->out);
			json_decref(j);
		}
		break;
	case HM_LINT_SARIF:
		j = sarif_result(l, f);
		if (j)
			json_array_append_new(l->sarif_results, j);
		break;
	}
}

/* Lines of the summary's notes, shared by all three formats. */
static int summary_notes(const struct hm_lint *l, char **notes, int max)
{
	int n = 0;

	if (l->mismatched && n < max &&
	    asprintf(&notes[n], "model agreement: %" PRIu64 " of %" PRIu64 " observed addresses "
		     "differ from the model's (first in %s at event %" PRIu64 ": expected 0x%"
		     PRIx64 ", observed 0x%" PRIx64 "); a fact about the model, not a finding",
		     l->mismatched, l->checked, file_name(l, l->first_mismatch_file),
		     l->first_mismatch_index, l->first_mismatch_expected,
		     l->first_mismatch_observed) >= 0)
		n++;
	if (l->predates && n < max &&
	    asprintf(&notes[n], "%" PRIu64 " unmap%s of mappings made before the trace began "
		     "could not be checked", l->predates, l->predates == 1 ? "" : "s") >= 0)
		n++;
	if (l->lost && n < max &&
	    asprintf(&notes[n], "the recorder lost %" PRIu64 " event%s: findings near the gaps may "
		     "be artefacts", l->lost, l->lost == 1 ? "" : "s") >= 0)
		n++;
	if (l->held_local && n < max &&
	    asprintf(&notes[n], "%" PRIu64 " local mapping%s still held at the end of the trace "
		     "(the capture may have ended inside their sections)", l->held_local,
		     l->held_local == 1 ? "" : "s") >= 0)
		n++;
	return n;
}

static void summary_text(struct hm_lint *l, char **notes, int nr_notes)
{
	FILE *fp = l->out;
	uint64_t occ = l->error_occ + l->warning_occ;

	fprintf(fp, "%s: ", hm_progname());
	if (!l->errors && !l->warnings)
		fprintf(fp, "no violations");
	else
		fprintf(fp, "%" PRIu64 " error%s, %" PRIu64 " warning%s (%" PRIu64 " occurrence%s)",
			l->errors, l->errors == 1 ? "" : "s", l->warnings,
			l->warnings == 1 ? "" : "s", occ, occ == 1 ? "" : "s");
	if (l->suppressed)
		fprintf(fp, ", %" PRIu64 " suppressed", l->suppressed);
	fprintf(fp, " in %u trace%s, %" PRIu64 " event%s%s\n", l->nr_files,
		l->nr_files == 1 ? "" : "s", l->events, l->events == 1 ? "" : "s",
		l->fail.status ? " (stopped at an error)" : "");
	for (int i = 0; i < nr_notes; i++)
		fprintf(fp, "%s: note: %s\n", hm_progname(), notes[i]);
}

static void summary_json(struct hm_lint *l, int status, char **notes, int nr_notes)
{
	json_t *files = json_array(), *n = json_array(), *o;

	for (uint32_t i = 0; files && i < l->nr_files; i++)
		json_array_append_new(files, json_pack("{s:s, s:I, s:b}", "file", l->files[i].name,
			"events", (json_int_t)l->files[i].events, "failed", l->files[i].failed));
	for (int i = 0; n && i < nr_notes; i++)
		json_array_append_new(n, json_string(notes[i]));
	o = json_pack("{s:{s:I, s:I, s:I, s:I, s:I, s:o, s:I, s:{s:I, s:I}, s:I, s:I, s:I,"
		      " s:o, s:i}}", "summary",
		"errors", (json_int_t)l->errors, "warnings", (json_int_t)l->warnings,
		"occurrences", (json_int_t)(l->error_occ + l->warning_occ),
		"suppressed", (json_int_t)l->suppressed, "events", (json_int_t)l->events,
		"traces", files ? files : json_array(),
		"predates", (json_int_t)l->predates,
		"agreement", "checked", (json_int_t)l->checked,
		"mismatched", (json_int_t)l->mismatched,
		"lost_events", (json_int_t)l->lost,
		"local_held_at_end", (json_int_t)l->held_local,
		"synced", (json_int_t)l->synced,
		"notes", n ? n : json_array(),
		"exit_status", status);
	if (o) {
		json_dumpf(o, l->out, JSON_COMPACT | JSON_PRESERVE_ORDER);
		fputc('\n', l->out);
		json_decref(o);
	}
}

static void summary_sarif(struct hm_lint *l, int status, char **notes, int nr_notes)
{
	json_t *artifacts = json_array(), *notif = json_array(), *log;

	for (uint32_t i = 0; artifacts && i < l->nr_files; i++)
		json_array_append_new(artifacts, json_pack("{s:{s:o}}", "location", "uri",
							   uri_json(l->files[i].name)));
	for (int i = 0; notif && i < nr_notes; i++)
		json_array_append_new(notif, json_pack("{s:s, s:{s:s}}", "level", "note",
						       "message", "text", notes[i]));
	if (notif && l->fail.status) {
		const struct hm_where *w = &l->fail.where;
		json_t *n = json_pack("{s:s, s:{s:s}}", "level", "error", "message", "text",
				      l->fail.msg);

		if (n && w->file) {
			json_t *p = json_pack("{s:{s:o}}", "artifactLocation", "uri", uri_json(w->file));

			if (p && w->line)
				json_object_set_new(p, "region", w->col ?
					json_pack("{s:I, s:I}", "startLine", (json_int_t)w->line,
						  "startColumn", (json_int_t)w->col) :
					json_pack("{s:I}", "startLine", (json_int_t)w->line));
			json_object_set_new(n, "locations", json_pack("[{s:o}]", "physicalLocation", p));
		}
		json_array_append_new(notif, n);
	}
	log = json_pack("{s:s, s:s, s:[{s:{s:{s:s, s:s, s:o}}, s:o, s:O, s:[{s:b, s:i, s:o}],"
			" s:s}]}",
		"$schema", SARIF_SCHEMA, "version", "2.1.0", "runs",
		"tool", "driver", "name", "hm-lint", "version", hm_version(), "rules", sarif_rules(),
		"artifacts", artifacts ? artifacts : json_array(),
		"results", l->sarif_results,
		"invocations", "executionSuccessful", !l->fail.status, "exitCode", status,
		"toolExecutionNotifications", notif ? notif : json_array(),
		"columnKind", "unicodeCodePoints");
	if (log) {
		json_dumpf(log, l->out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', l->out);
		json_decref(log);
	}
}

void lint_emit_summary(struct hm_lint *l, int status)
{
	char *notes[8];
	int n = summary_notes(l, notes, 8);

	switch (l->fmt) {
	case HM_LINT_TEXT:
		summary_text(l, notes, n);
		break;
	case HM_LINT_JSON:
		summary_json(l, status, notes, n);
		break;
	case HM_LINT_SARIF:
		summary_sarif(l, status, notes, n);
		break;
	}
	for (int i = 0; i < n; i++)
		free(notes[i]);
	fflush(l->out);
}
