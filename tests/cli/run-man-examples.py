#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Run every command of the EXAMPLES section of a man page, from the project
root, and check it exits 0 and prints something.  Prints TAP.

An example is a line of the section's .EX/.EE (or .nf/.fi) blocks that starts
with "$ hm-replay "; the program name is replaced by --prog.  A pipe into
another program is run through the shell; outputs an example writes go to a
temporary directory (the example's words "out.json", "out.jsonl" and any
"-o FILE" or "--timeline FILE" argument are redirected there).

  run-man-examples.py --prog PATH --man man/hm-replay.1 --root DIR
"""
import argparse
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile


def examples(man):
    text = man.split('\n.SH EXAMPLES', 1)
    if len(text) < 2:
        return []
    sec = text[1].split('\n.SH ', 1)[0]
    out = []
    for line in sec.splitlines():
        line = line.replace('\\-', '-').replace('\\e', '\\').replace("\\(aq", "'")
        m = re.match(r'^\$ (hm-replay .*)$', line.strip())
        if m:
            out.append(m.group(1))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--prog', required=True)
    ap.add_argument('--man', required=True)
    ap.add_argument('--root', required=True)
    a = ap.parse_args()
    with open(a.man) as f:
        cmds = examples(f.read())
    tmp = tempfile.mkdtemp(prefix='hm-man-')
    bad = 0
    try:
        for i, cmd in enumerate(cmds, 1):
            words = shlex.split(cmd.split('|')[0])
            for j, w in enumerate(words):
                if j and words[j - 1] in ('-o', '--output', '--timeline', '--convert'):
                    words[j] = os.path.join(tmp, os.path.basename(w))
            words[0] = os.path.abspath(a.prog)
            line = ' '.join(shlex.quote(w) for w in words)
            if '|' in cmd:
                line += ' |' + cmd.split('|', 1)[1]
            p = subprocess.run(line, shell=True, cwd=a.root, capture_output=True, text=True,
                               timeout=240)
            ok = p.returncode == 0 and (p.stdout.strip() or os.listdir(tmp))
            print('%s %d - %s' % ('ok' if ok else 'not ok', i, cmd))
            if not ok:
                bad += 1
                print('# exit %d\n# %s' % (p.returncode, p.stderr.replace('\n', '\n# ')))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if not cmds:
        print('not ok 1 - no examples found in %s' % a.man)
        print('1..1')
        return 1
    print('1..%d' % len(cmds))
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
