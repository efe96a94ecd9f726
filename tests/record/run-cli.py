#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""hm-record's command line and its refusals, through the real paths.

  run-cli.py --prog PATH --man man/hm-record.8

Each case runs hm-record and checks its exit status and its exact message.
What hm-record says depends on who runs it and on the kernel:
  - not root: run as nobody (setpriv, when this runs as root; else as is);
  - root on a kernel without kmap_high (a 64-bit kernel without highmem, as
    every x86-64 CI machine): the message saying there is nothing to trace.
Cases whose situation this machine cannot produce are skipped with the
reason.  Nothing here can record: no case reaches a kernel with highmem.
Prints TAP.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

n = 0
bad = 0


def tap(ok, what, diag='', skip=None):
    global n, bad
    n += 1
    if skip:
        print('ok %d - %s # SKIP %s' % (n, what, skip))
        return
    print('%s %d - %s' % ('ok' if ok else 'not ok', n, what))
    if not ok:
        bad += 1
        for line in diag.strip().splitlines():
            print('# ' + line)


def run(argv, as_nobody=False):
    if as_nobody and os.geteuid() == 0:
        argv = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] + argv
    return subprocess.run(argv, capture_output=True, text=True, timeout=60)


def case(prog, args, status, stderr, what, as_nobody=False, stdout=None, skip=None):
    if skip:
        tap(True, what, skip=skip)
        return None
    p = run([prog] + args, as_nobody)
    ok = p.returncode == status and p.stderr == stderr
    if stdout is not None:
        ok = ok and re.search(stdout, p.stdout, re.S) is not None
    tap(ok, what, 'exit %d (want %d)\nstderr: %r\nwant:   %r\nstdout: %r'
        % (p.returncode, status, p.stderr, stderr, p.stdout[:300]))
    return p


def kernel_has(sym):
    try:
        with open('/proc/kallsyms') as f:
            return any(line.rstrip('\n').split(' ')[2:3] == [sym] for line in f)
    except OSError:
        return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--prog', required=True)
    ap.add_argument('--man', required=True)
    ap.add_argument('--version', required=True, help='the project version')
    a = ap.parse_args()
    prog = os.path.abspath(a.prog)
    try_ = "Try 'hm-record --help' for more information.\n"

    # --- what runs anywhere ---
    case(prog, ['--help'], 0, '', '--help', stdout=r'^Usage: hm-record \[OPTIONS\]\n.*\nEXAMPLES\n')
    case(prog, ['--version'], 0, '', '--version',
         stdout=r'^hm-record \(hmtrace\) %s' % re.escape(a.version))
    case(prog, ['-V'], 0, '', '-V lists the BPF objects',
         stdout=r'\nbpf objects:\n  fixed .*\n  co-re ')

    # --- usage errors: exit 2, before anything touches the kernel ---
    usage = [
        (['--bogus'], "hm-record: unknown option '--bogus'\n"),
        (['-x'], "hm-record: unknown option '-x'\n"),
        (['-o'], "hm-record: option '-o' needs a value\n"),
        (['--stats=1'], "hm-record: option '--stats' takes no value\n"),
        (['extra'], "hm-record: unexpected argument 'extra'\n"),
        (['--duration', 'soon'], 'hm-record: --duration: "soon" is not a duration (10s, 500ms, 1.5s)\n'),
        (['--duration', '0'], 'hm-record: --duration: "0" is not a duration (10s, 500ms, 1.5s)\n'),
        (['--pid', '0'], 'hm-record: --pid: "0" must be an integer from 1 to 2147483647\n'),
        (['-c', 'a-name-too-long-x'], 'hm-record: --comm: "a-name-too-long-x" must be 1 to 15 characters (a task name)\n'),
        (['--cpu', '4096'], 'hm-record: --cpu: "4096" must be an integer from 0 to 4095\n'),
        (['--buffer-kb', '1000'], 'hm-record: --buffer-kb: "1000" must be a power of two\n'),
        (['--buffer-kb', '2'], 'hm-record: --buffer-kb: "2" must be an integer from 4 to 1048576\n'),
        (['--no-local', '--no-pkmap'], 'hm-record: --no-local and --no-pkmap leave nothing to record\n'),
    ]
    for args, msg in usage:
        case(prog, args, 2, msg + try_, 'usage: %s' % ' '.join(args))
    case(prog, ['--arch', 'vax'], 2,
         'hm-record: --arch: unknown profile "vax" (hm-replay --list-profiles)\n',
         'usage: --arch vax')

    # --- --btf: bad input whoever runs it ---
    tmp = tempfile.mkdtemp(prefix='hm-record-cli-')
    try:
        notbtf = os.path.join(tmp, 'not.btf')
        with open(notbtf, 'w') as f:
            f.write('this is not BTF\n')
        case(prog, ['--btf', os.path.join(tmp, 'none.btf')], 3,
             'hm-record: %s: cannot open: No such file or directory\n' % os.path.join(tmp, 'none.btf'),
             '--btf with a missing file')
        case(prog, ['--btf', notbtf], 3,
             'hm-record: %s: not BTF (pahole -J output, or an ELF file with a .BTF section): BPF object format invalid\n' % notbtf,
             '--btf with a file that is not BTF')

        # --- not root: the real path, as nobody ---
        root = os.geteuid() == 0
        nobody_ok = not root or shutil.which('setpriv')
        os.chmod(tmp, 0o777)
        out = os.path.join(tmp, 'trace.jsonl')
        case(prog, ['-o', out], 4,
             'hm-record: must run as root (or with CAP_BPF and CAP_PERFMON)\n',
             'not root: refused with the reason', as_nobody=True,
             skip=None if nobody_ok else 'running as root without setpriv')
        tap(not os.path.exists(out) and os.listdir(tmp) == ['not.btf'],
            'a refused recording leaves no file behind', str(os.listdir(tmp)))

        # --- root, on a kernel without highmem ---
        has_high = kernel_has('kmap_high')
        has_local = kernel_has('__kmap_local_pfn_prot')
        skip = None
        if not root:
            skip = 'not root: the kernel checks come after the privilege check'
        elif has_high is None:
            skip = '/proc/kallsyms is not readable'
        elif has_high or has_local:
            skip = 'this kernel has highmem or FORCE_MAP: hm-record would record'
        case(prog, ['-o', out], 4,
             'hm-record: kmap_high not found: this kernel has no CONFIG_HIGHMEM (64-bit kernels only map through kmap_local with CONFIG_DEBUG_KMAP_LOCAL_FORCE_MAP, and this one has neither): there is nothing to trace\n',
             'a 64-bit kernel without highmem: nothing to trace, and why', skip=skip)
        case(prog, ['--no-pkmap', '--duration', '1s'], 4,
             'hm-record: __kmap_local_pfn_prot not found: this kernel has neither CONFIG_HIGHMEM nor CONFIG_DEBUG_KMAP_LOCAL_FORCE_MAP, so kmap_local_page() never maps anything: there is nothing to trace\n',
             '--no-pkmap on that kernel: still nothing', skip=skip)
        tap(os.listdir(tmp) == ['not.btf'], 'and no file either', str(os.listdir(tmp)))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    # --- the man page: the runnable EXAMPLES run, the live ones are root's (#) ---
    with open(a.man) as f:
        man = f.read()
    ex = man.split('\n.SH EXAMPLES', 1)[1].split('\n.SH ', 1)[0]
    runnable = [l.replace('\\-', '-')[2:] for l in ex.splitlines() if l.startswith('$ hm\\-record ')]
    tap(len(runnable) >= 2, 'the man page has runnable examples: %s' % runnable)
    for cmd in runnable:
        args = cmd.split()[1:]
        p = run([prog] + args)
        tap(p.returncode == 0 and p.stdout, 'man example: %s' % cmd, p.stderr)
    print('1..%d' % n)
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
