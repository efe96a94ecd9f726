#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Run every command of the EXAMPLES section of man/hm-report.1, in order, as
a user would type them.  Prints TAP.

  run-examples.py --man man/hm-report.1 --prog hm-report=PATH --prog hm-replay=PATH
                  --root SRC

A command is a line of EXAMPLES that starts with "$ ".  Commands run through
the shell, one after the other (a later one may read what an earlier one
wrote), in a temporary directory where traces/ is the project's, with the
--prog programs first on PATH.  Each must exit 0; a report directory it
names with -o must hold index.html with drawn figures, a file it redirects
to must hold an SVG, and a command without either must print something.
"""
import argparse
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile


def unescape(s):
    s = re.sub(r'\\f(\[[^]]*\]|[BIRP])', '', s)
    return (s.replace('\\-', '-').replace("\\(aq", "'").replace('\\(dq', '"')
            .replace('\\e', '\\').replace('\\&', ''))


def commands(man):
    sec = re.split(r'^\.SH\s+"?EXAMPLES"?\s*$', man, flags=re.M)
    if len(sec) < 2:
        return []
    sec = re.split(r'^\.SH\s', sec[1], flags=re.M)[0]
    return [m.group(1) for m in (re.match(r'^\$ (.*)$', unescape(l).strip())
                                 for l in sec.splitlines()) if m]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--man', required=True)
    ap.add_argument('--prog', action='append', required=True)
    ap.add_argument('--root', required=True)
    a = ap.parse_args()
    root = os.path.abspath(a.root)
    with open(a.man) as f:
        cmds = commands(f.read())
    dirs = []
    for p in a.prog:
        name, _, path = p.partition('=')
        d = tempfile.mkdtemp(prefix='hm-bin-')
        os.symlink(os.path.abspath(path), os.path.join(d, name))
        dirs.append(d)
    tmp = tempfile.mkdtemp(prefix='hm-report-examples-')
    os.symlink(os.path.join(root, 'traces'), os.path.join(tmp, 'traces'))
    env = dict(os.environ, PATH=':'.join(dirs + [os.environ.get('PATH', '')]))
    n = bad = 0
    try:
        for cmd in cmds:
            n += 1
            words = shlex.split(cmd)
            p = subprocess.run(cmd, shell=True, cwd=tmp, env=env, capture_output=True,
                               text=True, timeout=300)
            why = '' if p.returncode == 0 else 'exit %d: %s' % (p.returncode, p.stderr[-1500:])
            out = words[words.index('-o') + 1] if '-o' in words else None
            redirect = words[words.index('>') + 1] if '>' in words else None
            if not why and words[0] == 'hm-report' and out and out != '-':
                page = os.path.join(tmp, out, 'index.html')
                if not os.path.exists(page):
                    why = '%s/index.html not written' % out
                else:
                    with open(page) as f:
                        if 'class="drawn"' not in f.read():
                            why = '%s/index.html has no figure' % out
            elif not why and redirect:
                with open(os.path.join(tmp, redirect), 'rb') as f:
                    if b'<svg' not in f.read():
                        why = '%s is not an SVG' % redirect
            elif not why and not out and not p.stdout.strip():
                why = 'printed nothing'
            elif not why and out and not os.path.exists(os.path.join(tmp, out)):
                why = '%s not written' % out
            print('%s %d - example: %s' % ('not ok' if why else 'ok', n, cmd))
            if why:
                bad += 1
                print('# ' + why.strip().replace('\n', '\n# '))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        for d in dirs:
            shutil.rmtree(d, ignore_errors=True)
    if not cmds:
        print('not ok 1 - no examples in %s' % a.man)
        n, bad = 1, 1
    print('1..%d' % n)
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
