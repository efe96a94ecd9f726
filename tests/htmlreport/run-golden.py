#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Golden tests of hm-report's data files.  Prints TAP.

  run-golden.py --prog HM_REPORT --replay HM_REPLAY --root SRC [--regen]

Each directory of golden/ is a case: its file "args" holds hm-report's
arguments (paths relative to SRC, without -o), and every NAME.dat beside it
is what hm-report must write, byte for byte.  For each case:

  - hm-report ARGS -o OUT exits 0 and writes exactly the golden .dat files
    (no more, no fewer), each equal to the golden one, plus index.html and
    series.json;
  - hm-report --from-json OUT/series.json -o OUT2 writes the same .dat files
    (series.json holds everything the figures need);
  - for a case without --what-if, hm-replay --json on the same trace and then
    hm-report --from-json give the same latency.dat, spin.dat and wraps.dat
    (the figures an hm-replay result can draw), and index.html says the
    others are not drawn.

--regen rewrites the golden .dat files from what hm-report writes now: the
README says how each was checked by hand, and a diff is a change of output.
"""
import argparse
import os
import shlex
import shutil
import subprocess
import sys
import tempfile

n = 0
bad = 0


def tap(cond, what, diag=''):
    global n, bad
    n += 1
    print('%s %d - %s' % ('ok' if cond else 'not ok', n, what))
    if not cond:
        bad += 1
        if diag:
            print('# ' + diag.strip().replace('\n', '\n# '))
    return cond


def dats(d):
    return sorted(f for f in os.listdir(d) if f.endswith('.dat'))


def read(p):
    with open(p, 'rb') as f:
        return f.read()


def first_diff(a, b):
    la, lb = a.decode(errors='replace').splitlines(), b.decode(errors='replace').splitlines()
    for i, (x, y) in enumerate(zip(la, lb)):
        if x != y:
            return 'line %d:\n  got:  %s\n  want: %s' % (i + 1, x, y)
    return 'lengths differ: got %d lines, want %d' % (len(la), len(lb))


def run(cmd, root):
    return subprocess.run(cmd, cwd=root, capture_output=True, text=True, timeout=240)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--prog', required=True)
    ap.add_argument('--replay', required=True)
    ap.add_argument('--root', required=True)
    ap.add_argument('--regen', action='store_true')
    a = ap.parse_args()
    here = os.path.dirname(os.path.abspath(__file__))
    golden = os.path.join(here, 'golden')
    prog, replay = os.path.abspath(a.prog), os.path.abspath(a.replay)
    tmp = tempfile.mkdtemp(prefix='hm-report-golden-')
    try:
        for case in sorted(os.listdir(golden)):
            cdir = os.path.join(golden, case)
            if not os.path.isfile(os.path.join(cdir, 'args')):
                continue
            with open(os.path.join(cdir, 'args')) as f:
                args = shlex.split(f.read())
            out = os.path.join(tmp, case)
            p = run([prog] + args + ['-o', out], a.root)
            if not tap(p.returncode == 0, '%s: hm-report %s' % (case, ' '.join(args)),
                       'exit %d\n%s' % (p.returncode, p.stderr)):
                continue
            if a.regen:
                for f in dats(cdir):
                    os.unlink(os.path.join(cdir, f))
                for f in dats(out):
                    shutil.copy(os.path.join(out, f), os.path.join(cdir, f))
                print('# %s: rewrote %s' % (case, ' '.join(dats(out))))
                continue
            tap(dats(out) == dats(cdir), '%s: the .dat files are the golden ones' % case,
                'got %s\nwant %s' % (dats(out), dats(cdir)))
            for f in dats(cdir):
                got = os.path.join(out, f)
                want = read(os.path.join(cdir, f))
                ok = os.path.exists(got) and read(got) == want
                tap(ok, '%s: %s' % (case, f),
                    first_diff(read(got), want) if os.path.exists(got) else 'missing')
            tap(os.path.exists(os.path.join(out, 'index.html')) and
                os.path.exists(os.path.join(out, 'series.json')),
                '%s: index.html and series.json written' % case)

            # everything again from series.json
            out2 = out + '-from-series'
            top = ['--top', args[args.index('--top') + 1]] if '--top' in args else []
            p = run([prog, '--from-json', os.path.join(out, 'series.json'), '-o', out2] + top,
                    a.root)
            if tap(p.returncode == 0, '%s: hm-report --from-json series.json' % case,
                   'exit %d\n%s' % (p.returncode, p.stderr)):
                same = [f for f in dats(out) if os.path.exists(os.path.join(out2, f)) and
                        read(os.path.join(out2, f)) == read(os.path.join(out, f))]
                tap(same == dats(out) and dats(out2) == dats(out),
                    '%s: series.json redraws the same .dat files' % case,
                    'differ: %s' % sorted(set(dats(out)) ^ set(same)))

            # from an hm-replay result: the figures its report holds
            if '--what-if' in args:
                continue
            trace = [x for x in args if not x.startswith('-') and
                     os.path.exists(os.path.join(a.root, x))][-1]
            rj = os.path.join(tmp, case + '.json')
            p = run([replay, '--json', '-o', rj, trace], a.root)
            tap(p.returncode == 0, '%s: hm-replay --json' % case, p.stderr)
            out3 = out + '-from-replay'
            p = run([prog, '--from-json', rj, '-o', out3], a.root)
            if not tap(p.returncode == 0, '%s: hm-report --from-json hm-replay result' % case,
                       'exit %d\n%s' % (p.returncode, p.stderr)):
                continue
            for f in ('latency.dat', 'spin.dat', 'wraps.dat'):
                g = os.path.join(out3, f)
                tap(os.path.exists(g) and read(g) == read(os.path.join(out, f)),
                    '%s: %s from the hm-replay result is the same' % (case, f),
                    first_diff(read(g), read(os.path.join(out, f))) if os.path.exists(g)
                    else 'missing')
            with open(os.path.join(out3, 'index.html')) as f:
                page = f.read()
            missing = [nm for nm in ('pool', 'waiters', 'depth', 'sites')
                       if '<figure id="fig-%s" class="missing">' % nm in page and
                       not os.path.exists(os.path.join(out3, nm + '.dat'))]
            tap(len(missing) == 4 and 'needs the time series' in page,
                '%s: figures without data are listed as not drawn' % case,
                'not drawn: %s' % missing)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print('1..%d' % n)
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
