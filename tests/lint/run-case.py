#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Run one hm-lint case: exit status, golden stdout/stderr, the exact set of
rules found (from --format json), and SARIF checked against the 2.1.0 schema.

  run-case.py --hm-lint EXE --cwd DIR --expected DIR --name NAME --exit N
              [--rules R1,R2 | --rules ''] [--golden text,json,sarif]
              [--stderr] [--schema FILE] -- ARGS...

HM_LINT_REGEN=1 rewrites the golden files instead of comparing (review the diff).
"""
import argparse
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True
sys.path.insert(0, HERE)
import check_sarif  # noqa: E402

REGEN = os.environ.get('HM_LINT_REGEN') == '1'


def run(exe, args, cwd):
    p = subprocess.run([os.path.abspath(exe)] + args, cwd=cwd, capture_output=True, text=True,
                       timeout=120)
    if p.returncode < 0:
        raise SystemExit(f'FAIL: hm-lint died of signal {-p.returncode}\n{p.stderr}')
    return p


def normalise(text):
    # the version comes from git describe: keep goldens stable across commits
    return re.sub(r'("name": "hm-lint",\s*"version": )"[^"]*"', r'\1"VERSION"', text)


def golden(path, got, failures):
    got = normalise(got)
    if REGEN:
        with open(path, 'w') as f:
            f.write(got)
        return
    try:
        with open(path) as f:
            want = f.read()
    except FileNotFoundError:
        failures.append(f'missing golden {path} (HM_LINT_REGEN=1 to create it)')
        return
    if got != want:
        import difflib
        diff = ''.join(difflib.unified_diff(want.splitlines(True), got.splitlines(True),
                                            path, 'got'))
        failures.append(f'output differs from {path}:\n{diff}')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--hm-lint', required=True)
    ap.add_argument('--cwd', required=True)
    ap.add_argument('--expected', required=True)
    ap.add_argument('--name', required=True)
    ap.add_argument('--exit', type=int, required=True)
    ap.add_argument('--rules')
    ap.add_argument('--golden', default='text')
    ap.add_argument('--stderr', action='store_true')
    ap.add_argument('--schema')
    ap.add_argument('--sarif-self-test', action='store_true')
    ap.add_argument('args', nargs=argparse.REMAINDER)
    o = ap.parse_args()
    args = o.args[1:] if o.args[:1] == ['--'] else o.args
    goldens = [g for g in o.golden.split(',') if g]
    base = os.path.join(o.expected, o.name)
    failures = []

    p = run(o.hm_lint, args, o.cwd)
    if p.returncode != o.exit:
        failures.append(f'exit status {p.returncode}, expected {o.exit}\nstderr: {p.stderr}')
    if 'text' in goldens:
        golden(base + '.out', p.stdout, failures)
    if o.stderr:
        golden(base + '.err', p.stderr, failures)
    elif p.stderr and p.returncode in (0, 1):
        failures.append(f'unexpected stderr: {p.stderr}')

    if o.rules is not None:
        j = run(o.hm_lint, ['--format', 'json'] + args, o.cwd)
        if j.returncode != o.exit:
            failures.append(f'--format json: exit status {j.returncode}, expected {o.exit}')
        lines = [json.loads(line) for line in j.stdout.splitlines() if line.strip()]
        found = sorted({d['rule'] for d in lines if 'rule' in d})
        want = sorted(r for r in o.rules.split(',') if r)
        if found != want:
            failures.append(f'rules found {found}, expected exactly {want}')
        summary = [d['summary'] for d in lines if 'summary' in d]
        if len(summary) != 1 or summary[0]['exit_status'] != o.exit:
            failures.append(f'--format json: expected one summary with exit_status {o.exit}')
        if 'json' in goldens:
            golden(base + '.json', j.stdout, failures)

    if o.schema:
        s = run(o.hm_lint, ['--format', 'sarif'] + args, o.cwd)
        if s.returncode != o.exit:
            failures.append(f'--format sarif: exit status {s.returncode}, expected {o.exit}')
        try:
            log = json.loads(s.stdout)
            failures += ['sarif: ' + e for e in check_sarif.check(log, o.schema)]
            if o.sarif_self_test:
                failures += check_sarif.self_test(log, o.schema)
        except ValueError as e:
            failures.append(f'sarif: not JSON: {e}')
        if 'sarif' in goldens:
            golden(base + '.sarif', s.stdout, failures)

    if failures:
        print('\n'.join('FAIL: ' + f for f in failures))
        return 1
    print('ok')
    return 0


if __name__ == '__main__':
    sys.exit(main())
