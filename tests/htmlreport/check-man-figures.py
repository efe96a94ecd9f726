#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Every figure hm-report --list-plots names is an item of the FIGURES
section of man/hm-report.1, and every item there is a figure.  Prints TAP.

  check-man-figures.py --prog HM_REPORT --man man/hm-report.1
"""
import argparse
import re
import subprocess
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--prog', required=True)
    ap.add_argument('--man', required=True)
    a = ap.parse_args()
    listed = [l.split()[0] for l in subprocess.run([a.prog, '--list-plots'], check=True,
                                                    capture_output=True, text=True)
              .stdout.splitlines() if l.strip()]
    with open(a.man) as f:
        man = f.read()
    sec = re.split(r'^\.SH\s+FIGURES\s*$', man, flags=re.M)
    sec = re.split(r'^\.SH\s', sec[1], flags=re.M)[0] if len(sec) > 1 else ''
    items = [m.group(1).replace('\\-', '-')
             for m in re.finditer(r'^\.TP\n\.B (\S+)\s*$', sec, re.M)]
    n = bad = 0
    for name in listed:
        n += 1
        ok = name in items
        bad += not ok
        print('%s %d - figure %s is described under FIGURES' % ('ok' if ok else 'not ok', n,
                                                                name))
    for name in items:
        if name not in listed:
            n += 1
            bad += 1
            print('not ok %d - FIGURES describes %s, which --list-plots does not list' %
                  (n, name))
    n += 1
    ok = len(listed) >= 8
    bad += not ok
    print('%s %d - at least 8 figures (%d)' % ('ok' if ok else 'not ok', n, len(listed)))
    print('1..%d' % n)
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
