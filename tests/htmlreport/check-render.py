#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Every bundled trace makes a report, and every gnuplot script hm-report
writes renders under the real gnuplot, also on its own.  Prints TAP.

  check-render.py --prog HM_REPORT --root SRC

For each trace of traces/ and tests/cli/data/ (and one --compare): hm-report
-v --format both exits 0 and prints nothing but the files it wrote (no
gnuplot warning); every NAME.gp it wrote, run again by "gnuplot -d NAME.gp"
in a copy of the directory, exits 0 with nothing on stderr; every NAME.svg
is well-formed XML with an <svg> root, every NAME.png a PNG 960 pixels wide;
index.html has a drawn <figure> per image.
"""
import argparse
import glob
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

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


def png_size(path):
    with open(path, 'rb') as f:
        head = f.read(24)
    if head[:8] != b'\x89PNG\r\n\x1a\n' or head[12:16] != b'IHDR':
        return None
    return struct.unpack('>II', head[16:24])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--prog', required=True)
    ap.add_argument('--root', required=True)
    a = ap.parse_args()
    prog = os.path.abspath(a.prog)
    gnuplot = shutil.which('gnuplot')
    if not gnuplot:
        print('1..0 # SKIP gnuplot is not installed (package gnuplot-nox)')
        return 77
    root = os.path.abspath(a.root)
    traces = sorted(glob.glob(os.path.join(root, 'traces', '*.ftrace.zst')) +
                    glob.glob(os.path.join(root, 'traces', '*.jsonl')) +
                    [t for t in glob.glob(os.path.join(root, 'tests', 'cli', 'data', '*.jsonl'))
                     if 'bad-' not in os.path.basename(t)])
    runs = [([os.path.relpath(t, root)], os.path.basename(t).split('.')[0]) for t in traces]
    runs.append((['--what-if', '--last-pkmap', '16', '--compare',
                  'traces/pae-2cpu-minix.ftrace.zst'], 'pae-2cpu-minix-compare'))
    tmp = tempfile.mkdtemp(prefix='hm-report-render-')
    try:
        for args, name in runs:
            out = os.path.join(tmp, name)
            p = subprocess.run([prog, '-v', '--format', 'both'] + args + ['-o', out], cwd=root,
                               capture_output=True, text=True, timeout=300)
            other = [l for l in p.stderr.splitlines() if not re.match(r'hm-report: wrote ', l)]
            if not tap(p.returncode == 0 and not other,
                       '%s: hm-report %s, nothing but the files on stderr' %
                       (name, ' '.join(args)), 'exit %d\n%s' % (p.returncode, '\n'.join(other))):
                continue
            scripts = sorted(f for f in os.listdir(out) if f.endswith('.gp'))
            again = os.path.join(tmp, name + '-again')
            shutil.copytree(out, again)
            for f in os.listdir(again):
                if f.endswith('.svg') or f.endswith('.png'):
                    os.unlink(os.path.join(again, f))
            for gp in scripts:
                stem = gp[:-3]
                q = subprocess.run([gnuplot, '-d', gp], cwd=again, capture_output=True,
                                   text=True, timeout=60)
                tap(q.returncode == 0 and not q.stderr.strip() and
                    os.path.exists(os.path.join(again, stem + '.svg')) and
                    os.path.exists(os.path.join(again, stem + '.png')),
                    '%s: gnuplot -d %s renders on its own' % (name, gp),
                    'exit %d\n%s' % (q.returncode, q.stderr))
                try:
                    ok = ET.parse(os.path.join(out, stem + '.svg')).getroot().tag.endswith('svg')
                    why = ''
                except (ET.ParseError, OSError) as e:
                    ok, why = False, e
                tap(ok, '%s: %s.svg is well-formed SVG' % (name, stem), why)
                size = png_size(os.path.join(out, stem + '.png'))
                tap(size is not None and size[0] == 960 and size[1] >= 300,
                    '%s: %s.png is a PNG 960 wide' % (name, stem), 'size %s' % (size,))
            with open(os.path.join(out, 'index.html')) as f:
                page = f.read()
            drawn = re.findall(r'<figure id="fig-([a-z-]+)" class="drawn">', page)
            tap(sorted(drawn) == sorted(s[:-3] for s in scripts) and drawn,
                '%s: index.html has a drawn figure per script (%d)' % (name, len(drawn)),
                'drawn %s, scripts %s' % (drawn, scripts))
            tap(page.count('<svg class="hm-fig"') == len(drawn),
                '%s: every figure inlined as SVG' % name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print('1..%d' % n)
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
