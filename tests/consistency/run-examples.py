#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Run the EXAMPLES of a man page, from the project root.  Prints TAP.

  run-examples.py --man PAGE --prog NAME=PATH... [--root DIR]
                  [--skip REGEX=REASON]... [--status REGEX=0,4]... [--documents NAME]

A command is a line of the EXAMPLES section that starts with "$ " (the
convention of every page here: a line without it is shown, not run).  Its
program must be one of the --prog names and is replaced by that path; a pipe
into another program runs through the shell.  Files an example writes go to
a temporary directory (the value of -o, --output, --timeline and --convert).
An example passes when it exits 0 (or with a status --status allows for it)
and prints something or writes a file.  --skip names examples that cannot run
here (a capture that boots a VM) and says why; they are reported as skipped.

--documents NAME also feeds every no-fill block (.nf/.fi, .EX/.EE) of
EXAMPLES that starts with "{" to program NAME on standard input: the format
examples of hm-trace(5) must be traces the tools accept.

tests/cli/run-man-examples.py (hm-replay(1), hm-trace(5)) and
tests/lint/check-man.py (hm-lint(1)) run their pages' commands already; this
runner is for the other pages.
"""
import argparse
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

OUTPUT_OPTS = ('-o', '--output', '--timeline', '--convert')


def unescape(s):
    s = re.sub(r'\\f(\[[^]]*\]|[BIRP])', '', s)
    return (s.replace('\\-', '-').replace("\\(aq", "'").replace('\\(dq', '"')
            .replace('\\e', '\\').replace('\\&', ''))


def examples_section(man):
    parts = re.split(r'^\.SH\s+"?([^"\n]*?)"?\s*$', man, flags=re.M)
    for i in range(1, len(parts) - 1, 2):
        if parts[i] == 'EXAMPLES':
            return parts[i + 1]
    return ''


def commands(sec):
    return [m.group(1) for m in (re.match(r'^\$ (.*)$', unescape(line).strip())
                                 for line in sec.splitlines()) if m]


def documents(sec):
    docs, cur = [], None
    for line in sec.splitlines():
        if re.match(r'^\.(nf|EX)\b', line):
            cur = []
        elif re.match(r'^\.(fi|EE)\b', line):
            if cur and cur[0].lstrip().startswith('{'):
                docs.append('\n'.join(cur) + '\n')
            cur = None
        elif cur is not None and not line.startswith('.'):
            cur.append(unescape(line))
    return docs


def pairs(items, what):
    out = []
    for it in items:
        k, sep, v = it.partition('=')
        if not sep:
            sys.exit('run-examples.py: %s "%s" must be KEY=VALUE' % (what, it))
        out.append((k, v))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--man', required=True)
    ap.add_argument('--prog', action='append', default=[], required=True)
    ap.add_argument('--root', default='.')
    ap.add_argument('--skip', action='append', default=[])
    ap.add_argument('--status', action='append', default=[])
    ap.add_argument('--documents')
    a = ap.parse_args()
    progs = dict(pairs(a.prog, '--prog'))
    skips = [(re.compile(k), v) for k, v in pairs(a.skip, '--skip')]
    statuses = [(re.compile(k), {int(s) for s in v.split(',')})
                for k, v in pairs(a.status, '--status')]
    root = os.path.abspath(a.root)
    with open(a.man) as f:
        sec = examples_section(f.read())
    page = os.path.basename(a.man)
    n = bad = 0

    def tap(cond, what, diag='', directive=''):
        nonlocal n, bad
        n += 1
        print('%s %d - %s%s' % ('ok' if cond else 'not ok', n, what,
                               ' # ' + directive if directive else ''))
        if not cond:
            bad += 1
            if diag:
                print('# ' + diag.strip().replace('\n', '\n# '))

    cmds = commands(sec)
    tap(cmds or a.documents, '%s: EXAMPLES has commands to run' % page)
    tmp = tempfile.mkdtemp(prefix='hm-examples-')
    try:
        for cmd in cmds:
            reason = next((r for rx, r in skips if rx.search(cmd)), None)
            if reason:
                tap(True, 'example: ' + cmd, directive='SKIP ' + reason)
                continue
            head, bar, pipe = cmd.partition('|')
            words = shlex.split(head)
            if words[0] not in progs:
                tap(False, 'example: ' + cmd, '%s is not a program this test knows (--prog)'
                    % words[0])
                continue
            for j in range(1, len(words)):
                if words[j - 1] in OUTPUT_OPTS:
                    words[j] = os.path.join(tmp, os.path.basename(words[j]))
            words[0] = os.path.abspath(progs[words[0]])
            line = ' '.join(shlex.quote(w) for w in words) + (' |' + pipe if bar else '')
            want = next((s for rx, s in statuses if rx.search(cmd)), {0})
            try:
                p = subprocess.run(line, shell=True, cwd=root, capture_output=True, text=True,
                                   timeout=240, stdin=subprocess.DEVNULL)
            except subprocess.TimeoutExpired:
                tap(False, 'example: ' + cmd, 'timeout')
                continue
            ok = p.returncode in want and (p.stdout.strip() or p.stderr.strip() or
                                           os.listdir(tmp))
            tap(ok, 'example: ' + cmd, 'exit %d (want %s)\n%s' % (
                p.returncode, ' or '.join(map(str, sorted(want))), p.stderr[-2000:]))
        if a.documents:
            docs = documents(sec)
            tap(docs, '%s: EXAMPLES has documents' % page)
            for i, doc in enumerate(docs, 1):
                p = subprocess.run([os.path.abspath(progs[a.documents]), '-'], input=doc,
                                   cwd=root, capture_output=True, text=True, timeout=60)
                tap(p.returncode == 0, '%s reads document %d of EXAMPLES (%s...)' % (
                    a.documents, i, doc.split('\n')[0][:40]),
                    'exit %d\n%s' % (p.returncode, p.stderr))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print('1..%d' % n)
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
