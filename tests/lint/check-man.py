#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""man/hm-lint.1 against hm-lint: the sections the house style asks for, a
RULES subsection for every rule --list-rules prints, every option of --help
documented, and every EXAMPLES command run from the project root (outputs go
to a temporary directory) with exit status 0 or 1.  Prints TAP.

  check-man.py HM-LINT SOURCE-ROOT
"""
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

SECTIONS = ['NAME', 'SYNOPSIS', 'DESCRIPTION', 'OPTIONS', 'RULES', 'OUTPUT FORMATS',
            'EXIT STATUS', 'EXAMPLES', 'SEE ALSO']

n = 0
bad = 0


def ok(cond, what, diag=''):
    global n, bad
    n += 1
    print('%s %d - %s' % ('ok' if cond else 'not ok', n, what))
    if not cond:
        bad += 1
        if diag:
            print('# ' + diag.replace('\n', '\n# '))


def unescape(s):
    return s.replace('\\-', '-').replace("\\(aq", "'").replace('\\e', '\\')


def examples(man):
    sec = man.split('\n.SH EXAMPLES', 1)[1].split('\n.SH ', 1)[0]
    return [m.group(1) for m in (re.match(r'^\$ (hm-lint .*)$', unescape(line).strip())
                                 for line in sec.splitlines()) if m]


def main():
    prog, root = os.path.abspath(sys.argv[1]), sys.argv[2]
    with open(os.path.join(root, 'man', 'hm-lint.1')) as f:
        man = f.read()
    plain = unescape(man).replace('\\fB', '').replace('\\fR', '').replace('\\fI', '')

    for s in SECTIONS:
        ok(re.search(r'^\.SH "?' + re.escape(s) + r'"?\s*$', man, re.M), 'section ' + s)

    rules = [line.split()[0] for line in subprocess.run(
        [prog, '--list-rules'], capture_output=True, text=True, check=True).stdout.splitlines()]
    ok(len(rules) > 10, '--list-rules lists the rules')
    for r in rules:
        ok(re.search(r'^\.SS ' + re.escape(r) + r'\s*$', man, re.M), 'RULES documents ' + r)

    helptext = subprocess.run([prog, '--help'], capture_output=True, text=True,
                              check=True).stdout
    opts = sorted(set(re.findall(r'(?<![\w-])(--[a-zA-Z][a-zA-Z0-9-]*|-[a-zA-Z])\b',
                                 helptext.split('\nEXAMPLES')[0])))
    for o in opts:
        ok(re.search(r'(?<![\w-])' + re.escape(o) + r'\b', plain), 'option %s documented' % o)
    ok(helptext.rstrip().split('\n\n')[-1].startswith('EXAMPLES'), '--help ends with EXAMPLES')

    cmds = examples(man)
    ok(len(cmds) >= 3, 'EXAMPLES has commands')
    tmp = tempfile.mkdtemp(prefix='hm-lint-man-')
    try:
        for cmd in cmds:
            head, _, pipe = cmd.partition('|')
            words = shlex.split(head)
            for j in range(1, len(words)):
                if words[j - 1] in ('-o', '--output'):
                    words[j] = os.path.join(tmp, os.path.basename(words[j]))
            words[0] = prog
            line = ' '.join(shlex.quote(w) for w in words) + (' |' + pipe if pipe else '')
            p = subprocess.run(line, shell=True, cwd=root, capture_output=True, text=True,
                               timeout=240)
            ran = p.returncode in (0, 1) and (p.stdout.strip() or os.listdir(tmp))
            ok(ran, 'example: ' + cmd, 'exit %d\n%s' % (p.returncode, p.stderr))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print('1..%d' % n)
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
