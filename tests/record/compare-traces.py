#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""compare-traces.py FTRACE.jsonl HMRECORD.jsonl - one run recorded twice.

scripts/capture-vm --recorder hm-record records the same run with the
tracefs kprobe events and with hm-record, both on CLOCK_MONOTONIC.  hm-record
starts before tracing and stops after it, so over the ftrace capture's span
its trace must hold the same calls: per CPU, the ftrace capture's events
(away from the ends of its span by MARGIN) must appear, in the same order and
with the same operands, as a contiguous run of hm-record's events.  Prints
TAP; with --counts also the per-op counts of both over the common span, and
with --check-counts a test that they agree: exactly, but for one event at
each end of the span per op, the ring buffer's lost_events, and migrations,
which hm-record(8) documents losing (LOSSES: a sched_migrate_task fired in an
interrupt during another BPF program's run), at most a fifth of them.
Migrations are left out of the order check for the same reason.
"""
import argparse
import json
import sys

KEYS = ('op', 'pid', 'ctx', 'pfn', 'page', 'vaddr', 'next_pid', 'dest_cpu')
# what the two may legitimately differ in: the call site ([unknown/kretprobe'd]
# in ftrace when both kretprobes sit on one function), timestamps, flags


def load(path):
    with open(path, encoding='utf-8') as f:
        lines = f.read().splitlines()
    head = json.loads(lines[0])
    return head.get('meta', {}), [json.loads(l) for l in lines[1:] if l.strip()]


IRQ_OPS = ('irq_enter', 'irq_exit')


def key(e):
    return tuple(e.get(k) for k in KEYS)


def longest_run(f, b):
    """(start in b, length) of the longest prefix of f found contiguous in b."""
    best = (-1, 0)
    for s in (i for i, k in enumerate(b) if k == f[0]):
        j = 0
        while j < len(f) and s + j < len(b) and b[s + j] == f[j]:
            j += 1
        if j > best[1]:
            best = (s, j)
        if j == len(f):
            break
    return best


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('ftrace')
    ap.add_argument('hmrecord')
    ap.add_argument('--margin-us', type=int, default=1000)
    ap.add_argument('--counts', action='store_true')
    ap.add_argument('--check-counts', action='store_true')
    a = ap.parse_args()
    _, fev = load(a.ftrace)
    bmeta, bev = load(a.hmrecord)
    n = 0
    bad = 0

    def tap(ok, what, diag=''):
        nonlocal n, bad
        n += 1
        print('%s %d - %s' % ('ok' if ok else 'not ok', n, what))
        if not ok:
            bad += 1
            for d in diag.splitlines():
                print('# ' + d)

    if not fev or not bev:
        tap(False, 'both traces have events', 'ftrace %d, hm-record %d' % (len(fev), len(bev)))
        print('1..%d' % n)
        return 1
    lo, hi = fev[0]['ts'], max(e['ts'] for e in fev)
    m = a.margin_us * 1000
    tap(bev[0]['ts'] <= lo and max(e['ts'] for e in bev) >= hi,
        'hm-record covers the ftrace span %.6f .. %.6f' % (lo / 1e9, hi / 1e9),
        'hm-record spans %.6f .. %.6f' % (bev[0]['ts'] / 1e9, bev[-1]['ts'] / 1e9))
    cpus = sorted({e['cpu'] for e in fev} | {e['cpu'] for e in bev})
    # An interrupt can arrive while the probes' handlers run: hm-record's
    # handler may take its timestamp before the interrupt and ftrace's after
    # it, so the interrupt events are compared as a sequence of their own.
    for cpu in cpus:
        for kind, pick in (('calls', lambda e: e['op'] not in IRQ_OPS + ('migrate',)),
                           ('interrupts', lambda e: e['op'] in IRQ_OPS)):
            f = [key(e) for e in fev
                 if e['cpu'] == cpu and pick(e) and lo + m <= e['ts'] <= hi - m]
            bk = [key(e) for e in bev
                  if e['cpu'] == cpu and pick(e) and lo - m <= e['ts'] <= hi + m]
            if not f:
                tap(True, 'cpu %d %s: none inside the span' % (cpu, kind))
                continue
            s, j = longest_run(f, bk)
            diag = ''
            if j < len(f):
                diag = ('first difference after %d of %d events:\n  ftrace    %s'
                        % (j, len(f), f[j]))
                if s >= 0 and s + j < len(bk):
                    diag += '\n  hm-record %s' % (bk[s + j],)
            tap(j == len(f), 'cpu %d %s: the %d of the ftrace capture are a contiguous run '
                'of hm-record\'s' % (cpu, kind, len(f)), diag)
    if a.counts or a.check_counts:
        fc, bc = {}, {}
        for e in fev:
            fc[e['op']] = fc.get(e['op'], 0) + 1
        for e in bev:
            if lo <= e['ts'] <= hi:
                bc[e['op']] = bc.get(e['op'], 0) + 1
    if a.counts:
        for op in sorted(set(fc) | set(bc)):
            print('# %-18s ftrace %8d  hm-record %8d' % (op, fc.get(op, 0), bc.get(op, 0)))
        print('# hm-record lost_events %d' % bmeta.get('lost_events', 0))
    if a.check_counts:
        lost = bmeta.get('lost_events', 0)
        for op in sorted(set(fc) | set(bc)):
            f, b = fc.get(op, 0), bc.get(op, 0)
            if op == 'migrate':
                good = b <= f + 2 and f - b <= f // 5 + 2 + lost
                limit = 'at most a fifth fewer'
            else:
                good = abs(f - b) <= 2 + lost
                limit = 'within 2 + lost_events'
            tap(good, '%s: hm-record %d, ftrace %d: %s' % (op, b, f, limit))
    print('1..%d' % n)
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
