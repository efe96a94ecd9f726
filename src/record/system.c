// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * system.c - what the recording machine says about itself, for the trace's
 * meta: the kernel's highmem layout (from its configuration), the CPUs, and
 * where highmem starts (the HighMem zone of /proc/zoneinfo).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "hm_record.h"

struct kconfig {
	bool known;
	bool x86_32, x86_64, highmem4g, highmem64g, debug_kmap_local;
};

/* CONFIG_FOO=y lines; gzopen() reads plain files too. */
static void read_config(const char *path, struct kconfig *c)
{
	char line[512];
	gzFile f;

	memset(c, 0, sizeof(*c));
	if (!path)
		return;
	f = gzopen(path, "rb");
	if (!f)
		return;
	while (gzgets(f, line, sizeof(line))) {
		static const struct {
			const char *key;
			size_t off;
		} keys[] = {
			{ "CONFIG_X86_32=y", offsetof(struct kconfig, x86_32) },
			{ "CONFIG_X86_64=y", offsetof(struct kconfig, x86_64) },
			{ "CONFIG_HIGHMEM4G=y", offsetof(struct kconfig, highmem4g) },
			{ "CONFIG_HIGHMEM64G=y", offsetof(struct kconfig, highmem64g) },
			{ "CONFIG_DEBUG_KMAP_LOCAL=y", offsetof(struct kconfig, debug_kmap_local) },
		};

		line[strcspn(line, "\r\n")] = '\0';
		if (strncmp(line, "CONFIG_", 7) == 0 || strncmp(line, "# CONFIG_", 9) == 0)
			c->known = true;
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			if (strcmp(line, keys[i].key) == 0)
				*(bool *)((char *)c + keys[i].off) = true;
	}
	gzclose(f);
}

/* "Node 0, zone  HighMem" ... "  start_pfn:           225278" */
static uint64_t highmem_start(const char *path)
{
	char line[256];
	bool in_high = false;
	uint64_t pfn = HM_NONE;
	FILE *fp;

	if (!path || !(fp = fopen(path, "re")))
		return HM_NONE;
	while (fgets(line, sizeof(line), fp)) {
		char *p;

		if (strncmp(line, "Node ", 5) == 0) {
			in_high = strstr(line, "zone  HighMem") || strstr(line, "zone HighMem");
			continue;
		}
		p = line + strspn(line, " \t");
		if (in_high && strncmp(p, "start_pfn:", 10) == 0) {
			unsigned long long v = strtoull(p + 10, NULL, 10);

			/* with several nodes, the lowest one */
			if (pfn == HM_NONE || v < pfn)
				pfn = v;
		}
	}
	fclose(fp);
	return pfn;
}

/* "0-3", "0", "0-1,3": the highest CPU number plus one */
static uint32_t possible_cpus(const char *path)
{
	char line[256], *p;
	unsigned long max = 0;
	bool any = false;
	FILE *fp;

	if (!path || !(fp = fopen(path, "re")))
		return 0;
	if (!fgets(line, sizeof(line), fp)) {
		fclose(fp);
		return 0;
	}
	fclose(fp);
	for (p = line; *p && *p != '\n';) {
		char *end;
		unsigned long v = strtoul(p, &end, 10);

		if (end == p)
			break;
		any = true;
		if (v > max)
			max = v;
		p = end + strspn(end, ",-");
	}
	return any && max < 4096 ? (uint32_t)max + 1 : 0;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && strcmp(s + a - b, suffix) == 0;
}

int hm_record_meta_fill(struct hm_trace_meta *m, const struct hm_record_sys *sys,
			const char *arch, struct hm_error *err)
{
	const struct hm_profile *p = NULL;
	struct kconfig c;

	memset(m, 0, sizeof(*m));
	m->debug_kmap_local = -1;
	m->highmem_start_pfn = HM_NONE;
	m->pkmap_base = HM_NONE;
	m->fixaddr_top = HM_NONE;
	snprintf(m->clock, sizeof(m->clock), "mono");
	if (sys->release)
		snprintf(m->kernel, sizeof(m->kernel), "%s", sys->release);
	m->nr_cpus = possible_cpus(sys->cpus);
	m->highmem_start_pfn = highmem_start(sys->zoneinfo);
	read_config(sys->config, &c);
	if (c.known) {
		m->debug_kmap_local = c.debug_kmap_local;
		m->km_max_idx = c.debug_kmap_local ? 33 : 16;
	}
	if (arch) {
		p = hm_profile_find(arch);
		if (!p)
			return hm_error_set(err, HM_EXIT_USAGE, NULL,
					    "--arch: unknown profile \"%s\" (hm-replay --list-profiles)",
					    arch);
	} else if (c.known && c.x86_32 && c.highmem64g) {
		p = hm_profile_find("x86-32-pae");
	} else if (c.known && c.x86_32 && c.highmem4g) {
		p = hm_profile_find("x86-32");
	} else if (!c.known && sys->release && ends_with(sys->release, "-686-pae")) {
		p = hm_profile_find("x86-32-pae");	/* Debian's flavour names */
	} else if (!c.known && sys->release && ends_with(sys->release, "-686")) {
		p = hm_profile_find("x86-32");
	}
	if (!p) {
		if (c.known)
			hm_error_set(err, HM_EXIT_OK, NULL, "the kernel's configuration names no highmem layout hmtrace has a profile for: the trace names none (give --arch)");
		else
			hm_error_set(err, HM_EXIT_OK, NULL, "the kernel's configuration is not readable (%s): the trace names no profile (give --arch)",
				     sys->config ? sys->config : "none");
		return -ENOENT;
	}
	snprintf(m->arch, sizeof(m->arch), "%s", p->name);
	m->last_pkmap = p->last_pkmap;
	return 0;
}
