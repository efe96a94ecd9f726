#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Resource limits, as TAP: big generated traces streamed through a tool,
nothing on disk, its time and peak memory measured (wait4(2) rusage of the
tool alone).

  limits.py --prog PATH --gen PATH [--scale F] [CASE...]

Cases (each `gen-load KIND N | PROG -q -`, or the tool's own options):
  pages    10 M distinct highmem pages, kmap() then kunmap() each (20 M events):
           memory must not grow with the pages (the pool holds LAST_PKMAP)
  tasks    1 M tasks, each mapping once and never exiting (5 M events):
           memory grows with live tasks, at most 1.5 KiB each
  exits    1 M tasks that exit (6 M events): at most 256 bytes each
  nesting  100 k rounds of a stack 15 deep (task + 17 nested interrupts,
           as deep as KM_MAX_IDX allows): no violation, max depth 15, flat memory
  oom      1 M live tasks under a 256 MiB address-space limit: a clear
           "out of memory" and status 4, not a crash
--scale multiplies every N (0.01 for a quick try); the bounds scale with it.
Time is bounded generously (CI machines are slow): 600 s each at full size.
"""
import argparse
import os
import resource
import subprocess
import sys
import time

MIB = 1024 * 1024
count = 0
failed = 0


def ok(cond, name, diag=''):
    global count, failed
    count += 1
    print('%s %d - %s' % ('ok' if cond else 'not ok', count, name))
    if not cond:
        failed += 1
        for line in diag.splitlines():
            print('#   ' + line)
    sys.stdout.flush()
    return cond


def measure(prog, gen, kind, n, extra=(), limit_as=None):
    """Run gen | prog; return (status, stdout, stderr, seconds, peak RSS bytes)."""
    def preexec():
        if limit_as:
            resource.setrlimit(resource.RLIMIT_AS, (limit_as, limit_as))

    g = subprocess.Popen([gen, kind, str(n)], stdout=subprocess.PIPE)
    t0 = time.monotonic()
    p = subprocess.Popen([prog] + list(extra) + ['-'], stdin=g.stdout, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, preexec_fn=preexec)
    g.stdout.close()
    out = p.stdout.read()
    err = p.stderr.read()
    _, status, ru = os.wait4(p.pid, 0)
    took = time.monotonic() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    g.wait()
    return p.returncode, out.decode(errors='replace'), err.decode(errors='replace'), took, \
        ru.ru_maxrss * 1024


def report(name, n, took, rss):
    print('# %s: N=%d: %.2f s, peak RSS %.1f MiB' % (name, n, took, rss / MIB))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--prog', required=True)
    ap.add_argument('--gen', required=True)
    ap.add_argument('--scale', type=float, default=1.0)
    ap.add_argument('cases', nargs='*', default=['pages', 'tasks', 'exits', 'nesting', 'oom'])
    a = ap.parse_args()
    a.prog, a.gen = os.path.abspath(a.prog), os.path.abspath(a.gen)
    tool = os.path.basename(a.prog)
    s = a.scale
    tmax = max(60.0, 600.0 * s)

    if 'pages' in a.cases:
        n = int(10_000_000 * s)
        st, out, err, took, rss = measure(a.prog, a.gen, 'pages', n)
        report('pages', n, took, rss)
        ok(st in (0, 1) and not err, '%s: %d distinct pages: status %d, nothing on stderr'
           % (tool, n, st), err[-2000:])
        ok(rss <= 64 * MIB, '%s: %d distinct pages: peak RSS %.1f MiB <= 64 MiB'
           % (tool, n, rss / MIB))
        ok(took <= tmax, '%s: %d distinct pages: %.1f s <= %.0f s' % (tool, n, took, tmax))
    if 'tasks' in a.cases:
        n = int(1_000_000 * s)
        st, out, err, took, rss = measure(a.prog, a.gen, 'tasks', n)
        report('tasks', n, took, rss)
        ok(st in (0, 1) and not err, '%s: %d live tasks: status %d' % (tool, n, st), err[-2000:])
        ok(rss <= 32 * MIB + n * 1536, '%s: %d live tasks: %.0f bytes each <= 1536'
           % (tool, n, (rss - 32 * MIB) / max(n, 1)))
        ok(took <= tmax, '%s: %d live tasks: %.1f s <= %.0f s' % (tool, n, took, tmax))
    if 'exits' in a.cases:
        n = int(1_000_000 * s)
        st, out, err, took, rss = measure(a.prog, a.gen, 'exits', n)
        report('exits', n, took, rss)
        ok(st in (0, 1) and not err, '%s: %d tasks that exit: status %d' % (tool, n, st),
           err[-2000:])
        ok(rss <= 32 * MIB + n * 256, '%s: %d tasks that exit: %.0f bytes each <= 256'
           % (tool, n, (rss - 32 * MIB) / max(n, 1)))
        ok(took <= tmax, '%s: %d tasks that exit: %.1f s <= %.0f s' % (tool, n, took, tmax))
    if 'nesting' in a.cases:
        n = int(100_000 * s)
        extra = ['-q'] if tool == 'hm-replay' else []
        st, out, err, took, rss = measure(a.prog, a.gen, 'nesting', n, extra)
        report('nesting', n, took, rss)
        ok(st == 0 and not err, '%s: maximal nesting: status 0' % tool, err[-2000:] + out[-2000:])
        if tool == 'hm-replay':
            ok(out.startswith('verdict: no violations'), 'hm-replay: maximal nesting: no violation',
               out[:2000])
            st2, out2, _, _, _ = measure(a.prog, a.gen, 'nesting', 10)
            ok('max depth 15,' in out2, 'hm-replay: maximal nesting: max depth 15', out2[:3000])
        else:
            ok('no violations' in out, '%s: maximal nesting: no violation' % tool, out[-2000:])
        ok(rss <= 64 * MIB, '%s: maximal nesting: peak RSS %.1f MiB <= 64 MiB'
           % (tool, rss / MIB))
        ok(took <= tmax, '%s: maximal nesting: %.1f s <= %.0f s' % (tool, took, tmax))
    if 'oom' in a.cases:
        n = max(int(1_000_000 * s), 1_000_000)
        st, out, err, took, rss = measure(a.prog, a.gen, 'tasks', n, limit_as=256 * MIB)
        report('oom', n, took, rss)
        ok(st == 4 and err.endswith('%s: out of memory\n' % tool),
           '%s: out of memory under a 256 MiB limit: status 4, "out of memory"' % tool,
           'status %d\n%s' % (st, err[-2000:]))
    print('1..%d' % count)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
