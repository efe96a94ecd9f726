#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Fidelity against the kernel itself, printed as TAP.

For every real capture in traces/ (NAME.ftrace.zst with NAME.truth.json, the
counts the capture took from the kernel's own probes), hm-replay --json must
report:
  - every observed address checked and none mismatched (at least as many
    checked as the kernel returned from kmap_high and __kmap_local_pfn_prot);
  - pkmap.wraps equal to the flush_all_zero_pkmaps() calls the slot search made;
  - the model's pool flushes (wraps + kmap_flush_unused) equal to every
    flush_all_zero_pkmaps() call the kernel made.

  check-truth.py HM-REPLAY TRACES-DIR
"""
import glob
import json
import os
import subprocess
import sys

prog, traces = sys.argv[1], sys.argv[2]
n = 0
failed = 0


def ok(cond, name):
    global n, failed
    n += 1
    print(("ok" if cond else "not ok") + f" {n} - {name}")
    if not cond:
        failed += 1


for truth_path in sorted(glob.glob(os.path.join(traces, "*.truth.json"))):
    name = os.path.basename(truth_path)[:-len(".truth.json")]
    trace = os.path.join(traces, name + ".ftrace.zst")
    if not os.path.exists(trace):
        continue
    truth = json.load(open(truth_path))
    r = subprocess.run([prog, "--json", trace], capture_output=True, text=True)
    ok(r.returncode == 0, f"{name}: hm-replay exits 0 ({r.stderr.strip()[:200]})")
    if r.returncode != 0:
        continue
    rep = json.loads(r.stdout)
    agr = rep["agreement"]
    want = truth.get("kmap_high_observed", 0) + truth.get("kmap_local_observed", 0)
    ok(agr["mismatched"] == 0, f"{name}: no address mismatched (got {agr['mismatched']})")
    ok(agr["checked"] >= want,
       f"{name}: every returned address checked ({agr['checked']} >= {want})")
    ok(rep["pkmap"]["wraps"] == truth["pool_wraps"],
       f"{name}: pool wraps {rep['pkmap']['wraps']} == kernel's {truth['pool_wraps']}")
    kflush = truth.get("flush_all_zero_pkmaps")
    if kflush is not None:
        ok(agr["observed_flushes"] == kflush,
           f"{name}: flush_all_zero_pkmaps() events read {agr['observed_flushes']} == {kflush}")
        model_flushes = rep["pkmap"]["wraps"] + rep["pkmap"]["flush_unused"]
        ok(model_flushes == kflush,
           f"{name}: model flushes {model_flushes} == kernel's {kflush}")
if n == 0:
    print("1..0 # SKIP no real captures with truth files")
    sys.exit(0)
print(f"1..{n}")
sys.exit(1 if failed else 0)
