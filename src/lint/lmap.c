// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lmap.c - a u64 -> u32 hash map, open addressing with backward-shift
 * deletion, for hm-lint's per-trace tables (tasks, pages).
 */
#include <errno.h>
#include <stdlib.h>

#include "lint_priv.h"

static inline uint32_t lmap_hash(uint64_t x, uint32_t mask)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	return (uint32_t)x & mask;
}

int lmap_init(struct lmap *m)
{
	m->mask = 63;
	m->count = 0;
	m->keys = malloc((m->mask + 1) * sizeof(*m->keys));
	m->vals = malloc((m->mask + 1) * sizeof(*m->vals));
	m->used = calloc(m->mask + 1, sizeof(*m->used));
	if (!m->keys || !m->vals || !m->used) {
		lmap_free(m);
		return -ENOMEM;
	}
	return 0;
}

void lmap_free(struct lmap *m)
{
	free(m->keys);
	free(m->vals);
	free(m->used);
	m->keys = NULL;
	m->vals = NULL;
	m->used = NULL;
}

uint32_t lmap_get(const struct lmap *m, uint64_t key)
{
	uint32_t b = lmap_hash(key, m->mask);

	while (m->used[b]) {
		if (m->keys[b] == key)
			return m->vals[b];
		b = (b + 1) & m->mask;
	}
	return UINT32_MAX;
}

static int lmap_grow(struct lmap *m)
{
	struct lmap n = { .mask = m->mask * 2 + 1 };

	n.keys = malloc((n.mask + 1) * sizeof(*n.keys));
	n.vals = malloc((n.mask + 1) * sizeof(*n.vals));
	n.used = calloc(n.mask + 1, sizeof(*n.used));
	if (!n.keys || !n.vals || !n.used) {
		lmap_free(&n);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i <= m->mask; i++)
		if (m->used[i])
			lmap_put(&n, m->keys[i], m->vals[i]);
	lmap_free(m);
	*m = n;
	return 0;
}

int lmap_put(struct lmap *m, uint64_t key, uint32_t val)
{
	uint32_t b;

	if ((m->count + 1) * 2 > m->mask + 1 && lmap_grow(m))
		return -ENOMEM;
	b = lmap_hash(key, m->mask);
	while (m->used[b]) {
		if (m->keys[b] == key) {
			m->vals[b] = val;
			return 0;
		}
		b = (b + 1) & m->mask;
	}
	m->used[b] = true;
	m->keys[b] = key;
	m->vals[b] = val;
	m->count++;
	return 0;
}

void lmap_del(struct lmap *m, uint64_t key)
{
	uint32_t b = lmap_hash(key, m->mask);
	uint32_t next;

	while (m->used[b] && m->keys[b] != key)
		b = (b + 1) & m->mask;
	if (!m->used[b])
		return;
	m->count--;
	for (;;) {
		m->used[b] = false;
		next = b;
		for (;;) {
			uint32_t home;

			next = (next + 1) & m->mask;
			if (!m->used[next])
				return;
			home = lmap_hash(m->keys[next], m->mask);
			/* the entry at next may move to b only if b lies in [home, next) */
			if (((next - home) & m->mask) >= ((next - b) & m->mask))
				break;
		}
		m->used[b] = true;
		m->keys[b] = m->keys[next];
		m->vals[b] = m->vals[next];
		b = next;
	}
}
