// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lockorder.c - infer the order in which overlapping calls took kmap_lock.
 *
 * Events wait in a queue until every call that could have taken the lock
 * before the head has been read (the trace is in entry order, so that is once
 * an event starts after the head returned).  The overlapping calls form a
 * group; each order of the group that keeps every task's own calls in order
 * is replayed on a copy of the pool, and the first that reproduces all the
 * observed addresses wins.  Trace order is tried first and wins ties.
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

/* Replay @order of @grp on a copy of the pool; return the addresses it got wrong. */
static uint64_t trial(const struct hm_model *model, struct hm_event *const *grp,
		      const int *order, int n)
{
	struct hm_model *copy = hm_model_clone_pool(model);
	struct hm_outcome out;
	uint64_t bad;

	if (!copy)
		return UINT64_MAX;
	for (int i = 0; i < n; i++) {
		hm_model_apply(copy, grp[order[i]], &out);
		while (hm_model_next_completion(copy, &out))
			;
	}
	bad = hm_model_stats(copy)->mismatched;
	hm_model_free(copy);
	return bad;
}

/* Does @order keep each task's calls in trace order? */
static bool order_ok(struct hm_event *const *grp, const int *order, int n)
{
	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++)
			if (grp[order[i]]->pid == grp[order[j]]->pid &&
			    grp[order[i]]->cpu == grp[order[j]]->cpu && order[i] > order[j])
				return false;
	return true;
}

/* next lexicographic permutation; false after the last */
static bool next_perm(int *a, int n)
{
	int i = n - 2, j = n - 1, t;

	while (i >= 0 && a[i] >= a[i + 1])
		i--;
	if (i < 0)
		return false;
	while (a[j] <= a[i])
		j--;
	t = a[i], a[i] = a[j], a[j] = t;
	for (i++, j = n - 1; i < j; i++, j--)
		t = a[i], a[i] = a[j], a[j] = t;
	return true;
}

static void decide_group(struct hm_lockorder *lo, const struct hm_model *model)
{
	struct hm_event *grp[HM_LOCKORDER_MAX_GROUP];
	struct hm_event saved[HM_LOCKORDER_MAX_GROUP];
	size_t pos[HM_LOCKORDER_MAX_GROUP];
	int order[HM_LOCKORDER_MAX_GROUP], best[HM_LOCKORDER_MAX_GROUP];
	uint64_t until = end_ts(&at(lo, 0)->ev), best_bad;
	bool checked = false;
	int n = 0;

	/* the head, and every later lock call that started before the group ended */
	for (size_t i = 0; i < lo->len && n < HM_LOCKORDER_MAX_GROUP; i++) {
		struct hm_event *ev = &at(lo, i)->ev;

		if (ev->ts > until)
			break;
		if (!takes_kmap_lock(ev) || at(lo, i)->decided)
			continue;
		if (n && ev->cpu == grp[0]->cpu && ev->pid == grp[0]->pid)
			continue;
		grp[n] = ev;
		pos[n] = i;
		checked |= ev->vaddr != HM_NONE;
		if (end_ts(ev) > until)
			until = end_ts(ev);
		n++;
	}
	for (int i = 0; i < n; i++) {
		order[i] = i;
		best[i] = i;
		at(lo, pos[i])->decided = true;
	}
	if (n < 2 || !checked)
		return;
	best_bad = trial(model, grp, order, n);
	while (best_bad && next_perm(order, n)) {
		uint64_t bad;

		if (!order_ok(grp, order, n))
			continue;
		bad = trial(model, grp, order, n);
		if (bad < best_bad) {
			best_bad = bad;
			memcpy(best, order, sizeof(best));
		}
	}
	for (int i = 0; i < n; i++)
		saved[i] = *grp[i];
	for (int i = 0; i < n; i++) {
		if (best[i] != i)
			lo->moved++;
		*grp[i] = saved[best[i]];
	}
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
		decide_group(lo, model);
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
