// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lockorder.c - infer the order in which overlapping calls took kmap_lock.
 *
 * Events wait in a queue until every call that could have taken the lock
 * before the head has been read (the trace is in entry order, so that is once
 * an event starts after the head returned).  Then the head is placed where
 * the observed addresses say it took the lock.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hm_lockorder.h"

struct qent {
	struct hm_event ev;
	bool decided;
};

struct hm_lockorder {
	struct qent *q;
	size_t head, len, cap;	/* ring buffer */
	uint64_t moved;
	uint64_t newest_ts;
};

/* Calls that take kmap_lock: their relative order decides pool addresses. */
static bool takes_kmap_lock(const struct hm_event *ev)
{
	switch (ev->op) {
	case HM_OP_KMAP:
	case HM_OP_KUNMAP:
	case HM_OP_KMAP_HIGH_GET:
	case HM_OP_KMAP_FLUSH_UNUSED:
		return true;
	default:
		return false;
	}
}

static uint64_t end_ts(const struct hm_event *ev)
{
	return ev->ret_ts != HM_NONE && ev->ret_ts > ev->ts ? ev->ret_ts : ev->ts;
}

struct hm_lockorder *hm_lockorder_new(void)
{
	struct hm_lockorder *lo = calloc(1, sizeof(*lo));

	if (!lo)
		return NULL;
	lo->cap = 64;
	lo->q = malloc(lo->cap * sizeof(*lo->q));
	if (!lo->q) {
		free(lo);
		return NULL;
	}
	return lo;
}

void hm_lockorder_free(struct hm_lockorder *lo)
{
	if (!lo)
		return;
	free(lo->q);
	free(lo);
}

static struct qent *at(struct hm_lockorder *lo, size_t i)
{
	return &lo->q[(lo->head + i) % lo->cap];
}

int hm_lockorder_push(struct hm_lockorder *lo, const struct hm_event *ev)
{
	if (lo->len == lo->cap) {
		size_t cap = lo->cap * 2;
		struct qent *q = malloc(cap * sizeof(*q));

		if (!q)
			return -ENOMEM;
		for (size_t i = 0; i < lo->len; i++)
			q[i] = *at(lo, i);
		free(lo->q);
		lo->q = q;
		lo->cap = cap;
		lo->head = 0;
	}
	at(lo, lo->len)->ev = *ev;
	at(lo, lo->len)->decided = false;
	lo->len++;
	if (ev->ts > lo->newest_ts)
		lo->newest_ts = ev->ts;
	return 0;
}

/*
 * The head started first, but did it take the lock first?  If the pool, as it
 * stands, gives it the address the kernel gave, trace order is right.
 * Otherwise it took the lock later (a call can be preempted or interrupted
 * before lock_kmap()): try it after each later call that overlaps it, and
 * keep the first place where it gets the address the kernel gave it.
 */
static void decide_head(struct hm_lockorder *lo, const struct hm_model *model)
{
	struct hm_event *grp[HM_LOCKORDER_WINDOW + 1];
	struct hm_event head;
	size_t pos[HM_LOCKORDER_WINDOW + 1];
	uint64_t until, pred;
	int n = 0, best = 0;

	at(lo, 0)->decided = true;
	head = at(lo, 0)->ev;
	if (head.op != HM_OP_KMAP || head.vaddr == HM_NONE)
		return;
	/*
	 * A call that would find the pool full sleeps in the model too, and its
	 * wake-up decides its address: only a definite wrong address moves it.
	 */
	pred = hm_model_predict_kmap(model, &head);
	if (pred == HM_NONE || pred == (head.vaddr & ~0xfffull))
		return;
	until = end_ts(&head);
	grp[n] = &at(lo, 0)->ev;
	pos[n++] = 0;
	for (size_t i = 1; i < lo->len && n <= HM_LOCKORDER_WINDOW; i++) {
		struct hm_event *ev = &at(lo, i)->ev;

		if (ev->ts > until)
			break;
		if (!takes_kmap_lock(ev) || (ev->pid == head.pid && ev->cpu == head.cpu))
			continue;
		grp[n] = ev;
		pos[n++] = i;
	}
	/*
	 * Walk a copy of the pool through the later calls and stop where the
	 * head would get the address the kernel gave it.
	 */
	{
		struct hm_model *copy = hm_model_clone_pool(model);
		struct hm_outcome out;
		uint64_t want = head.vaddr & ~0xfffull;

		if (!copy)
			return;
		for (int p = 1; p < n; p++) {
			hm_model_apply(copy, grp[p], &out);
			while (hm_model_next_completion(copy, &out))
				;
			if (hm_model_predict_kmap(copy, &head) == want) {
				best = p;
				break;
			}
		}
		hm_model_free(copy);
	}
	if (!best)
		return;
	/* slide the others before it down one place each, the head after them */
	for (int i = 0; i < best; i++)
		*at(lo, pos[i]) = *at(lo, pos[i + 1]);
	head.flags |= HM_EVF_LOCK_LATE;
	at(lo, pos[best])->ev = head;
	at(lo, pos[best])->decided = true;
	lo->moved++;
}

int hm_lockorder_pop(struct hm_lockorder *lo, const struct hm_model *model, bool final,
		     struct hm_event *ev)
{
	struct qent *h;

	if (!lo->len)
		return 0;
	h = at(lo, 0);
	if (!h->decided && takes_kmap_lock(&h->ev) && h->ev.ret_ts != HM_NONE) {
		/* wait until nothing read later can have started before it returned */
		if (!final && lo->newest_ts <= end_ts(&h->ev))
			return 0;
		decide_head(lo, model);
		h = at(lo, 0);
		if (!h->decided)
			return hm_lockorder_pop(lo, model, final, ev);
	}
	*ev = h->ev;
	lo->head = (lo->head + 1) % lo->cap;
	lo->len--;
	return 1;
}

uint64_t hm_lockorder_moved(const struct hm_lockorder *lo)
{
	return lo->moved;
}
