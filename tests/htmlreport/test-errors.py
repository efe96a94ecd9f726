#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""hm-report's errors: each bad command line, bad input and failing gnuplot
gives its exit status (enum hm_exit) and a precise message, and leaves no
partial file behind.  Prints TAP.

  test-errors.py --prog HM_REPORT --replay HM_REPLAY --root SRC

gnuplot's failures are played by small fake gnuplots put first on PATH: one
that fails on a given script, one that never finishes.
"""
import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

n = 0
bad = 0


def tap(cond, what, diag=''):
    global n, bad
    n += 1
    print('%s %d - %s' % ('ok' if cond else 'not ok', n, what))
    if not cond:
        bad += 1
        if diag:
            print('# ' + str(diag).strip().replace('\n', '\n# '))
    return cond


# a gnuplot that fails on pool.gp and waiters.gp as gnuplot does (a caret line,
# then "FILE" line N: ...), whether they are arguments or "load" lines on stdin
FAILING = r'''
fail() { echo "" >&2; echo "plot boom" >&2; echo "     ^" >&2
         echo "\"$1\" line 7: undefined variable: boom" >&2; exit 1; }
stdin=
for a; do case $a in waiters.gp|pool.gp) fail "$a";; -) stdin=1;; esac; done
[ -z "$stdin" ] && exec %s "$@"
cmds=
while read -r verb name; do
    name=${name#\'}; name=${name%%\'}
    case $name in waiters.gp|pool.gp) fail "$name";; esac
    cmds="$cmds$verb '$name'
"
done
printf '%%s' "$cmds" | exec %s "$@"
'''


def fake(tmp, name, body):
    d = os.path.join(tmp, name)
    os.makedirs(d)
    p = os.path.join(d, 'gnuplot')
    with open(p, 'w') as f:
        f.write('#!/bin/sh\n' + body)
    os.chmod(p, 0o755)
    return d


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--prog', required=True)
    ap.add_argument('--replay', required=True)
    ap.add_argument('--root', required=True)
    a = ap.parse_args()
    prog = os.path.abspath(a.prog)
    root = os.path.abspath(a.root)
    real = shutil.which('gnuplot')
    tmp = tempfile.mkdtemp(prefix='hm-report-errors-')
    wrap = 'traces/handmade-pool-wrap.jsonl'
    try:
        copy = os.path.join(tmp, 'copy.jsonl')
        shutil.copy(os.path.join(root, wrap), copy)
        with open(copy, 'rb') as f:
            original = f.read()
        afile = os.path.join(tmp, 'a-file')
        open(afile, 'w').close()
        notjson = os.path.join(tmp, 'not.json')
        with open(notjson, 'w') as f:
            f.write('{"events": 3,\n  oops}\n')
        shape = os.path.join(tmp, 'shape.json')
        with open(shape, 'w') as f:
            json.dump({'something': 'else'}, f)
        # a series.json whose one array is a bucket short
        series_dir = os.path.join(tmp, 'series')
        subprocess.run([prog, '--buckets', '4', wrap, '-o', series_dir], cwd=root, check=True,
                       capture_output=True)
        with open(os.path.join(series_dir, 'series.json')) as f:
            doc = json.load(f)
        doc['runs'][0]['pool']['busy_max'].pop()
        short = os.path.join(tmp, 'short.json')
        with open(short, 'w') as f:
            json.dump(doc, f)
        result = os.path.join(tmp, 'result.json')
        subprocess.run([os.path.abspath(a.replay), '--json', '-o', result, wrap], cwd=root,
                       check=True)
        empty_path = fake(tmp, 'nopath', 'exit 0\n')
        os.unlink(os.path.join(empty_path, 'gnuplot'))
        # fails on pool.gp and waiters.gp, named as arguments or in "load" lines on stdin
        failing = fake(tmp, 'failing', FAILING % (real, real))
        slow = fake(tmp, 'slow', 'exec sleep 60\n')

        P = os.environ['PATH']
        cases = [
            # (what, args, PATH, status, stderr regex)
            ('no trace', [], P, 2, r'^hm-report: no trace given'),
            ('no -o', [wrap], P, 2, r'^hm-report: no output directory given \(-o DIR\)'),
            ('-o - without --plot', [wrap, '-o', '-'], P, 2, r'only one figure'),
            ('unknown figure', ['--plot', 'nosuch', wrap], P, 2,
             r'--plot: unknown figure "nosuch" \(see --list-plots\)'),
            ('bad --format', ['--format', 'gif', wrap, '-o', 'x'], P, 2,
             r'--format: "gif" must be svg or png, or both'),
            ('--format both with --plot', ['--plot', 'pool', '--format', 'both', wrap], P, 2,
             r'must be svg or png with --plot'),
            ('--buckets 1', ['--buckets', '1', wrap, '-o', 'x'], P, 2,
             r'--buckets: "1" must be an integer from 2 to 100000'),
            ('--what-if without an override', ['--what-if', wrap, '-o', 'x'], P, 2,
             r'--what-if needs an override'),
            ('--from-json with a trace', ['--from-json', result, wrap, '-o', 'x'], P, 2,
             r'--from-json reads no trace'),
            ('--from-json with --last-pkmap', ['--from-json', result, '--last-pkmap', '8',
                                               '-o', 'x'], P, 2, r'options do not apply'),
            ('unknown option', ['--frob', wrap], P, 2, r"unknown option '--frob'"),
            ('output over the input', ['--plot', 'pool', copy, '-o', copy], P, 2,
             r'copy.jsonl: refusing to write over the input'),
            ('-o names a file', [wrap, '-o', afile], P, 4,
             r'a-file: not a directory: hm-report writes its report into one'),
            ('bad trace', ['tests/cli/data/bad-unknown-op.jsonl', '-o', 'x'], P, 3,
             r'^hm-report: tests/cli/data/bad-unknown-op.jsonl:\d+'),
            ('missing trace', ['nosuch.jsonl', '-o', 'x'], P, 3, r'nosuch.jsonl'),
            ('not JSON', ['--from-json', notjson, '-o', 'x'], P, 3,
             r'not.json:2:\d+: not valid JSON'),
            ('JSON of another shape', ['--from-json', shape, '-o', 'x'], P, 3,
             r'shape.json: top level: expected an hm-replay --json result or an hm-report '
             r'series.json'),
            ('series.json with a short array', ['--from-json', short, '-o', 'x'], P, 3,
             r'short.json: runs\[0\].pool: "busy_max" must be an array of %d integers' %
             doc['runs'][0]['buckets']),
            ('a figure the result cannot draw', ['--plot', 'pool', '--from-json', result], P,
             3, r'figure "pool" needs the time series'),
            ('compare figure without --compare', ['--plot', 'compare-pool', wrap], P, 3,
             r'figure "compare-pool" needs --what-if ... --compare'),
            ('gnuplot missing', [wrap, '-o', 'x'], empty_path, 4,
             r'^hm-report: gnuplot not found: install the gnuplot-nox package$'),
            ('gnuplot fails on one script (of all)', [wrap, '-o', 'x'], failing + ':' + P, 4,
             r'^hm-report: gnuplot failed on pool.gp: plot boom \| "pool.gp" line 7: '
             r'undefined variable: boom$'),
            ('gnuplot fails (--plot)', ['--plot', 'waiters', wrap, '-o', '-'],
             failing + ':' + P, 4,
             r'^hm-report: gnuplot failed on waiters.gp: plot boom \| "waiters.gp" line 7'),
            ('gnuplot hangs', ['--gnuplot-timeout', '1', '--plot', 'pool', wrap, '-o',
                               os.path.join(tmp, 'img.svg')], slow + ':' + P, 4,
             r'^hm-report: gnuplot failed on pool.gp: killed after 1 s$'),
        ]
        for what, args, path, status, rx in cases:
            work = tempfile.mkdtemp(dir=tmp)
            args = [os.path.join(work, 'x') if x == 'x' else x for x in args]
            t = time.monotonic()
            p = subprocess.run([prog] + args, cwd=root, capture_output=True, text=True,
                               errors='replace', timeout=120, env=dict(os.environ, PATH=path))
            took = time.monotonic() - t
            tap(p.returncode == status and re.search(rx, p.stderr.strip(), re.M),
                '%s: exit %d, "%s"' % (what, status, rx),
                'exit %d, stderr:\n%s' % (p.returncode, p.stderr))
            out = os.path.join(work, 'x')
            left = [] if not os.path.isdir(out) else \
                [f for f in os.listdir(out) if f.startswith('.') or f == 'index.html']
            tap(not left, '%s: no temporary file or index.html left' % what, left)
            if what == 'gnuplot hangs':
                tap(took < 15, 'the hanging gnuplot was killed on time (%.1f s)' % took)
                tap(not os.path.exists(os.path.join(tmp, 'img.svg')), 'no image written')
        with open(copy, 'rb') as f:
            tap(f.read() == original, 'the input the output was refused over is unchanged')

        # interrupted while gnuplot runs: exit 130, nothing half-written
        out = os.path.join(tmp, 'int')
        p = subprocess.Popen([prog, wrap, '-o', out], cwd=root, stderr=subprocess.PIPE,
                             text=True, env=dict(os.environ, PATH=slow + ':' + P))
        time.sleep(1.0)
        p.send_signal(signal.SIGINT)
        try:
            _, err = p.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            p.kill()
            _, err = p.communicate()
        tap(p.returncode == 130 and 'interrupted' in err,
            'SIGINT while gnuplot runs: exit 130', 'exit %s: %s' % (p.returncode, err))
        # what was committed before the signal stays, whole: data, scripts, series.json
        left = [f for f in os.listdir(out)
                if f.startswith('.') or not f.endswith(('.dat', '.gp', '.json'))]
        tap(not left, 'SIGINT: no staging directory, image or index.html left', left)
        if os.path.exists(os.path.join(out, 'series.json')):
            with open(os.path.join(out, 'series.json')) as f:
                tap(json.load(f).get('hm_report_series') == 1, 'SIGINT: series.json is whole')
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print('1..%d' % n)
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
