#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Every option hm-replay --help lists must be documented in its man page
(as a bold \\-\\-name or \\-x item), and every section the house style asks
for must be there.  Prints TAP.

  check-manpage.py --prog PATH --man man/hm-replay.1
"""
import argparse
import re
import subprocess
import sys

SECTIONS = ['NAME', 'SYNOPSIS', 'DESCRIPTION', 'OPTIONS', 'EXIT STATUS', 'EXAMPLES',
            'SEE ALSO']


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--prog', required=True)
    ap.add_argument('--man', required=True)
    ap.add_argument('--sections', nargs='*', default=[])
    a = ap.parse_args()
    helptext = subprocess.run([a.prog, '--help'], capture_output=True, text=True,
                              check=True).stdout
    with open(a.man) as f:
        man = f.read()
    # the man page spells "--x" as \-\-x; unescape for matching
    plain = man.replace('\\-', '-').replace('\\fB', '').replace('\\fR', '') \
        .replace('\\fI', '')
    opts = sorted(set(re.findall(r'(?<![\w-])(--[a-z][a-z0-9-]*|-[a-zA-Z])\b', helptext)))
    n = 0
    bad = 0
    for o in opts:
        n += 1
        ok = re.search(r'^\.(?:TP|IP|B).*\n?.*(?<![\w-])' + re.escape(o) + r'\b', plain,
                       re.M) or re.search(r'(?<![\w-])' + re.escape(o) + r'\b', plain)
        print('%s %d - %s is in the man page' % ('ok' if ok else 'not ok', n, o))
        bad += not ok
    for s in SECTIONS + a.sections:
        n += 1
        ok = re.search(r'^\.SH "?' + re.escape(s) + r'"?\s*$', man, re.M)
        print('%s %d - section %s' % ('ok' if ok else 'not ok', n, s))
        bad += not ok
    print('1..%d' % n)
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
