// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-json.c - trace format v1 as a JSON document and as JSON Lines: every
 * event field, the meta, detection, member order, and errors with their
 * exact line:col (worked out by hand from the texts below).
 */
#include "rt-util.h"

#define HDR "{\"format\":\"hmtrace\",\"version\":1,\"meta\":{\"nr_cpus\":4}}\n"

static const struct hm_reader_opts defaults;

static void test_fields(void)
{
	const char *doc =
		"{\"format\": \"hmtrace\", \"version\": 1,\n"
		" \"meta\": {\"arch\": \"x86-32\", \"nr_cpus\": 2, \"last_pkmap\": 1024,\n"
		"          \"km_max_idx\": 33, \"highmem_start_pfn\": \"0x36ffe\",\n"
		"          \"pkmap_base\": \"0xff800000\", \"fixaddr_top\": 4294963200,\n"
		"          \"lost_events\": 3, \"source\": \"unit test\", \"kernel\": \"6.1.0\",\n"
		"          \"clock\": \"x86-tsc\", \"future_key\": [1, {\"x\": 2}]},\n"
		" \"events\": [\n"
		"  {\"ts\": 100, \"cpu\": 1, \"pid\": 42, \"comm\": \"cat\", \"ctx\": \"softirq\",\n"
		"   \"op\": \"kmap\", \"page\": \"0xf6e9ccf8\", \"vaddr\": \"0xff001000\", \"ret_ts\": 150,\n"
		"   \"site\": \"dir_get_page+0x50/0x60 [minix]\", \"irqs_off\": true, \"preempt_off\": false,\n"
		"   \"unknown\": {\"ignored\": true}},\n"
		"  {\"ts\": 200, \"cpu\": 0, \"pid\": 7, \"op\": \"kunmap_local\", \"vaddr\": 4294685168},\n"
		"  {\"ts\": 300, \"cpu\": 0, \"pid\": 7, \"op\": \"kmap_local\", \"pfn\": \"0x36ffe\"},\n"
		"  {\"ts\": 400, \"cpu\": 0, \"pid\": 7, \"op\": \"sched_switch\", \"next_pid\": 9},\n"
		"  {\"ts\": 500, \"cpu\": 1, \"pid\": 9, \"op\": \"migrate\", \"dest_cpu\": 0},\n"
		"  {\"ts\": 600, \"cpu\": 1, \"pid\": 0, \"op\": \"irq_enter\", \"ctx\": \"hardirq\", \"pfn\": null},\n"
		"  {\"ts\": 50, \"cpu\": 1, \"pid\": 0, \"op\": \"flush_all_zero\"}\n"
		" ]\n"
		"}\n";
	struct rt_trace *t = rt_text("fields.json", doc, &defaults);
	const struct hm_event *e = t->ev;

	tap_ok(t->rc == 0 && t->n == 7, "document: 7 events (%s)", t->err);
	tap_is_str(t->format, "json", "detected as json");
	tap_is_str(t->meta.arch, "x86-32", "meta arch");
	tap_is_u64(t->meta.nr_cpus, 2, "meta nr_cpus");
	tap_is_u64(t->meta.last_pkmap, 1024, "meta last_pkmap");
	tap_is_u64(t->meta.km_max_idx, 33, "meta km_max_idx");
	tap_is_u64(t->meta.highmem_start_pfn, 0x36ffe, "meta highmem_start_pfn from hex");
	tap_is_u64(t->meta.pkmap_base, 0xff800000, "meta pkmap_base");
	tap_is_u64(t->meta.fixaddr_top, 0xfffff000, "meta fixaddr_top from integer");
	tap_is_u64(t->meta.lost_events, 3, "meta lost_events");
	tap_is_str(t->meta.source, "unit test", "meta source");
	tap_is_str(t->meta.kernel, "6.1.0", "meta kernel");
	tap_is_str(t->meta.clock, "x86-tsc", "meta clock");
	tap_ok(t->meta.debug_kmap_local == -1, "meta debug_kmap_local unset");
	if (t->n != 7) {
		rt_free(t);
		return;
	}
	tap_ok(e[0].ts == 100 && e[0].cpu == 1 && e[0].pid == 42 && e[0].op == HM_OP_KMAP &&
	       e[0].ctx == HM_CTX_SOFTIRQ && e[0].page == 0xf6e9ccf8 && e[0].vaddr == 0xff001000 &&
	       e[0].ret_ts == 150 && e[0].pfn == HM_NONE && e[0].next_pid == HM_PID_NONE,
	       "event 0: numbers");
	tap_is_str(rt_str(t, e[0].comm), "cat", "event 0: comm");
	tap_is_str(rt_str(t, e[0].site), "dir_get_page+0x50/0x60 [minix]", "event 0: site");
	tap_is_u64(e[0].flags, HM_EVF_CTX_KNOWN | HM_EVF_IRQS_OFF, "event 0: flags");
	tap_ok(e[0].index == 0 && e[0].line == 8, "event 0: index 0, line 8");
	tap_ok(e[1].vaddr == 0xfffbb1f0 && e[1].comm == 0 && e[1].ctx == HM_CTX_TASK &&
	       e[1].flags == 0 && e[1].ret_ts == HM_NONE && e[1].line == 12,
	       "event 1: integer vaddr, defaults");
	tap_ok(e[2].pfn == 0x36ffe && e[2].op == HM_OP_KMAP_LOCAL, "event 2: pfn as hex string");
	tap_ok(e[3].op == HM_OP_SCHED_SWITCH && e[3].next_pid == 9, "event 3: next_pid");
	tap_ok(e[4].op == HM_OP_MIGRATE && e[4].dest_cpu == 0 && e[4].cpu == 1,
	       "event 4: migrate dest_cpu");
	tap_ok(e[5].ctx == HM_CTX_HARDIRQ && e[5].pfn == HM_NONE, "event 5: null is absent");
	tap_ok(e[6].index == 6 && e[6].ts == 50, "event 6 delivered");
	tap_is_u64(t->backwards, 1, "a timestamp going backwards on CPU 1 is counted, not fatal");
	rt_free(t);
}

static void test_jsonl(void)
{
	struct rt_trace *t;

	t = rt_text("a.jsonl",
		    HDR
		    "{\"ts\":1,\"cpu\":3,\"pid\":5,\"op\":\"kmap_atomic\",\"pfn\":1}\r\n"
		    "\n"
		    "  {\"ts\":2,\"cpu\":3,\"pid\":5,\"op\":\"kunmap_atomic\",\"vaddr\":\"0XFFFBA000\"}\n",
		    &defaults);
	tap_ok(t->rc == 0 && t->n == 2 && strcmp(t->format, "jsonl") == 0,
	       "JSON Lines: CRLF and blank lines (%s)", t->err);
	tap_ok(t->n == 2 && t->ev[0].line == 2 && t->ev[1].line == 4 &&
	       t->ev[1].vaddr == 0xfffba000, "JSON Lines: lines 2 and 4, upper-case hex");
	rt_free(t);

	t = rt_text("hdr-only.jsonl", HDR, &defaults);
	tap_ok(t->rc == 0 && t->n == 0 && t->meta.nr_cpus == 4 && !strcmp(t->format, "jsonl"),
	       "header only: zero events");
	rt_free(t);

	t = rt_text("bom.jsonl", "\xef\xbb\xbf" HDR "{\"ts\":1,\"cpu\":0,\"pid\":1,\"op\":\"task_exit\"}\n",
		    &defaults);
	tap_ok(t->rc == 0 && t->n == 1, "a UTF-8 byte order mark is ignored (%s)", t->err);
	rt_free(t);

	rt_is_err(rt_text("nohdr.jsonl",
			  "{\"ts\":1,\"cpu\":0,\"pid\":1,\"op\":\"task_exit\"}\n"
			  "{\"ts\":2,\"cpu\":0,\"pid\":1,\"op\":\"task_exit\"}\n", &defaults),
		  "1:1: expected the header line {\"format\": \"hmtrace\", \"version\": 1, ...} before the first event",
		  "JSON Lines without header: said so");
	/*
	 * {"ts":1,"cpu":0,"pid":1,"op":"kmap","pfn":-4}
	 * 123456789012345678901234567890123456789012345
	 */
	rt_is_err(rt_text("neg.jsonl", HDR "{\"ts\":1,\"cpu\":0,\"pid\":1,\"op\":\"kmap\",\"pfn\":-4}\n",
			  &defaults),
		  "2:43: event 0: \"pfn\" must be a non-negative integer or a hex string like \"0xff001000\"",
		  "negative pfn: points at the value");
	rt_is_err(rt_text("dup.jsonl", HDR "{\"ts\":1,\"cpu\":0,\"ts\":2}\n", &defaults),
		  "2:20: invalid JSON: duplicate object key near '\"ts\"'", "duplicate key: jansson's place");
	rt_is_err(rt_text("multi.jsonl", HDR "{\"ts\":1,\n\"cpu\":0}\n", &defaults),
		  "2:8: invalid JSON: string or '}' expected near end of file",
		  "an event split over lines is not JSON Lines");
}

static void test_errors(void)
{
	/* event objects at line 2, column 2 */
	const char *pre = "{\"format\":\"hmtrace\",\"version\":1,\"meta\":{\"nr_cpus\":2},\"events\":[\n";
	char buf[1024];
	struct hm_reader_opts lenient = { .lenient = true };
	struct rt_trace *t;

#define EV(name, body, want)                                                   \
	do {                                                                   \
		snprintf(buf, sizeof(buf), "%s %s\n]}\n", pre, body);          \
		rt_is_err(rt_text(name ".json", buf, &defaults), want, name);  \
	} while (0)

	/*            1         2         3         4         5         6
	 *   123456789012345678901234567890123456789012345678901234567890 */
	EV("cpu-string", "{\"ts\":1,\"cpu\":\"0\",\"pid\":1,\"op\":\"kmap\",\"pfn\":5}",
	   "2:16: event 0: \"cpu\" must be a non-negative integer");
	EV("cpu-beyond", "{\"ts\":1,\"cpu\":2,\"pid\":1,\"op\":\"kmap\",\"pfn\":5}",
	   "2:16: event 0: \"cpu\" 2 is not below the CPU count 2 (meta \"nr_cpus\")");
	EV("ts-float", "{\"ts\":1.5,\"cpu\":0,\"pid\":1,\"op\":\"kmap\",\"pfn\":5}",
	   "2:8: event 0: \"ts\" must be a non-negative integer");
	EV("ts-exp", "{\"ts\":1e3,\"cpu\":0,\"pid\":1,\"op\":\"kmap\",\"pfn\":5}",
	   "2:8: event 0: \"ts\" must be a non-negative integer");
	EV("ts-missing", "{\"cpu\":0,\"pid\":1,\"op\":\"kmap\",\"pfn\":5}",
	   "2:2: event 0: missing required field \"ts\"");
	EV("op-missing", "{\"ts\":1,\"cpu\":0,\"pid\":1}",
	   "2:2: event 0: missing required field \"op\"");
	EV("op-unknown", "{\"ts\":1,\"cpu\":0,\"pid\":1,\"op\":\"kmapp\"}",
	   "2:31: event 0: unknown op \"kmapp\"");
	EV("needs-operand", "{\"ts\":1,\"cpu\":0,\"pid\":1,\"op\":\"kunmap_local\"}",
	   "2:2: event 0: op \"kunmap_local\" needs \"vaddr\", \"pfn\" or \"page\"");
	EV("needs-next-pid", "{\"ts\":1,\"cpu\":0,\"pid\":1,\"op\":\"fork\"}",
	   "2:2: event 0: op \"fork\" needs \"next_pid\"");
	EV("needs-dest-cpu", "{\"ts\":1,\"cpu\":0,\"pid\":1,\"op\":\"migrate\"}",
	   "2:2: event 0: op \"migrate\" needs \"dest_cpu\"");
	EV("dest-beyond", "{\"ts\":1,\"cpu\":0,\"pid\":1,\"op\":\"migrate\",\"dest_cpu\":7}",
	   "2:52: event 0: \"dest_cpu\" 7 is not below the CPU count 2 (meta \"nr_cpus\")");
	EV("irq-task", "{\"ts\":1,\"cpu\":0,\"pid\":1,\"op\":\"irq_exit\",\"ctx\":\"task\"}",
	   "2:48: event 0: op \"irq_exit\" needs \"ctx\": \"hardirq\", \"softirq\" or \"nmi\"");
	EV("ctx-bad", "{\"ts\":1,\"cpu\":0,\"pid\":1,\"op\":\"kmap\",\"pfn\":1,\"ctx\":\"irq\"}",
	   "2:52: event 0: \"ctx\" must be \"task\", \"softirq\", \"hardirq\" or \"nmi\"");
	EV("ret-before", "{\"ts\":10,\"cpu\":0,\"pid\":1,\"op\":\"kmap\",\"pfn\":1,\"ret_ts\":9}",
	   "2:56: event 0: \"ret_ts\" must not be before \"ts\"");
	EV("vaddr-bad-hex", "{\"ts\":1,\"cpu\":0,\"pid\":1,\"op\":\"kmap\",\"vaddr\":\"ff00\"}",
	   "2:46: event 0: \"vaddr\" must be a non-negative integer or a hex string like \"0xff001000\"");
	EV("vaddr-none", "{\"ts\":1,\"cpu\":0,\"pid\":1,\"op\":\"kmap\",\"vaddr\":\"0xffffffffffffffff\"}",
	   "2:46: event 0: \"vaddr\" must be a non-negative integer or a hex string like \"0xff001000\"");
	EV("pid-big", "{\"ts\":1,\"cpu\":0,\"pid\":2147483648,\"op\":\"task_exit\"}",
	   "2:24: event 0: \"pid\" must be an integer from 0 to 2147483647");
	EV("comm-int", "{\"ts\":1,\"cpu\":0,\"pid\":1,\"comm\":5,\"op\":\"task_exit\"}",
	   "2:33: event 0: \"comm\" must be a string");
	EV("flag-str", "{\"ts\":1,\"cpu\":0,\"pid\":1,\"op\":\"task_exit\",\"irqs_off\":\"yes\"}",
	   "2:54: event 0: \"irqs_off\" must be true or false");
	EV("not-object", "5",
	   "2:2: event 0: expected an event object");
	EV("too-big", "{\"ts\":18446744073709551616,\"cpu\":0,\"pid\":1,\"op\":\"task_exit\"}",
	   "2:27: invalid JSON: too big integer near '18446744073709551616'");
	EV("bad-utf8", "{\"ts\":1,\"cpu\":0,\"pid\":1,\"op\":\"task_exit\",\"comm\":\"\xff\"}",
	   "2:50: invalid JSON: unable to decode byte 0xff near '\"'");

	/* pretty-printed: the error is on the third line of the object */
	rt_is_err(rt_text("pretty.json",
			  "{\"format\": \"hmtrace\", \"version\": 1, \"meta\": {}, \"events\": [\n"
			  "  {\"ts\": 1, \"cpu\": 0,\n"
			  "   \"pid\": 1,\n"
			  "   \"op\": \"kmap\", \"pfn\": true}\n"
			  "]}\n", &defaults),
		  "4:25: event 0: \"pfn\" must be a non-negative integer or a hex string like \"0xff001000\"",
		  "pretty-printed event: line and column inside the object");

	/* lenient: unknown ops are skipped and counted */
	snprintf(buf, sizeof(buf), "%s%s\n]}\n", pre,
		 "{\"ts\":1,\"cpu\":0,\"pid\":1,\"op\":\"kmap_future\"},\n"
		 "{\"ts\":2,\"cpu\":0,\"pid\":1,\"op\":\"task_exit\"}");
	t = rt_text("lenient.json", buf, &lenient);
	tap_ok(t->rc == 0 && t->n == 1 && t->skipped == 1 && t->ev[0].ts == 2 &&
	       t->ev[0].index == 0,
	       "lenient: unknown op skipped and counted (%s)", t->err);
	rt_free(t);
#undef EV
}

static void test_document_shape(void)
{
	struct rt_trace *t;

	/* keys sorted (as json.dump(sort_keys=True) and jq -S write them): events first */
	t = rt_text("sorted.json",
		    "{\"events\":[{\"cpu\":3,\"op\":\"task_exit\",\"pid\":1,\"ts\":5}],"
		    "\"format\":\"hmtrace\",\"meta\":{\"nr_cpus\":4},\"version\":1}", &defaults);
	tap_ok(t->rc == 0 && t->n == 1 && t->meta.nr_cpus == 4 && t->ev[0].cpu == 3,
	       "events before meta: meta still applies (%s)", t->err);
	rt_free(t);

	t = rt_text("sorted-beyond.json",
		    "{\"events\":[{\"cpu\":3,\"op\":\"task_exit\",\"pid\":1,\"ts\":5}],"
		    "\"format\":\"hmtrace\",\"meta\":{\"nr_cpus\":2},\"version\":1}", &defaults);
	tap_ok(t->rc == HM_EXIT_INPUT &&
	       strcmp(t->err, "1:19: event 0: \"cpu\" 3 is not below the CPU count 2 (meta \"nr_cpus\")") == 0,
	       "events before meta: nr_cpus checked against the later meta (%s)", t->err);
	rt_free(t);

	t = rt_text("nometa.json", "{\"format\":\"hmtrace\",\"version\":1,\"events\":[]}", &defaults);
	tap_ok(t->rc == 0 && t->n == 0 && t->meta.nr_cpus == 0, "no meta, no events (%s)", t->err);
	rt_free(t);

	t = rt_text("tail.json",
		    "{\"format\":\"hmtrace\",\"version\":1,\"meta\":{},\"events\":[],\"comment\":\"x\"}\n\n",
		    &defaults);
	tap_ok(t->rc == 0, "members after events are read (%s)", t->err);
	rt_free(t);

	rt_is_err(rt_text("dup-meta.json",
			  "{\"format\":\"hmtrace\",\"version\":1,\"meta\":{},\"events\":[],\"meta\":{}}",
			  &defaults),
		  "1:55: duplicate member \"meta\"", "a second meta after events");
	rt_is_err(rt_text("noevents.json", "{\"format\":\"hmtrace\",\n\"version\":1}\n",
			  &defaults),
		  "1:1: missing \"events\" in the trace document (use \"events\": [] for none)",
		  "a document needs events");
	rt_is_err(rt_text("wrongfmt.json", "{\"format\":\"ctf\",\"version\":1,\"events\":[]}",
			  &defaults),
		  "1:11: \"format\" must be \"hmtrace\"", "format must be hmtrace");
	rt_is_err(rt_text("arr.json", "[1,2]", &defaults),
		  "1:1: expected '{' to start the trace document, not '['", "an array is not a trace");
	rt_is_err(rt_text("eventsobj.json", "{\"format\":\"hmtrace\",\"version\":1,\"meta\":{},\"events\":{}}",
			  &defaults),
		  "1:52: \"events\" must be an array", "events must be an array");
	rt_is_err(rt_text("km.json", "{\"format\":\"hmtrace\",\"version\":1,\"meta\":{\"km_max_idx\":20},\"events\":[]}",
			  &defaults),
		  "1:54: meta: \"km_max_idx\" must be 16 or 33 (33 means CONFIG_DEBUG_KMAP_LOCAL)",
		  "km_max_idx 16 or 33");
}

static void test_profile(void)
{
	struct hm_trace_meta m;
	struct hm_profile p;
	struct hm_error err = { 0 };
	const struct hm_profile *base = hm_profile_find("x86-32");
	struct rt_trace *t;

	t = rt_text("prof.jsonl",
		    "{\"format\":\"hmtrace\",\"version\":1,\"meta\":{\"arch\":\"x86-32\",\"nr_cpus\":2,"
		    "\"last_pkmap\":256,\"km_max_idx\":33,\"highmem_start_pfn\":224254}}\n", &defaults);
	m = t->meta;
	rt_free(t);
	tap_ok(hm_profile_from_meta(&m, &p, &err) == 0 && base && !strcmp(p.name, "x86-32") &&
	       p.nr_cpus == 2 && p.last_pkmap == 256 && p.debug_kmap_local &&
	       p.highmem_start_pfn == 224254 && p.pkmap_base == base->pkmap_base &&
	       p.fixaddr_top == base->fixaddr_top, "profile from meta: overrides applied (%s)", err.msg);

	memset(&m, 0, sizeof(m));
	m.debug_kmap_local = -1;
	m.highmem_start_pfn = m.pkmap_base = m.fixaddr_top = HM_NONE;
	tap_ok(hm_profile_from_meta(&m, &p, &err) == 0 && !strcmp(p.name, "x86-32-pae") &&
	       p.last_pkmap == 512, "profile from meta: unset arch is x86-32-pae");

	snprintf(m.arch, sizeof(m.arch), "vax");
	tap_ok(hm_profile_from_meta(&m, &p, &err) < 0 && err.status == HM_EXIT_INPUT &&
	       strncmp(err.msg, "meta: unknown \"arch\" \"vax\" (known: x86-32-pae, x86-32, ", 51) == 0,
	       "profile from meta: unknown arch names the known ones (%s)", err.msg);

	m.arch[0] = '\0';
	m.last_pkmap = 100;
	tap_ok(hm_profile_from_meta(&m, &p, &err) < 0 &&
	       strstr(err.msg, "last_pkmap must be a power of two") != NULL,
	       "profile from meta: the model's checks apply (%s)", err.msg);
}

int main(void)
{
	test_profile();
	test_fields();
	test_jsonl();
	test_errors();
	test_document_shape();
	return tap_done();
}
