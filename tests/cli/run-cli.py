#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Golden CLI tests for hm-replay, printed as TAP.

Each case is a set of files in cases/ sharing a name:
  NAME.cmd      the arguments after the program name, one line, shell quoting;
                @TMP@ is replaced by a fresh directory for the case's outputs
  NAME.stdin    optional: fed to standard input
  NAME.out      expected standard output
  NAME.err      expected standard error (missing means empty)
  NAME.status   expected exit status (missing means 0)
  NAME.post     optional: a second command (a checker run on files the first
                wrote to @TMP@); its stdout is compared with NAME.post.out and
                it must exit 0.  @PYTHON@ is the running python, @PROG@ the
                program under test.

Commands run from this directory, so traces are named data/x.jsonl or
../../traces/x and reports show those relative names.

  run-cli.py --prog PATH [--regen] [NAME...]

--regen rewrites the expectations from what the program does now: review the
diff before committing it.
"""
import argparse
import difflib
import os
import shlex
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = os.path.join(HERE, 'cases')


def read(path, default=None):
    try:
        with open(path, 'rb') as f:
            return f.read()
    except FileNotFoundError:
        return default


def write(path, data):
    with open(path, 'wb') as f:
        f.write(data)


def expand(args, tmp, prog):
    out = []
    for a in args:
        a = a.replace('@TMP@', tmp).replace('@PYTHON@', sys.executable)
        a = a.replace('@PROG@', prog)
        out.append(a)
    return out


def diff(want, got, name):
    lines = difflib.unified_diff(want.decode(errors='replace').splitlines(True),
                                 got.decode(errors='replace').splitlines(True),
                                 'expected ' + name, 'actual ' + name)
    return ''.join('# ' + l if l.endswith('\n') else '# ' + l + '\n' for l in lines)


def run_case(name, prog, regen):
    base = os.path.join(CASES, name)
    tmp = tempfile.mkdtemp(prefix='hm-cli-')
    problems = []
    try:
        cmd = read(base + '.cmd').decode().strip()
        args = expand(shlex.split(cmd), tmp, prog)
        stdin = read(base + '.stdin', b'')
        env = dict(os.environ, LC_ALL='C', TZ='UTC')
        p = subprocess.run([prog] + args, input=stdin, capture_output=True, cwd=HERE,
                           env=env, timeout=120)
        got_out, got_err = p.stdout, p.stderr.replace(tmp.encode(), b'@TMP@')
        got_out = got_out.replace(tmp.encode(), b'@TMP@')
        got_status = str(p.returncode).encode() + b'\n'
        post = read(base + '.post')
        got_post = None
        if post is not None:
            pargs = expand(shlex.split(post.decode().strip()), tmp, prog)
            q = subprocess.run(pargs, capture_output=True, cwd=HERE, env=env, timeout=120)
            got_post = q.stdout.replace(tmp.encode(), b'@TMP@')
            if q.returncode != 0:
                problems.append('# post command exited %d\n# %s' %
                                (q.returncode, q.stderr.decode(errors='replace')))
        if regen:
            write(base + '.out', got_out)
            if got_err:
                write(base + '.err', got_err)
            elif os.path.exists(base + '.err'):
                os.unlink(base + '.err')
            if p.returncode:
                write(base + '.status', got_status)
            elif os.path.exists(base + '.status'):
                os.unlink(base + '.status')
            if got_post is not None:
                write(base + '.post.out', got_post)
            return problems
        for suffix, got, default in (('.out', got_out, b''), ('.err', got_err, b''),
                                     ('.status', got_status, b'0\n')):
            want = read(base + suffix, default)
            if want != got:
                problems.append(diff(want, got, name + suffix))
        if got_post is not None:
            want = read(base + '.post.out', b'')
            if want != got_post:
                problems.append(diff(want, got_post, name + '.post.out'))
        return problems
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--prog', required=True, help='the hm-replay binary')
    ap.add_argument('--regen', action='store_true', help='rewrite the expectations')
    ap.add_argument('names', nargs='*')
    a = ap.parse_args()
    prog = os.path.abspath(a.prog)
    names = a.names or sorted(f[:-4] for f in os.listdir(CASES) if f.endswith('.cmd'))
    failed = 0
    for i, name in enumerate(names, 1):
        problems = run_case(name, prog, a.regen)
        print('%s %d - %s' % ('not ok' if problems else 'ok', i, name))
        for pr in problems:
            sys.stdout.write(pr if pr.endswith('\n') else pr + '\n')
        failed += bool(problems)
    print('1..%d' % len(names))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
