#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Check a SARIF log: against the OASIS SARIF 2.1.0 JSON schema (shipped in
tests/lint/sarif/, validated with python3-jsonschema), and field by field for
what GitHub code scanning needs on top of the schema (rules with id and
texts, results with a rule, a level, a message and a location in a file).

  check_sarif.py SCHEMA LOG.sarif        check a log
  check_sarif.py --self-test SCHEMA LOG  also prove the checks reject broken logs
"""
import copy
import json
import sys

LEVELS = {'none', 'note', 'warning', 'error'}


def schema_errors(log, schema_path):
    try:
        import jsonschema
    except ImportError:
        return ['python3-jsonschema is not installed (scripts/setup installs it)']
    with open(schema_path) as f:
        schema = json.load(f)
    v = jsonschema.Draft4Validator(schema)
    return [f'schema: {"/".join(str(p) for p in e.absolute_path)}: {e.message}'
            for e in sorted(v.iter_errors(log), key=lambda e: list(e.absolute_path))[:20]]


def text_of(obj, key):
    v = obj.get(key) if isinstance(obj, dict) else None
    return isinstance(v, dict) and isinstance(v.get('text'), str) and v['text'] != ''


def field_errors(log):
    errs = []
    if not isinstance(log, dict):
        return ['the log is not an object']
    if log.get('version') != '2.1.0':
        errs.append('version must be "2.1.0"')
    if not isinstance(log.get('$schema'), str):
        errs.append('$schema missing')
    runs = log.get('runs')
    if not isinstance(runs, list) or not runs:
        return errs + ['runs must be a non-empty array']
    for ri, run in enumerate(runs):
        where = f'runs[{ri}]'
        driver = run.get('tool', {}).get('driver') if isinstance(run.get('tool'), dict) else None
        if not isinstance(driver, dict) or not isinstance(driver.get('name'), str):
            errs.append(f'{where}.tool.driver.name missing')
            continue
        rules = driver.get('rules', [])
        ids = []
        for i, r in enumerate(rules):
            w = f'{where}.tool.driver.rules[{i}]'
            if not isinstance(r.get('id'), str) or not r['id']:
                errs.append(f'{w}.id missing')
            ids.append(r.get('id'))
            for k in ('shortDescription', 'fullDescription', 'help'):
                if not text_of(r, k):
                    errs.append(f'{w}.{k}.text missing')
        if len(set(ids)) != len(ids):
            errs.append(f'{where}: rule ids are not unique')
        results = run.get('results')
        if not isinstance(results, list):
            errs.append(f'{where}.results must be an array')
            results = []
        for i, res in enumerate(results):
            w = f'{where}.results[{i}]'
            if not isinstance(res, dict):
                errs.append(f'{w} is not an object')
                continue
            rid = res.get('ruleId')
            if rid not in ids:
                errs.append(f'{w}.ruleId {rid!r} names no rule')
            idx = res.get('ruleIndex')
            if idx is not None and (not isinstance(idx, int) or idx >= len(ids) or ids[idx] != rid):
                errs.append(f'{w}.ruleIndex {idx!r} does not point at {rid!r}')
            if res.get('level') not in LEVELS:
                errs.append(f'{w}.level {res.get("level")!r} is not one of {sorted(LEVELS)}')
            if not text_of(res, 'message'):
                errs.append(f'{w}.message.text missing')
            locs = res.get('locations')
            if not isinstance(locs, list) or not locs:
                errs.append(f'{w}.locations must be a non-empty array')
                continue
            phys = locs[0].get('physicalLocation') if isinstance(locs[0], dict) else None
            uri = phys.get('artifactLocation', {}).get('uri') if isinstance(phys, dict) else None
            if not isinstance(uri, str) or not uri:
                errs.append(f'{w}.locations[0].physicalLocation.artifactLocation.uri missing')
            region = phys.get('region') if isinstance(phys, dict) else None
            if region is not None and (not isinstance(region.get('startLine'), int)
                                       or region['startLine'] < 1):
                errs.append(f'{w}: region.startLine must be an integer >= 1')
            fp = res.get('partialFingerprints', {})
            if not isinstance(fp, dict) or not all(isinstance(v, str) for v in fp.values()):
                errs.append(f'{w}.partialFingerprints must map to strings')
        for i, inv in enumerate(run.get('invocations', [])):
            if not isinstance(inv.get('executionSuccessful'), bool):
                errs.append(f'{where}.invocations[{i}].executionSuccessful missing')
    return errs


def check(log, schema_path):
    return schema_errors(log, schema_path) + field_errors(log)


def self_test(log, schema_path):
    """Each mutation must be caught, or the checks prove nothing."""
    fails = []
    if not log['runs'][0]['results']:
        return ['self-test needs a log with results']
    mutations = {
        'result without message': lambda l: l['runs'][0]['results'][0].pop('message'),
        'result with a bad level': lambda l: l['runs'][0]['results'][0].update(level='fatal'),
        'rule without help': lambda l: l['runs'][0]['tool']['driver']['rules'][0].pop('help'),
        'wrong version': lambda l: l.update(version='2.0.0'),
        'startLine 0': lambda l: l['runs'][0]['results'][0]['locations'][0]
        ['physicalLocation'].update(region={'startLine': 0}),
    }
    for name, mutate in mutations.items():
        bad = copy.deepcopy(log)
        mutate(bad)
        if not check(bad, schema_path):
            fails.append(f'self-test: "{name}" was not detected')
    return fails


def main(argv):
    selftest = argv[1:2] == ['--self-test']
    if selftest:
        argv = argv[1:]
    if len(argv) != 3:
        print(__doc__)
        return 2
    with open(argv[2]) as f:
        log = json.load(f)
    errs = check(log, argv[1])
    if selftest:
        errs += self_test(log, argv[1])
    for e in errs:
        print('FAIL:', e)
    return 1 if errs else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
