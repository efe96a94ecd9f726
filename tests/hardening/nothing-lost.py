#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Nothing lost: hm-replay and hm-lint never leave a half-written or wrong
output behind, and say so when they could not write, as TAP.

  nothing-lost.py --replay PATH --lint PATH --gen PATH --root DIR

For each tool:
  - -o naming the input (the same name, another spelling, a symlink, a
    hard link; for hm-lint any of its traces) is refused, the input intact;
  - -o /dev/full, stdout on /dev/full and a closed stdout fail with status 4
    and "write failed", never a silent success;
  - -o /dev/null writes in place: the device stays a device (as root a
    rename would put a regular file there; tested on a device node of our
    own then, so that a regression cannot break the machine's /dev/null);
  - -o into a missing directory, or onto a directory, fails cleanly;
  - a run of hm-replay that fails (bad input) leaves an existing output as it
    was (hm-lint writes the whole report of what it could check, which says
    it stopped at an error, with status 3);
  - Ctrl-C (SIGINT) during a long replay of a generated endless trace exits
    promptly with status 130, "interrupted", and leaves no file in the
    output directory (outputs and temporary files alike), an existing output
    untouched.
And the warning for timestamps going backwards carries its count.
"""
import argparse
import hashlib
import os
import signal
import stat
import subprocess
import sys
import tempfile
import time

count = 0
failed = 0


def ok(cond, name, diag=''):
    global count, failed
    count += 1
    print('%s %d - %s' % ('ok' if cond else 'not ok', count, name))
    if not cond:
        failed += 1
        for line in diag.splitlines():
            print('#   ' + line)
    sys.stdout.flush()
    return cond


def skip(name, why):
    global count
    count += 1
    print('ok %d - %s # SKIP %s' % (count, name, why))


def run(argv, cwd, stdout=subprocess.DEVNULL, close_stdout=False, timeout=120):
    """Run a tool; return (status, stderr)."""
    if close_stdout:
        # the shell's ">&-": the program starts with fd 1 closed
        p = subprocess.run(['sh', '-c', 'exec "$@" >&-', 'sh'] + argv, cwd=cwd,
                           stderr=subprocess.PIPE, timeout=timeout)
    else:
        p = subprocess.run(argv, cwd=cwd, stdout=stdout, stderr=subprocess.PIPE,
                           timeout=timeout)
    return p.returncode, p.stderr.decode(errors='replace')


def digest(path):
    with open(path, 'rb') as f:
        return hashlib.sha256(f.read()).hexdigest()


def listing(d):
    return sorted(os.listdir(d))


def device(tmp, name, major, minor, system):
    """A character device to write to: our own node when root, else the system's."""
    if os.geteuid() != 0:
        return system
    path = os.path.join(tmp, name)
    try:
        os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(major, minor))
    except OSError:
        return None
    return path


def expect(tool, name, argv, cwd, status, err, **kw):
    got, stderr = run(argv, cwd, **kw)
    return ok(got == status and stderr == err, '%s: %s' % (tool, name),
              'status %d, want %d\nstderr %r\nwant   %r' % (got, status, stderr, err))


def onto_input(tool, prog, trace, tmp, extra):
    work = tempfile.mkdtemp(dir=tmp)
    t = os.path.join(work, 'trace.jsonl')
    with open(trace, 'rb') as f, open(t, 'wb') as g:
        g.write(f.read())
    os.symlink('trace.jsonl', os.path.join(work, 'link.jsonl'))
    os.link(t, os.path.join(work, 'hard.jsonl'))
    before = digest(t)
    for how, out in [('same name', 'trace.jsonl'), ('./ spelling', './trace.jsonl'),
                     ('symlink', 'link.jsonl'), ('hard link', 'hard.jsonl')]:
        expect(tool, '-o onto the input (%s) is refused' % how,
               [prog] + extra + ['-o', out, 'trace.jsonl'], work, 2,
               '%s: %s: refusing to write over the input trace\n' % (tool, out))
    ok(digest(t) == before, '%s: the input is intact' % tool)
    ok(listing(work) == ['hard.jsonl', 'link.jsonl', 'trace.jsonl'],
       '%s: no file left beside it' % tool, repr(listing(work)))
    return work


def full_disk(tool, prog, trace, tmp, extra, good):
    full = device(tmp, 'full', 1, 7, '/dev/full')
    if not full:
        skip('%s: -o /dev/full' % tool, 'cannot make a device node here')
    else:
        expect(tool, '-o /dev/full fails', [prog] + extra + ['-o', full, trace], tmp, 4,
               '%s: %s: write failed: No space left on device\n' % (tool, full))
        ok(stat.S_ISCHR(os.stat(full).st_mode), '%s: /dev/full is still a device' % tool)
    with open('/dev/full', 'wb') as f:
        expect(tool, 'stdout on /dev/full fails', [prog] + extra + [trace], tmp, 4,
               '%s: <stdout>: write failed: No space left on device\n' % tool, stdout=f)
    expect(tool, 'a closed stdout fails', [prog] + extra + [trace], tmp, 4,
           '%s: <stdout>: write failed: Bad file descriptor\n' % tool, close_stdout=True)
    null = device(tmp, 'null', 1, 3, '/dev/null')
    if not null:
        skip('%s: -o /dev/null' % tool, 'cannot make a device node here')
    else:
        expect(tool, '-o /dev/null succeeds', [prog] + extra + ['-o', null, trace], tmp, good, '')
        ok(stat.S_ISCHR(os.stat(null).st_mode),
           '%s: -o /dev/null leaves the device a device' % tool)
    for p in (full, null):
        if p and p.startswith(tmp):
            os.unlink(p)


def bad_places(tool, prog, trace, bad, tmp, extra, keeps):
    work = tempfile.mkdtemp(dir=tmp)
    expect(tool, '-o into a missing directory fails',
           [prog] + extra + ['-o', 'no/such/dir/out.txt', trace], work, 4,
           '%s: no/such/dir/out.txt: cannot create output: No such file or directory\n' % tool)
    os.mkdir(os.path.join(work, 'sub'))
    expect(tool, '-o onto a directory fails', [prog] + extra + ['-o', 'sub', trace], work, 2,
           '%s: sub: is a directory\n' % tool)
    out = os.path.join(work, 'out.txt')
    with open(out, 'w') as f:
        f.write('the report of yesterday\n')
    got, err = run([prog] + extra + ['-o', 'out.txt', bad], work)
    ok(got == 3, '%s: a bad trace fails with status 3' % tool, 'status %d\n%s' % (got, err))
    if keeps:
        ok(open(out).read() == 'the report of yesterday\n',
           '%s: the existing output is as it was' % tool)
    else:
        # hm-lint reports what it could check, and says the run stopped at an error
        ok(open(out).read().rstrip('\n').endswith('(stopped at an error)'),
           '%s: the output is the whole report of the run, saying it stopped' % tool,
           open(out).read()[-500:])
    ok(listing(work) == ['out.txt', 'sub'], '%s: no temporary file left' % tool,
       repr(listing(work)))


def interrupt(tool, prog, gen, tmp, extra, outputs):
    work = tempfile.mkdtemp(dir=tmp)
    keep = os.path.join(work, 'kept.txt')
    with open(keep, 'w') as f:
        f.write('an older report\n')
    args = [prog] + extra
    for opt, name in outputs:
        args += [opt, os.path.join(work, name)]
    args += ['-o', keep, '-']
    g = subprocess.Popen([gen, 'endless', '0'], stdout=subprocess.PIPE)
    p = subprocess.Popen(args, stdin=g.stdout, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE)
    g.stdout.close()
    time.sleep(1.5)
    alive = p.poll() is None
    t0 = time.monotonic()
    p.send_signal(signal.SIGINT)
    try:
        err = p.communicate(timeout=10)[1].decode(errors='replace')
    except subprocess.TimeoutExpired:
        p.kill()
        err = p.communicate()[1].decode(errors='replace')
    took = time.monotonic() - t0
    g.kill()
    g.wait()
    ok(alive, '%s: still replaying after 1.5 s (the trace is endless)' % tool)
    ok(p.returncode == 130, '%s: SIGINT: status 130' % tool,
       'status %s\n%s' % (p.returncode, err))
    ok(took < 2.0, '%s: SIGINT: exits within 2 s' % tool, 'took %.2f s' % took)
    ok(err == '%s: interrupted\n' % tool, '%s: SIGINT: says "interrupted"' % tool, repr(err))
    ok(listing(work) == ['kept.txt'], '%s: SIGINT: no file written, no temporary file left'
       % tool, repr(listing(work)))
    ok(open(keep).read() == 'an older report\n', '%s: SIGINT: the existing output is intact'
       % tool)
    print('# %s: stopped %.3f s after SIGINT' % (tool, took))


def backwards(prog, root, tmp):
    trace = os.path.join(root, 'tests', 'bad', 'backwards.jsonl')
    p = subprocess.run([prog, trace], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out = p.stdout.decode()
    ok(p.returncode == 0 and '3 timestamps went backwards on a CPU' in out,
       'hm-replay: timestamps going backwards: counted in the report (3)',
       'status %d\n%s' % (p.returncode, out[:2000]))
    p = subprocess.run([prog, '--json', trace], stdout=subprocess.PIPE)
    ok(p.returncode == 0 and b'"backwards": 3' in p.stdout,
       'hm-replay: timestamps going backwards: "backwards": 3 in --json')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--replay', required=True)
    ap.add_argument('--lint', required=True)
    ap.add_argument('--gen', required=True)
    ap.add_argument('--root', required=True)
    a = ap.parse_args()
    # meson gives paths relative to the build directory; the cases run elsewhere
    a.replay, a.lint, a.gen = (os.path.abspath(x) for x in (a.replay, a.lint, a.gen))
    trace = os.path.join(a.root, 'traces', 'handmade-nesting.jsonl')
    bad = os.path.join(a.root, 'tests', 'bad', 'missing-cpu.json')
    with tempfile.TemporaryDirectory(prefix='hm-lost-') as tmp:
        # (tool, program, options, status on the trace, keeps the output on bad input)
        for tool, prog, extra, good, keeps in [('hm-replay', a.replay, ['-q'], 0, True),
                                              ('hm-lint', a.lint, [], 1, False)]:
            onto_input(tool, prog, trace, tmp, extra)
            full_disk(tool, prog, trace, tmp, extra, good)
            bad_places(tool, prog, trace, bad, tmp, extra, keeps)
        # hm-lint checks every trace it is given, not only the first
        work = onto_input('hm-lint', a.lint, trace, tmp, [])
        expect('hm-lint', '-o onto its second trace is refused',
               [a.lint, '-o', 'hard.jsonl', trace, 'trace.jsonl'], work, 2,
               'hm-lint: hard.jsonl: refusing to write over the input trace\n')
        # the side outputs of hm-replay too
        for opt in ['--timeline', '--convert']:
            expect('hm-replay', '%s onto the input is refused' % opt,
                   [a.replay, '-q', opt, 'trace.jsonl', 'trace.jsonl'], work, 2,
                   'hm-replay: trace.jsonl: refusing to write over the input trace\n')
            full = device(tmp, 'full', 1, 7, '/dev/full')
            if full:
                expect('hm-replay', '%s /dev/full fails' % opt,
                       [a.replay, '-q', opt, full, trace], tmp, 4,
                       'hm-replay: %s: write failed: No space left on device\n' % full)
                if full.startswith(tmp):
                    os.unlink(full)
        interrupt('hm-replay', a.replay, a.gen, tmp, ['-q'],
                  [('--timeline', 'timeline.json'), ('--convert', 'converted.jsonl')])
        interrupt('hm-lint', a.lint, a.gen, tmp, [], [])
        backwards(a.replay, a.root, tmp)
    print('1..%d' % count)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
