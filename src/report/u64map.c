// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * u64map.c - linear probing with backward-shift deletion, so removals leave
 * no tombstones and a map that churns (pending sleeps, live mappings) never
 * needs rebuilding.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hm_u64map.h"

static uint32_t hash64(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdull;
	k ^= k >> 33;
	k *= 0xc4ceb9fe1a85ec53ull;
	k ^= k >> 33;
	return (uint32_t)k;
}

void hm_u64map_init(struct hm_u64map *m)
{
	memset(m, 0, sizeof(*m));
}

void hm_u64map_fini(struct hm_u64map *m)
{
	free(m->slots);
	memset(m, 0, sizeof(*m));
}

uint32_t *hm_u64map_get(const struct hm_u64map *m, uint64_t key)
{
	uint32_t i;

	if (!m->cap)
		return NULL;
	for (i = hash64(key) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		struct hm_u64map_slot *s = &m->slots[i];

		if (!s->used)
			return NULL;
		if (s->key == key)
			return &s->val;
	}
}

static void insert(struct hm_u64map_slot *slots, uint32_t cap, uint64_t key, uint32_t val)
{
	uint32_t i;

	for (i = hash64(key) & (cap - 1); slots[i].used; i = (i + 1) & (cap - 1))
		;
	slots[i].key = key;
	slots[i].val = val;
	slots[i].used = 1;
}

static int grow(struct hm_u64map *m)
{
	uint32_t cap = m->cap ? m->cap * 2 : 64, i;
	struct hm_u64map_slot *slots;

	if (cap < m->cap)
		return -ENOMEM;
	slots = calloc(cap, sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	for (i = 0; i < m->cap; i++)
		if (m->slots[i].used)
			insert(slots, cap, m->slots[i].key, m->slots[i].val);
	free(m->slots);
	m->slots = slots;
	m->cap = cap;
	return 0;
}

int hm_u64map_put(struct hm_u64map *m, uint64_t key, uint32_t val)
{
	uint32_t *v = hm_u64map_get(m, key);

	if (v) {
		*v = val;
		return 0;
	}
	/* keep the load under 1/2: probes stay short */
	if ((m->len + 1) * 2 > m->cap && grow(m))
		return -ENOMEM;
	insert(m->slots, m->cap, key, val);
	m->len++;
	return 0;
}

bool hm_u64map_del(struct hm_u64map *m, uint64_t key)
{
	uint32_t i, j, mask = m->cap - 1;

	if (!m->cap)
		return false;
	for (i = hash64(key) & mask;; i = (i + 1) & mask) {
		if (!m->slots[i].used)
			return false;
		if (m->slots[i].key == key)
			break;
	}
	/* shift later members of the cluster back over the hole */
	for (j = (i + 1) & mask; m->slots[j].used; j = (j + 1) & mask) {
		uint32_t home = hash64(m->slots[j].key) & mask;

		/* move j to i unless its home lies cyclically in (i, j] */
		if (i <= j ? (home <= i || home > j) : (home <= i && home > j)) {
			m->slots[i] = m->slots[j];
			i = j;
		}
	}
	m->slots[i].used = 0;
	m->len--;
	return true;
}
