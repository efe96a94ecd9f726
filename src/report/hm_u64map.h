/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hm_u64map.h - a small open-addressing hash from 64-bit keys to 32-bit values,
 * used by src/report and the replay driver (exported with hm_report_dep).
 *
 * Ownership: the map owns its slot array; hm_u64map_fini() frees it.  Once the
 * map has grown to the working set, put/del allocate nothing.
 */
#ifndef HM_U64MAP_H
#define HM_U64MAP_H

#include <stdbool.h>
#include <stdint.h>

struct hm_u64map_slot {
	uint64_t key;
	uint32_t val;
	uint32_t used;
};

struct hm_u64map {
	struct hm_u64map_slot *slots;
	uint32_t cap;		/* power of two, or 0 */
	uint32_t len;
};

/**
 * hm_u64map_init() - an empty map (allocates nothing until the first put)
 * @m: the map
 */
void hm_u64map_init(struct hm_u64map *m);

/**
 * hm_u64map_fini() - free a map's slots; it is empty afterwards
 * @m: the map
 */
void hm_u64map_fini(struct hm_u64map *m);

/**
 * hm_u64map_get() - look a key up
 * @m: the map
 * @key: the key
 *
 * Return: a pointer to its value, valid until the next put or del, or NULL.
 */
uint32_t *hm_u64map_get(const struct hm_u64map *m, uint64_t key);

/**
 * hm_u64map_put() - set a key's value, adding the key if need be
 * @m: the map
 * @key: the key
 * @val: the value
 *
 * Return: 0, or -ENOMEM when the map could not grow.
 */
int hm_u64map_put(struct hm_u64map *m, uint64_t key, uint32_t val);

/**
 * hm_u64map_del() - remove a key
 * @m: the map
 * @key: the key
 *
 * Return: true if it was there.
 */
bool hm_u64map_del(struct hm_u64map *m, uint64_t key);

#endif /* HM_U64MAP_H */
