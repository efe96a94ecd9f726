#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""compare.py - the performance targets of hmtrace (issue 9), measured side by side.

Usage: compare.py --gen-trace PATH --hm-replay PATH [--bench-model PATH]
                  [--hm-lint PATH] [--hm-report PATH] [--babeltrace2 PATH]
                  [--events N] [--big N] [--runs R] [--seed S] [--workdir DIR]
                  [--strict] [--smoke]

One synthetic trace (bench/gen-trace, from --seed) is written as JSON Lines,
as CTF (hmtrace native event classes), and compressed with zstd and gzip;
every command then runs --runs times, the commands of one target taking
turns so that a busy machine slows all of them alike, and each line below
gives the medians, both figures and their ratio:

  1. hm-replay --json on the JSON Lines vs babeltrace2 -c sink.utils.dummy on
     the CTF of the same events (target: at least 2x)
  2. hm-replay --json on the CTF vs babeltrace2's decode (at least 0.8x)
  3. bench-model, the model alone (at least 50 M events/s)
  4. peak RSS of hm-replay --json for --events/10 and for --big events of the
     same shape, streamed from the generator through a pipe (under 64 MB)
  5. hm-replay --json on .zst and .gz vs the plain file (at least 80%)
  6. hm-lint vs hm-replay on the JSON Lines (the same throughput); hm-report
     within 2x the replay time

Rates are events per second of wall-clock time, as the targets say; lines
1, 2, 5 and 6 add in brackets the same ratio in CPU time (user + system, all
threads), which a machine shared with other jobs disturbs much less.  Exit
status: 0, 1 with --strict when a target is missed, 2 for a bad command line,
4 when a command fails, 77 (skip) when --smoke lacks zstd or gzip.  --smoke
(the test suite's run) only checks that everything runs.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time

MB = 1024 * 1024


class Failed(Exception):
    pass


def run(cmd, stdin=None, env=None):
    """Run @cmd (stdout discarded); return (wall seconds, peak RSS in bytes, CPU seconds)."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdin=stdin, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, env=env)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    err = p.stderr.read().decode(errors='replace')
    p.stderr.close()
    p.returncode = os.waitstatus_to_exitcode(status)
    # hm-lint exits 1 when it finds violations: that is a result, not a failure
    if p.returncode not in (0, 1) or (p.returncode == 1 and 'hm-lint' not in cmd[0]):
        raise Failed(f'{" ".join(cmd)}: exit status {p.returncode}: {err.strip()[:400]}')
    return wall, ru.ru_maxrss * 1024, ru.ru_utime + ru.ru_stime


def run_pipe(producer, consumer):
    """@producer | @consumer; return the consumer's (wall seconds, peak RSS)."""
    t0 = time.perf_counter()
    prod = subprocess.Popen(producer, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    cons = subprocess.Popen(consumer, stdin=prod.stdout, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    prod.stdout.close()
    _, status, ru = os.wait4(cons.pid, 0)
    wall = time.perf_counter() - t0
    err = cons.stderr.read().decode(errors='replace')
    cons.stderr.close()
    if prod.wait() != 0:
        raise Failed(f'{" ".join(producer)}: exit status {prod.returncode}')
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise Failed(f'{" ".join(consumer)}: exit status {code}: {err.strip()[:400]}')
    return wall, ru.ru_maxrss * 1024




def prepare(a):
    """Write the traces (once: a stamp remembers what made them)."""
    os.makedirs(a.workdir, exist_ok=True)
    base = os.path.join(a.workdir, f'trace-s{a.seed}-n{a.events}')
    paths = {'jsonl': base + '.jsonl', 'ctf': base + '.ctf', 'zst': base + '.jsonl.zst',
             'gz': base + '.jsonl.gz'}
    stamp = base + '.stamp'
    version = subprocess.run([a.gen_trace, '-V'], check=True, capture_output=True,
                             text=True).stdout.strip()
    want = f'{a.seed} {a.events} {version}\n'
    try:
        with open(stamp) as f:
            if f.read() == want and all(os.path.exists(p) for p in paths.values()):
                return paths
    except OSError:
        pass
    for p in paths.values():
        if os.path.isdir(p):
            shutil.rmtree(p)
        elif os.path.exists(p):
            os.unlink(p)
    if os.path.exists(stamp):
        os.unlink(stamp)
    print(f'# writing the traces ({a.events} events) in {a.workdir}', flush=True)
    subprocess.run([a.gen_trace, '-s', str(a.seed), '-n', str(a.events),
                    '-j', paths['jsonl'], '-C', paths['ctf']], check=True,
                   stderr=subprocess.DEVNULL)
    with open(paths['zst'], 'wb') as out:
        subprocess.run(['zstd', '-q', '-3', '-c', paths['jsonl']], stdout=out, check=True)
    with open(paths['gz'], 'wb') as out:
        subprocess.run(['gzip', '-6', '-c', paths['jsonl']], stdout=out, check=True)
    with open(stamp, 'w') as f:
        f.write(want)
    return paths


def medians(cmds, runs):
    """Run each of @cmds (name -> argv) @runs times, taking turns.

    Returns name -> (median wall seconds, peak RSS, median CPU seconds).
    """
    walls = {k: [] for k in cmds}
    cpus = {k: [] for k in cmds}
    rss = {k: 0 for k in cmds}
    for _ in range(runs):
        for k, cmd in cmds.items():
            w, m, c = run(cmd)
            walls[k].append(w)
            cpus[k].append(c)
            rss[k] = max(rss[k], m)
    return {k: (statistics.median(v), rss[k], statistics.median(cpus[k]))
            for k, v in walls.items()}


def cpu_note(m, a, b):
    """The ratio of @a's to @b's rate in CPU time: steadier than wall time on a busy machine."""
    return f' [CPU time: ratio {m[b][2] / m[a][2]:.2f}]'


def verdict(ok, smoke):
    return '' if smoke else ('  PASS' if ok else '  FAIL')


def main():
    ap = argparse.ArgumentParser(description='hmtrace performance targets, side by side')
    ap.add_argument('--gen-trace', required=True)
    ap.add_argument('--hm-replay', required=True)
    ap.add_argument('--bench-model')
    ap.add_argument('--hm-lint')
    ap.add_argument('--hm-report')
    ap.add_argument('--babeltrace2', default=shutil.which('babeltrace2'))
    ap.add_argument('--events', type=int, default=10_000_000)
    ap.add_argument('--big', type=int, default=50_000_000,
                    help='events of the large run of target 4')
    ap.add_argument('--runs', type=int, default=3)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--workdir', default='bench-data')
    ap.add_argument('--strict', action='store_true', help='exit 1 when a target is missed')
    ap.add_argument('--smoke', action='store_true', help='only check that everything runs')
    a = ap.parse_args()
    if a.runs < 1 or a.events < 1000 or a.big < 1000:
        ap.error('--runs must be at least 1, --events and --big at least 1000')
    for tool in ('zstd', 'gzip'):
        if not shutil.which(tool):
            print(f'compare.py: {tool} not found', file=sys.stderr)
            return 77 if a.smoke else 4

    n = a.events
    missed = []

    def rate(wall, events=n):
        return events / wall / 1e6

    try:
        paths = prepare(a)
        load = os.getloadavg()[0]
        print(f'hmtrace bench: {n} events (gen-trace -s {a.seed}), medians of {a.runs} runs, '
              f'{os.cpu_count()} CPUs, load {load:.1f}')
        replay = [a.hm_replay, '--json']

        # 1, 2: against babeltrace2
        if a.babeltrace2:
            m = medians({'jsonl': replay + [paths['jsonl']],
                         'ctf': replay + [paths['ctf']],
                         'bt2': [a.babeltrace2, paths['ctf'], '-c', 'sink.utils.dummy']}, a.runs)
            bt = rate(m['bt2'][0])
            r1 = rate(m['jsonl'][0]) / bt
            r2 = rate(m['ctf'][0]) / bt
            print(f'1. JSON Lines replay: hm-replay --json {rate(m["jsonl"][0]):.2f} M ev/s, '
                  f'babeltrace2 -c sink.utils.dummy (CTF) {bt:.2f} M ev/s: '
                  f'ratio {r1:.2f} (target >= 2){verdict(r1 >= 2, a.smoke)}'
                  f'{cpu_note(m, "jsonl", "bt2")}')
            print(f'2. CTF replay: hm-replay --json (CTF) {rate(m["ctf"][0]):.2f} M ev/s, '
                  f'babeltrace2 {bt:.2f} M ev/s: ratio {r2:.2f} (target >= 0.8)'
                  f'{verdict(r2 >= 0.8, a.smoke)}{cpu_note(m, "ctf", "bt2")}')
            if r1 < 2:
                missed.append(1)
            if r2 < 0.8:
                missed.append(2)
            plain = m['jsonl'][0]
        else:
            print('1. JSON Lines replay: skipped (no babeltrace2)')
            print('2. CTF replay: skipped (no babeltrace2)')
            plain = None

        # 3: the model alone
        if a.bench_model:
            args = ['200000', '1'] if a.smoke else ['5000000', str(max(3, a.runs))]
            out = subprocess.run([a.bench_model] + args, check=True, capture_output=True,
                                 text=True).stdout
            # "model: N events x R runs: median X M events/s (...)"
            mr = float(out.split('median ')[1].split()[0])
            print(f'3. model alone: bench-model {mr:.1f} M ev/s (target >= 50)'
                  f'{verdict(mr >= 50, a.smoke)}')
            if mr < 50:
                missed.append(3)

        # 4: peak RSS, streamed, small and large
        small = max(1000, n // 10)
        gen = [a.gen_trace, '-s', str(a.seed), '-j', '-']
        rs = run_pipe(gen + ['-n', str(small)], replay + ['-'])[1]
        rb = run_pipe(gen + ['-n', str(a.big)], replay + ['-'])[1]
        ok4 = rs < 64 * MB and rb < 64 * MB
        print(f'4. peak RSS: hm-replay --json - <{small} events: {rs / MB:.1f} MB, '
              f'<{a.big} events: {rb / MB:.1f} MB (target < 64 MB both)'
              f'{verdict(ok4, a.smoke)}')
        if not ok4:
            missed.append(4)

        # 5: compressed input
        m = medians({'plain': replay + [paths['jsonl']], 'zst': replay + [paths['zst']],
                     'gz': replay + [paths['gz']]}, a.runs)
        pz = m['plain'][0] / m['zst'][0]
        pg = m['plain'][0] / m['gz'][0]
        print(f'5. compressed input: plain {rate(m["plain"][0]):.2f} M ev/s, '
              f'.zst {rate(m["zst"][0]):.2f} M ev/s ({pz:.0%}), '
              f'.gz {rate(m["gz"][0]):.2f} M ev/s ({pg:.0%}) (target >= 80%)'
              f'{verdict(pz >= 0.8 and pg >= 0.8, a.smoke)} [CPU time: '
              f'.zst {m["plain"][2] / m["zst"][2]:.0%}, .gz {m["plain"][2] / m["gz"][2]:.0%}]')
        if pz < 0.8 or pg < 0.8:
            missed.append(5)

        # 6: hm-lint and hm-report against hm-replay (other tools: a failure of
        # theirs is reported on the line, and the other figures still come)
        parts = []
        ok6 = True
        for name, path in (('hm-lint', a.hm_lint), ('hm-report', a.hm_report)):
            if not path:
                continue
            if name == 'hm-lint':
                cmd = [path, paths['jsonl']]
            else:
                cmd = [path, '-o', os.path.join(a.workdir, 'report'), paths['jsonl']]
            try:
                m = medians({'replay': replay + [paths['jsonl']], 'tool': cmd}, a.runs)
            except (Failed, OSError) as e:
                parts.append(f'{name} failed: {e}')
                ok6 = False
                continue
            if name == 'hm-lint':
                rl = m['replay'][0] / m['tool'][0]
                # "the same throughput": within the noise of the measurement
                ok6 &= rl >= 0.9
                parts.append(f'hm-lint {rate(m["tool"][0]):.2f} M ev/s, hm-replay '
                             f'{rate(m["replay"][0]):.2f} M ev/s: ratio {rl:.2f} (target ~1)'
                             f'{cpu_note(m, "tool", "replay")}')
            else:
                tr = m['tool'][0] / m['replay'][0]
                ok6 &= tr <= 2
                parts.append(f'hm-report {m["tool"][0]:.2f} s, hm-replay '
                             f'{m["replay"][0]:.2f} s: {tr:.2f}x (target <= 2x)')
        if parts:
            print('6. ' + '; '.join(parts) + verdict(ok6, a.smoke))
            if not ok6:
                missed.append(6)
        else:
            print('6. hm-lint, hm-report: skipped (not built)')
    except (Failed, subprocess.CalledProcessError, OSError) as e:
        print(f'compare.py: {e}', file=sys.stderr)
        return 4
    if a.smoke:
        return 0
    print(f'targets missed: {", ".join(map(str, missed))}' if missed else 'all targets met')
    return 1 if missed and a.strict else 0


if __name__ == '__main__':
    sys.exit(main())
