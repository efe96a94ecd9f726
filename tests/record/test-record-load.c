// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-record-load.c - the BPF objects built for this machine's
 * architecture, fixed and CO-RE, pass this kernel's verifier: open, load,
 * nothing attached.  Needs root and BPF: skips (77) without them.  The i386
 * objects are checked in the guest by the record-live tests.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "hm_record_abi.h"
#include HM_SKEL_FIXED
#include HM_SKEL_CORE
#include "tap.h"

static char log_tail[4096];

/* keep the end of libbpf's messages: the verifier's reason comes last */
static int keep_log(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char line[1024];
	size_t n, have = strlen(log_tail);

	(void)level;
	vsnprintf(line, sizeof(line), fmt, ap);
	n = strlen(line);
	if (have + n + 1 > sizeof(log_tail)) {
		size_t drop = have + n + 1 - sizeof(log_tail);

		memmove(log_tail, log_tail + drop, have - drop + 1);
	}
	strcat(log_tail, line);
	return 0;
}

int main(void)
{
	struct hm_record_fixed *f;
	struct hm_record_core *c;
	int ret;

	if (geteuid() != 0) {
		printf("1..0 # SKIP not root\n");
		return 77;
	}
	libbpf_set_print(keep_log);
	f = hm_record_fixed__open();
	if (!f) {
		printf("1..0 # SKIP cannot open the BPF object: %s\n", strerror(errno));
		return 77;
	}
	ret = hm_record_fixed__load(f);
	if (ret == -EPERM || ret == -ENOSYS) {
		printf("1..0 # SKIP BPF not available here: %s\n", strerror(-ret));
		hm_record_fixed__destroy(f);
		return 77;
	}
	if (!tap_ok(ret == 0, "the fixed " HM_RECORD_ARCH " object loads: %s", strerror(-ret)))
		tap_diag("%s", log_tail);
	tap_ok(ret == 0 && f->bss->hm_on == 0, "it starts switched off");
	hm_record_fixed__destroy(f);

	log_tail[0] = '\0';
	if (access("/sys/kernel/btf/vmlinux", R_OK)) {
		tap_ok(1, "the CO-RE object # SKIP no /sys/kernel/btf/vmlinux");
		return tap_done();
	}
	c = hm_record_core__open();
	ret = c ? hm_record_core__load(c) : -errno;
	if (!tap_ok(ret == 0, "the CO-RE " HM_RECORD_ARCH " object relocates against this kernel's BTF and loads: %s", strerror(-ret)))
		tap_diag("%s", log_tail);
	hm_record_core__destroy(c);
	return tap_done();
}
