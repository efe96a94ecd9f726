// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-u64map.c - the hash behind the report's tables and the what-if
 * scheduler: random puts and deletes against a plain array, so that
 * backward-shift deletion never loses a key that shares a cluster.
 */
#include <stdlib.h>

#include "hm_u64map.h"
#include "../tap.h"

#define KEYS 4096

int main(void)
{
	static uint32_t ref[KEYS];	/* 0: absent, else value + 1 */
	struct hm_u64map m;
	uint64_t state = 12345;
	int wrong = 0, len_wrong = 0;
	uint32_t len = 0;

	hm_u64map_init(&m);
	tap_ok(hm_u64map_get(&m, 7) == NULL, "an empty map has no keys");
	tap_ok(!hm_u64map_del(&m, 7), "deleting from an empty map finds nothing");
	for (int step = 0; step < 200000; step++) {
		uint32_t k, v;
		/* keys that collide: multiples of 64 share low bits */
		state = state * 6364136223846793005ull + 1442695040888963407ull;
		k = (uint32_t)(state >> 33) % KEYS;
		v = (uint32_t)(state >> 13) & 0xffff;
		if ((state >> 60) < 9) {
			if (!ref[k])
				len++;
			ref[k] = v + 1;
			if (hm_u64map_put(&m, (uint64_t)k << 6, v))
				wrong++;
		} else {
			bool had = hm_u64map_del(&m, (uint64_t)k << 6);

			if (had != (ref[k] != 0))
				wrong++;
			if (ref[k])
				len--;
			ref[k] = 0;
		}
		if (m.len != len)
			len_wrong++;
	}
	for (uint32_t k = 0; k < KEYS; k++) {
		uint32_t *p = hm_u64map_get(&m, (uint64_t)k << 6);

		if (ref[k] ? !p || *p != ref[k] - 1 : p != NULL)
			wrong++;
	}
	tap_ok(wrong == 0, "200000 random puts and deletes agree with a plain array");
	tap_ok(len_wrong == 0, "the length follows every put and delete");
	tap_ok(m.len * 2 <= m.cap, "the load stays at most 1/2 (%u of %u)", m.len, m.cap);
	hm_u64map_fini(&m);
	tap_ok(m.cap == 0 && m.slots == NULL, "fini leaves an empty map");
	return tap_done();
}
