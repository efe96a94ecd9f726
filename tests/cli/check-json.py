#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""hm-replay --json on every JSON Lines trace in traces/ and tests/cli/data/:
the output is one valid JSON object with exactly the documented top-level
keys, its "events" equals the number of event lines in the file, and the
required sub-keys are there.  Prints TAP.

  check-json.py --prog PATH --root DIR
"""
import argparse
import glob
import json
import os
import subprocess
import sys

KEYS = {'events', 'trace', 'ops', 'agreement', 'pkmap', 'local', 'tlb', 'contention',
        'latency', 'violations', 'leaks'}
SUB = {
    'agreement': ['checked', 'mismatched', 'synced', 'predates'],
    'pkmap': ['wraps', 'sleeps', 'peak_in_use'],
    'local': ['max_depth'],
    'trace': ['file', 'format', 'meta', 'span'],
}
VIOLATION = ['rule', 'event', 'ts', 'cpu', 'pid']


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--prog', required=True)
    ap.add_argument('--root', required=True)
    a = ap.parse_args()
    files = sorted(glob.glob(os.path.join(a.root, 'traces', '*.jsonl')) +
                   [f for f in glob.glob(os.path.join(a.root, 'tests', 'cli', 'data', '*.jsonl'))
                    if not os.path.basename(f).startswith('bad-')])
    n = bad = 0
    for f in files:
        with open(f) as fp:
            lines = sum(1 for line in fp if line.strip()) - 1
        p = subprocess.run([os.path.abspath(a.prog), '--json', f], capture_output=True,
                           text=True, timeout=120)
        problems = []
        try:
            d = json.loads(p.stdout)
        except ValueError as e:
            d = {}
            problems.append('not JSON: %s' % e)
        if p.returncode:
            problems.append('exit %d: %s' % (p.returncode, p.stderr.strip()))
        if d and set(d) != KEYS:
            problems.append('top-level keys %s' % sorted(d))
        if d.get('events') != lines:
            problems.append('events %r, file has %d' % (d.get('events'), lines))
        for k, subs in SUB.items():
            for s in subs:
                if s not in d.get(k, {}):
                    problems.append('%s.%s missing' % (k, s))
        if not isinstance(d.get('violations'), list):
            problems.append('violations is not an array')
        for v in d.get('violations') or []:
            for s in VIOLATION:
                if s not in v:
                    problems.append('violation without %s' % s)
        n += 1
        print('%s %d - %s' % ('not ok' if problems else 'ok', n, os.path.relpath(f, a.root)))
        for pr in problems:
            print('# ' + pr)
        bad += bool(problems)
    print('1..%d' % n)
    return 1 if bad or not n else 0


if __name__ == '__main__':
    sys.exit(main())
