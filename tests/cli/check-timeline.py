#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Check that a file is a Chrome trace event file Perfetto and chrome://tracing
load, and print what it holds (for a golden comparison).

Checked, per the Trace Event Format: a JSON object with a "traceEvents" array
and a valid "displayTimeUnit"; every event has "ph", "name", integer "pid" and
"tid"; every non-metadata event a number "ts" >= 0; "X" events a "dur" >= 0;
"C" events an "args" object of numbers; "i" events a scope "s" of g, p or t;
"M" events a known metadata name with "args.name" (or sort_index); async
"b"/"e" events an "id", each "b" matched by one "e" of the same cat, name and
id, not earlier.  Complete slices on one thread must nest (a slice that
starts inside another ends inside it), as the viewers require.  Exit status 1 with a message on the
first violation.  With --list, also print every slice (start and end) and
instant event in time order, for checking a replayed schedule by hand.
"""
import collections
import json
import sys


def fail(msg):
    print('check-timeline: ' + msg, file=sys.stderr)
    sys.exit(1)


def main():
    args = sys.argv[1:]
    listing = '--list' in args
    args = [a for a in args if a != '--list']
    if len(args) != 1:
        fail('usage: check-timeline.py [--list] FILE')
    with open(args[0]) as f:
        try:
            doc = json.load(f)
        except ValueError as e:
            fail('not JSON: %s' % e)
    if not isinstance(doc, dict) or not isinstance(doc.get('traceEvents'), list):
        fail('top level must be an object with a "traceEvents" array')
    if doc.get('displayTimeUnit', 'ms') not in ('ms', 'ns'):
        fail('displayTimeUnit must be "ms" or "ns"')
    counts = collections.Counter()
    threads = {}
    slices = collections.defaultdict(list)
    async_open = {}
    processes = {}
    for n, ev in enumerate(doc['traceEvents']):
        where = 'event %d' % n
        if not isinstance(ev, dict):
            fail(where + ': not an object')
        ph = ev.get('ph')
        if ph not in ('M', 'X', 'C', 'i', 'b', 'e'):
            fail(where + ': unexpected ph %r' % ph)
        if not isinstance(ev.get('name'), str):
            fail(where + ': no "name"')
        for k in ('pid', 'tid'):
            if not isinstance(ev.get(k), int):
                fail(where + ': "%s" must be an integer' % k)
        if ph == 'M':
            if ev['name'] not in ('process_name', 'thread_name', 'thread_sort_index',
                                  'process_sort_index'):
                fail(where + ': unknown metadata %r' % ev['name'])
            args = ev.get('args', {})
            if 'name' not in args and 'sort_index' not in args:
                fail(where + ': metadata without args.name or args.sort_index')
            if ev['name'] == 'thread_name':
                threads[(ev['pid'], ev['tid'])] = args['name']
            if ev['name'] == 'process_name':
                processes[ev['pid']] = args['name']
            counts['M ' + ev['name']] += 1
            continue
        ts = ev.get('ts')
        if not isinstance(ts, (int, float)) or ts < 0:
            fail(where + ': "ts" must be a number >= 0')
        if ph == 'X':
            dur = ev.get('dur')
            if not isinstance(dur, (int, float)) or dur < 0:
                fail(where + ': "X" needs "dur" >= 0')
            slices[(ev['pid'], ev['tid'])].append((ts, -dur, ts + dur, n))
            counts['X ' + ev.get('cat', '')] += 1
        elif ph == 'C':
            args = ev.get('args')
            if not isinstance(args, dict) or not args or \
                    not all(isinstance(v, (int, float)) for v in args.values()):
                fail(where + ': "C" needs numeric args')
            counts['C ' + ev['name'].split(' CPU ')[0]] += 1
        elif ph in ('b', 'e'):
            if 'id' not in ev:
                fail(where + ': async event without "id"')
            key = (ev['pid'], ev.get('cat', ''), ev['name'], str(ev['id']))
            if ph == 'b':
                if key in async_open:
                    fail(where + ': async id %s begun twice' % ev['id'])
                async_open[key] = ts
                counts['b/e ' + ev.get('cat', '')] += 1
            else:
                if key not in async_open:
                    fail(where + ': "e" without its "b"')
                if ts < async_open.pop(key):
                    fail(where + ': async slice ends before it begins')
        elif ph == 'i':
            if ev.get('s', 't') not in ('g', 'p', 't'):
                fail(where + ': "i" scope must be g, p or t')
            counts['i ' + ev.get('cat', '')] += 1
    if async_open:
        fail('%d async slices never end' % len(async_open))
    for key, lst in slices.items():
        lst.sort()
        stack = []
        for start, _, end, n in lst:
            while stack and stack[-1] <= start:
                stack.pop()
            if stack and end > stack[-1] + 1e-9:
                fail('event %d: slice on tid %d overlaps its parent without nesting'
                     % (n, key[1]))
            stack.append(end)
    print('events %d' % len(doc['traceEvents']))
    for k in sorted(counts):
        print('%s %d' % (k, counts[k]))
    for pid in sorted(processes):
        print('process %d %s: %s' % (pid, processes[pid],
                                    ', '.join(sorted(n for (p, t), n in threads.items()
                                                     if p == pid))))
    print('slices nest on every track')
    if listing:
        rows = []
        begins = {}
        for ev in doc['traceEvents']:
            ph = ev['ph']
            if ph == 'X':
                rows.append((ev['ts'], ev['ts'] + ev['dur'], 'X', ev['pid'],
                             ev['args'].get('site', ev['name'])))
            elif ph == 'b':
                begins[(ev['pid'], ev.get('cat'), ev['name'], str(ev['id']))] = ev
            elif ph == 'e':
                b = begins.pop((ev['pid'], ev.get('cat'), ev['name'], str(ev['id'])))
                rows.append((b['ts'], ev['ts'], ev.get('cat', ''), ev['pid'],
                             b.get('args', {}).get('site', b['name'])))
            elif ph == 'i':
                rows.append((ev['ts'], None, 'i', ev['pid'], ev['name']))
        for start, end, kind, pid, name in sorted(rows, key=lambda r: (r[0], r[1] or 0,
                                                                       r[4])):
            span = '%.3f' % start if end is None else '%.3f..%.3f' % (start, end)
            print('%-16s %-6s pid %d %s' % (span, kind, pid, name))


if __name__ == '__main__':
    main()
