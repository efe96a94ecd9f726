// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ksyms.c - the kernel's symbols from /proc/kallsyms and /proc/modules:
 * whether the probed functions exist, where the per-CPU preempt count is,
 * and call sites named the way ftrace names them ("func+0xoff/0xsize [mod]").
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "hm_record.h"

struct hm_ksym {
	uint64_t addr;
	uint32_t name;		/* offset in names */
	uint32_t mod;		/* 0: the core kernel, else 1 + index in mods */
};

struct hm_kmod {
	uint64_t base;
	uint64_t size;
	uint32_t name;		/* offset in names */
};

struct hm_ksyms {
	char *kallsyms;
	char *modules;
	struct hm_ksym *syms;	/* sorted by address */
	size_t nr_syms;
	struct hm_kmod *mods;
	size_t nr_mods;
	char *names;
	size_t names_len, names_cap;
	uint64_t etext;		/* end of the core kernel's text, 0 if unknown */
	bool have_addrs;
};

static int names_add(struct hm_ksyms *k, const char *s, size_t len, uint32_t *off)
{
	if (k->names_len + len + 1 > k->names_cap) {
		size_t cap = k->names_cap ? k->names_cap * 2 : 1 << 16;
		char *n;

		while (cap < k->names_len + len + 1)
			cap *= 2;
		if (cap > UINT32_MAX)
			return -ENOMEM;
		n = realloc(k->names, cap);
		if (!n)
			return -ENOMEM;
		k->names = n;
		k->names_cap = cap;
	}
	memcpy(k->names + k->names_len, s, len);
	k->names[k->names_len + len] = '\0';
	*off = (uint32_t)k->names_len;
	k->names_len += len + 1;
	return 0;
}

static int sym_cmp(const void *a, const void *b)
{
	const struct hm_ksym *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	/* the core kernel before modules, then file order is lost: by name offset */
	if (x->mod != y->mod)
		return x->mod < y->mod ? -1 : 1;
	return x->name < y->name ? -1 : x->name > y->name;
}

/* "minix 36864 0 - Live 0xf8a3e000" */
static int read_modules(struct hm_ksyms *k, const char *path)
{
	FILE *fp = fopen(path, "re");
	char line[4096];
	size_t cap = 0;

	if (!fp)
		return errno == ENOENT ? 0 : -errno;	/* a kernel without modules */
	while (fgets(line, sizeof(line), fp)) {
		char name[64];
		unsigned long long size, base;
		struct hm_kmod *m;

		if (sscanf(line, "%63s %llu %*s %*s %*s %llx", name, &size, &base) != 3)
			continue;
		if (k->nr_mods == cap) {
			cap = cap ? cap * 2 : 64;
			m = realloc(k->mods, cap * sizeof(*m));
			if (!m) {
				fclose(fp);
				return -ENOMEM;
			}
			k->mods = m;
		}
		m = &k->mods[k->nr_mods];
		m->base = base;
		m->size = size;
		if (names_add(k, name, strlen(name), &m->name)) {
			fclose(fp);
			return -ENOMEM;
		}
		k->nr_mods++;
	}
	fclose(fp);
	return 0;
}

static uint32_t mod_index(struct hm_ksyms *k, const char *name, size_t len)
{
	for (size_t i = 0; i < k->nr_mods; i++) {
		const char *m = k->names + k->mods[i].name;

		if (strlen(m) == len && memcmp(m, name, len) == 0)
			return (uint32_t)i + 1;
	}
	return UINT32_MAX;	/* a module /proc/modules did not list */
}

/* "c1234567 T kmap_high" or "f8a3e000 t dir_get_page.isra.0\t[minix]" */
static int read_kallsyms(struct hm_ksyms *k, const char *path)
{
	FILE *fp = fopen(path, "re");
	char line[1024];
	size_t cap = 0;

	if (!fp)
		return -errno;
	while (fgets(line, sizeof(line), fp)) {
		char *p = line, *end, *name, *mod;
		unsigned long long addr;
		struct hm_ksym *s;
		size_t nlen;

		errno = 0;
		addr = strtoull(p, &end, 16);
		if (end == p || *end != ' ' || errno)
			continue;
		p = end + 1;
		if (!*p || p[1] != ' ')
			continue;
		name = p + 2;
		nlen = strcspn(name, " \t\n");
		if (!nlen)
			continue;
		mod = name + nlen;
		mod += strspn(mod, " \t");
		if (k->nr_syms == cap) {
			cap = cap ? cap * 2 : 1 << 15;
			s = realloc(k->syms, cap * sizeof(*s));
			if (!s) {
				fclose(fp);
				return -ENOMEM;
			}
			k->syms = s;
		}
		s = &k->syms[k->nr_syms];
		s->addr = addr;
		s->mod = 0;
		if (*mod == '[') {
			size_t mlen = strcspn(mod + 1, "]");

			s->mod = mod_index(k, mod + 1, mlen);
		}
		if (names_add(k, name, nlen, &s->name)) {
			fclose(fp);
			return -ENOMEM;
		}
		if (addr)
			k->have_addrs = true;
		if (s->mod == 0 && nlen == 6 && memcmp(name, "_etext", 6) == 0)
			k->etext = addr;
		k->nr_syms++;
	}
	if (ferror(fp)) {
		fclose(fp);
		return -EIO;
	}
	fclose(fp);
	qsort(k->syms, k->nr_syms, sizeof(*k->syms), sym_cmp);
	return 0;
}

static void ksyms_clear(struct hm_ksyms *k)
{
	free(k->syms);
	free(k->mods);
	free(k->names);
	k->syms = NULL;
	k->mods = NULL;
	k->names = NULL;
	k->nr_syms = k->nr_mods = 0;
	k->names_len = k->names_cap = 0;
	k->etext = 0;
	k->have_addrs = false;
}

static int ksyms_read(struct hm_ksyms *k)
{
	int ret = 0;

	if (k->modules)
		ret = read_modules(k, k->modules);
	if (!ret)
		ret = read_kallsyms(k, k->kallsyms);
	return ret;
}

struct hm_ksyms *hm_ksyms_load(const char *kallsyms, const char *modules, struct hm_error *err)
{
	struct hm_ksyms *k = calloc(1, sizeof(*k));
	int ret;

	if (!k || !(k->kallsyms = strdup(kallsyms)) || (modules && !(k->modules = strdup(modules)))) {
		hm_ksyms_free(k);
		hm_error_set(err, HM_EXIT_SYSTEM, NULL, "out of memory");
		return NULL;
	}
	ret = ksyms_read(k);
	if (ret) {
		hm_error_set(err, HM_EXIT_SYSTEM, NULL, "cannot read %s: %s",
			     ret == -ENOMEM ? "the kernel symbols" : kallsyms, strerror(-ret));
		hm_ksyms_free(k);
		return NULL;
	}
	return k;
}

int hm_ksyms_reload(struct hm_ksyms *k)
{
	struct hm_ksyms n = { .kallsyms = k->kallsyms, .modules = k->modules };
	int ret = ksyms_read(&n);

	if (ret) {
		ksyms_clear(&n);
		return ret;
	}
	ksyms_clear(k);
	*k = n;
	return 0;
}

void hm_ksyms_free(struct hm_ksyms *k)
{
	if (!k)
		return;
	ksyms_clear(k);
	free(k->kallsyms);
	free(k->modules);
	free(k);
}

bool hm_ksyms_has(const struct hm_ksyms *k, const char *name)
{
	for (size_t i = 0; i < k->nr_syms; i++)
		if (strcmp(k->names + k->syms[i].name, name) == 0)
			return true;
	return false;
}

uint64_t hm_ksyms_addr(const struct hm_ksyms *k, const char *name)
{
	for (size_t i = 0; i < k->nr_syms; i++)
		if (k->syms[i].mod == 0 && strcmp(k->names + k->syms[i].name, name) == 0)
			return k->syms[i].addr;
	return 0;
}

bool hm_ksyms_have_addrs(const struct hm_ksyms *k)
{
	return k->have_addrs;
}

int hm_ksyms_site(const struct hm_ksyms *k, uint64_t addr, char *buf, size_t len)
{
	const struct hm_kmod *mod = NULL;
	uint32_t modid = 0;
	uint64_t end = 0;
	size_t lo = 0, hi = k->nr_syms, i;

	snprintf(buf, len, "0x%" PRIx64, addr);
	if (!k->have_addrs || !addr)
		return -ENOENT;
	for (size_t m = 0; m < k->nr_mods; m++) {
		if (addr >= k->mods[m].base && addr - k->mods[m].base < k->mods[m].size) {
			mod = &k->mods[m];
			modid = (uint32_t)m + 1;
			end = mod->base + mod->size;
			break;
		}
	}
	if (!mod) {
		if (k->etext && addr >= k->etext)
			return -ENOENT;
		end = k->etext;
	}
	/* the last symbol at or below addr */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (k->syms[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return -ENOENT;
	i = lo - 1;
	/* several names at one address: the first of the same module */
	while (i > 0 && k->syms[i - 1].addr == k->syms[i].addr)
		i--;
	for (; i < lo && k->syms[i].mod != modid; i++)
		;
	if (i == lo || (mod && k->syms[i].addr < mod->base))
		return -ENOENT;
	/* its size: up to the next symbol, as kallsyms_lookup_size_offset() counts */
	for (size_t j = lo; j < k->nr_syms; j++) {
		if (k->syms[j].addr > k->syms[i].addr && k->syms[j].mod == modid) {
			end = k->syms[j].addr;
			break;
		}
	}
	if (end <= k->syms[i].addr)
		return -ENOENT;
	if (mod)
		snprintf(buf, len, "%s+0x%" PRIx64 "/0x%" PRIx64 " [%s]", k->names + k->syms[i].name,
			 addr - k->syms[i].addr, end - k->syms[i].addr, k->names + mod->name);
	else
		snprintf(buf, len, "%s+0x%" PRIx64 "/0x%" PRIx64, k->names + k->syms[i].name,
			 addr - k->syms[i].addr, end - k->syms[i].addr);
	return 0;
}
