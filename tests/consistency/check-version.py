#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""-V/--version of every tool: the same text both ways, "NAME (hmtrace)
VERSION" first, then the trace formats and the features this build has.
Prints TAP.

  check-version.py --root SRC --project-version X.Y.Z --formats json,jsonl,...
                   --feature zstd=yes ... --tool NAME=PATH:[FEATURE,...|-] ...
                   [--todo NAME=REASON]

VERSION comes from git when the tools were built from a checkout (SRC/.git
exists): it then names the commit, and starts with the newest vX.Y.Z tag
"git describe" finds or, before the first tag, with the project version.
Built from a tarball it is the project version (meson.build's fallback; the
package build in the slow suite checks that case).  A --tool's FEATUREs are
lines of its own it must add under "features:" (hm-report: gnuplot); "-"
marks a tool that reads no traces (hm-record, hm-capture-vm), whose formats
and features are not checked.
"""
import argparse
import os
import re
import subprocess
import sys

n = 0
bad = 0


def tap(cond, what, diag='', directive=''):
    global n, bad
    n += 1
    print('%s %d - %s%s' % ('ok' if cond else 'not ok', n, what,
                           ' # ' + directive if directive else ''))
    if not cond:
        if diag:
            print('# ' + diag.strip().replace('\n', '\n# '))
        if not directive.startswith('TODO'):
            bad += 1


def git(root, *args):
    try:
        p = subprocess.run(['git', '-C', root] + list(args), capture_output=True, text=True)
    except OSError:
        return None
    return p.stdout.strip() if p.returncode == 0 else None


def block(text, title):
    """{name: rest} of the indented lines under "title:"."""
    out, inside = {}, False
    for line in text.splitlines():
        if line == title + ':':
            inside = True
        elif inside and line.startswith('  '):
            name, _, rest = line.strip().partition(' ')
            out[name] = rest.strip()
        elif inside:
            break
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--root', required=True)
    ap.add_argument('--project-version', required=True)
    ap.add_argument('--formats', required=True)
    ap.add_argument('--feature', action='append', default=[])
    ap.add_argument('--tool', action='append', default=[])
    ap.add_argument('--todo', action='append', default=[])
    a = ap.parse_args()

    features = dict(f.split('=', 1) for f in a.feature)
    formats = a.formats.split(',')
    todo = dict(t.split('=', 1) for t in a.todo)
    pv = a.project_version

    checkout = os.path.exists(os.path.join(a.root, '.git')) and git(a.root, 'rev-parse',
                                                                    'HEAD')
    if checkout:
        head = git(a.root, 'rev-parse', '--short=7', 'HEAD')
        tag = git(a.root, 'describe', '--tags', '--abbrev=0', '--match', 'v[0-9]*')
        base = tag[1:] if tag else pv
        print('# built from a checkout: the version names commit %s, starts with %s'
              % (head, base))
    else:
        print('# built from a tarball: the version is %s' % pv)

    for t in a.tool:
        name, _, rest = t.partition('=')
        path, _, extra = rest.rpartition(':')
        reads_traces = extra != '-'
        extra = [e for e in extra.split(',') if e and e != '-']
        if name in todo:
            p = subprocess.run([path, '--version'], capture_output=True, text=True)
            tap(p.returncode == 0 and p.stdout.startswith(name),
                '%s --version' % name, 'exit %d: %s' % (p.returncode, p.stderr.strip()),
                'TODO ' + todo[name])
            continue
        short = subprocess.run([path, '-V'], capture_output=True, text=True)
        long_ = subprocess.run([path, '--version'], capture_output=True, text=True)
        tap(short.returncode == 0 and not short.stderr, '%s -V exits 0, nothing on stderr' % name,
            'exit %d: %s' % (short.returncode, short.stderr))
        tap(long_.stdout == short.stdout and long_.returncode == 0,
            '%s --version prints what -V prints' % name)
        out = short.stdout
        first = out.split('\n', 1)[0]
        m = re.fullmatch(re.escape(name) + r' \(hmtrace\) (\S+)', first)
        tap(m, '%s: first line "%s (hmtrace) VERSION"' % (name, name), 'got "%s"' % first)
        v = m.group(1) if m else ''
        if checkout:
            tap(v.startswith(base) and ('-g' + head) in v or v == base,
                '%s: version %s is from git (%s, commit %s)' % (name, v, base, head))
        else:
            tap(v == pv, '%s: version %s is the project version %s' % (name, v, pv))
        if not reads_traces:
            continue
        got = block(out, 'trace formats')
        tap(sorted(got) == sorted(formats), '%s: trace formats %s' % (name, ','.join(formats)),
            'got %s' % sorted(got))
        got = block(out, 'features')
        for f, state in sorted(features.items()):
            tap(got.get(f, '').split(' ')[0] == state, '%s: feature %s %s' % (name, f, state),
                'got "%s"' % got.get(f))
        for f in extra:
            tap(f in got and got[f].split(' ')[0] in ('yes', 'no'),
                '%s: feature %s listed (%s)' % (name, f, got.get(f)))
    print('1..%d' % n)
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
