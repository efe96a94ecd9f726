/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hm_lockorder.h - put overlapping kmap_lock calls from several CPUs back in
 * the order the kernel took the lock.
 *
 * Ownership: the queue copies events in and out and owns its buffer; it only
 * borrows the model for the duration of hm_lockorder_pop().
 *
 * A trace orders calls by entry time, but two CPUs that enter kmap_high()
 * together take kmap_lock in either order.  Where the calls overlap (entry to
 * return) and carry observed addresses, the order that reproduces those
 * addresses is the one the kernel took.
 */
#ifndef HM_LOCKORDER_H
#define HM_LOCKORDER_H

#include <stdbool.h>

#include "hm_model.h"

struct hm_lockorder;

/* Most later calls a call may have let take the lock before it. */
#define HM_LOCKORDER_WINDOW 1024

struct hm_lockorder *hm_lockorder_new(void);
void hm_lockorder_free(struct hm_lockorder *lo);

/**
 * hm_lockorder_push() - queue the next event of the trace
 * Return: 0, or -ENOMEM.
 */
int hm_lockorder_push(struct hm_lockorder *lo, const struct hm_event *ev);

/**
 * hm_lockorder_pop() - take the next event whose place is decided
 * @lo: the queue
 * @model: the replay's model, having applied every event popped so far
 * @final: the trace has ended: decide everything
 * @ev: filled with the event
 *
 * Return: 1 with @ev filled, 0 when nothing is ready yet (push more), or
 * -ENOMEM.
 */
int hm_lockorder_pop(struct hm_lockorder *lo, const struct hm_model *model, bool final,
		     struct hm_event *ev);

/* Calls moved from trace order to the order the observed addresses require. */
uint64_t hm_lockorder_moved(const struct hm_lockorder *lo);

#endif /* HM_LOCKORDER_H */
