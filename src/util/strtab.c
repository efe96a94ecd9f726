// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * strtab.c - interned strings (comm names, call sites) as small ids, so events
 * stay fixed-size and comparisons are integer compares.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hm_util.h"

struct hm_strtab {
	char **strs;		/* id -> string; strs[0] = "" */
	uint32_t *lens;
	uint32_t count;
	uint32_t cap;
	uint32_t *slots;	/* open addressing: id, 0 = empty */
	uint32_t nslots;	/* power of two */
};

/* FNV-1a: strings are short (comm is 16 bytes, sites rarely 80). */
static uint32_t str_hash(const char *s, size_t len)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

struct hm_strtab *hm_strtab_new(void)
{
	struct hm_strtab *tab = calloc(1, sizeof(*tab));

	if (!tab)
		return NULL;
	tab->cap = 64;
	tab->strs = calloc(tab->cap, sizeof(*tab->strs));
	tab->lens = calloc(tab->cap, sizeof(*tab->lens));
	tab->nslots = 128;
	tab->slots = calloc(tab->nslots, sizeof(*tab->slots));
	if (!tab->strs || !tab->lens || !tab->slots) {
		hm_strtab_free(tab);
		errno = ENOMEM;
		return NULL;
	}
	tab->strs[0] = strdup("");
	if (!tab->strs[0]) {
		hm_strtab_free(tab);
		errno = ENOMEM;
		return NULL;
	}
	tab->count = 1;
	return tab;
}

void hm_strtab_free(struct hm_strtab *tab)
{
	if (!tab)
		return;
	for (uint32_t i = 0; i < tab->count; i++)
		free(tab->strs[i]);
	free(tab->strs);
	free(tab->lens);
	free(tab->slots);
	free(tab);
}

static int strtab_rehash(struct hm_strtab *tab)
{
	uint32_t n = tab->nslots * 2;
	uint32_t *slots = calloc(n, sizeof(*slots));

	if (!slots)
		return -ENOMEM;
	for (uint32_t id = 1; id < tab->count; id++) {
		uint32_t h = str_hash(tab->strs[id], tab->lens[id]) & (n - 1);

		while (slots[h])
			h = (h + 1) & (n - 1);
		slots[h] = id;
	}
	free(tab->slots);
	tab->slots = slots;
	tab->nslots = n;
	return 0;
}

uint32_t hm_strtab_intern(struct hm_strtab *tab, const char *s, size_t len)
{
	uint32_t h, id;
	char *copy;

	if (len == 0)
		return 0;
	if (len > UINT32_MAX - 1)
		return UINT32_MAX;
	h = str_hash(s, len) & (tab->nslots - 1);
	while ((id = tab->slots[h])) {
		if (tab->lens[id] == len && memcmp(tab->strs[id], s, len) == 0)
			return id;
		h = (h + 1) & (tab->nslots - 1);
	}
	if (tab->count == UINT32_MAX - 1)
		return UINT32_MAX;
	if (tab->count == tab->cap) {
		uint32_t cap = tab->cap * 2;
		char **strs = realloc(tab->strs, cap * sizeof(*strs));

		if (!strs)
			return UINT32_MAX;
		tab->strs = strs;
		uint32_t *lens = realloc(tab->lens, cap * sizeof(*lens));

		if (!lens)
			return UINT32_MAX;
		tab->lens = lens;
		tab->cap = cap;
	}
	copy = malloc(len + 1);
	if (!copy)
		return UINT32_MAX;
	memcpy(copy, s, len);
	copy[len] = '\0';
	id = tab->count++;
	tab->strs[id] = copy;
	tab->lens[id] = (uint32_t)len;
	tab->slots[h] = id;
	/* keep the load factor under 1/2 so probes stay short */
	if (tab->count * 2 > tab->nslots && strtab_rehash(tab)) {
		tab->count--;
		tab->slots[h] = 0;
		free(copy);
		return UINT32_MAX;
	}
	return id;
}

const char *hm_strtab_get(const struct hm_strtab *tab, uint32_t id)
{
	if (!tab || id >= tab->count)
		return "";
	return tab->strs[id];
}

uint32_t hm_strtab_count(const struct hm_strtab *tab)
{
	return tab->count;
}
