#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A tool's --help, its man page and its bash completion must agree, in the
spirit of the kernel's tools/testing/selftests/bpf/test_bpftool_synctypes.py.
Prints TAP.

  check-tool.py --tool PATH --man PAGE [--completion FILE] [options]

Checks, each a TAP line:
  - the man page has the sections the house style asks for, and every
    hm-* page its SEE ALSO names exists in man/ in that section;
  - every option of --help is an item of the man page's OPTIONS, and every
    OPTIONS item is an option of --help;
  - every OPTIONS item is accepted by the tool: "TOOL --OPTION=1 --help" (or
    "TOOL -X [1] --help") is not rejected as an unknown option (exit status 2
    with "unknown option" or "unrecognized"); --help stops every tool before
    it does any work;
  - the completion file offers every option of --help and nothing else, and
    names every option that takes a value in a "case $prev" label (so that
    the word after it is not completed as an option or a file);
  - with bash-completion installed (skipped otherwise): completing "TOOL -"
    offers exactly those options, every option named by --values completes
    to at least one word, and every word offered after an option that takes
    a value is accepted by the tool ("TOOL OPTION WORD PROBE-ARGS..." does
    not exit 2; not tried without --probe-args: hm-record would record).

With --options-only the page documents options of a tool that are not all
of its options (hm-trace(5) and the options of the tools that read traces):
only the OPTIONS items are checked against the tool.
"""
import argparse
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

SECTIONS = ['NAME', 'SYNOPSIS', 'DESCRIPTION', 'OPTIONS', 'EXIT STATUS', 'EXAMPLES',
            'SEE ALSO']
OPT = r'(?<![\w-])(--[A-Za-z][A-Za-z0-9-]*|-[A-Za-z0-9])(?![\w-])'
UNKNOWN = re.compile(r'unknown option|unrecognized|unrecognised', re.I)
BASH_COMPLETION = '/usr/share/bash-completion/bash_completion'

n = 0
bad = 0


def tap(cond, what, diag='', directive=''):
    global n, bad
    n += 1
    line = '%s %d - %s' % ('ok' if cond else 'not ok', n, what)
    if directive:
        line += ' # ' + directive
    print(line)
    if not cond and diag:
        print('# ' + diag.strip().replace('\n', '\n# '))
    if not cond and not directive.startswith(('TODO', 'SKIP')):
        bad += 1


def skip(what, reason):
    tap(True, what, directive='SKIP ' + reason)


def unescape(s):
    s = re.sub(r'\\f(\[[^]]*\]|[BIRP])', '', s)
    return (s.replace('\\-', '-').replace("\\(aq", "'").replace('\\(dq', '"')
            .replace('\\e', '\\').replace('\\ ', ' ').replace('\\&', ''))


def help_options(text):
    """The options of --help, from the first column of its option lines.

    Returns {option: takes_value}; aliases ("-o, --output FILE") share it."""
    opts = {}
    for line in text.splitlines():
        m = re.match(r'^\s{1,8}(-\S.*?)(?:\s{2,}|$)', line)
        if not m:
            continue
        col = m.group(1)
        names = re.findall(OPT, col)
        if not names:
            continue
        value = any(re.search(re.escape(o) + r'[ =]([A-Z{<\[][^,\s]*)', col) for o in names)
        for o in names:
            opts[o] = value
    return opts


def man_sections(man):
    return re.findall(r'^\.SH\s+"?([^"\n]*?)"?\s*$', man, re.M)


def man_section(man, name):
    parts = re.split(r'^\.SH\s+"?([^"\n]*?)"?\s*$', man, flags=re.M)
    for i in range(1, len(parts) - 1, 2):
        if parts[i] == name:
            return parts[i + 1]
    return ''


def man_items(section):
    """Options in the tags of .TP/.TQ items, with the tag text."""
    lines = section.splitlines()
    items = {}
    for i, line in enumerate(lines):
        if re.match(r'^\.(TP|TQ)\b', line) and i + 1 < len(lines):
            tag = unescape(lines[i + 1])
        elif re.match(r'^\.IP\s', line):
            tag = unescape(line[3:])
        else:
            continue
        tag = re.sub(r'^\.[A-Z]+\s*', '', tag).replace('"', '')
        for o in re.findall(OPT, tag):
            items.setdefault(o, tag)
    return items


def drop_substitutions(s):
    """s without its $(...) command substitutions (which may nest parentheses)."""
    out, i = [], 0
    while i < len(s):
        if s.startswith('$(', i):
            depth, i = 1, i + 2
            while i < len(s) and depth:
                depth += {'(': 1, ')': -1}.get(s[i], 0)
                i += 1
        else:
            out.append(s[i])
            i += 1
    return ''.join(out)


def completion_lists(text):
    """(options offered by compgen -W, options named in case labels)."""
    offered = set()
    for m in re.finditer(r"compgen -W '([^']*)'", text):
        words = drop_substitutions(m.group(1)).split()
        if any(w.startswith('-') for w in words):
            offered.update(w for w in words if re.fullmatch(OPT, w))
    labels = set()
    for m in re.finditer(r'^\s*((?:-[\w-]+\s*\|\s*(?:\\\n\s*)?)*-[\w-]+)\s*\)', text, re.M):
        labels.update(re.findall(OPT, m.group(1)))
    return offered, labels


def run(argv, cwd=None, timeout=60):
    try:
        p = subprocess.run(argv, cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True,
                           text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None
    return p


class Completer:
    """Runs the completion function of a file in bash with bash-completion."""

    def __init__(self, comp_file, name, tool, path, cwd):
        self.comp_file, self.name, self.tool, self.path, self.cwd = \
            comp_file, name, tool, path, cwd

    def complete(self, words):
        script = r'''
source "$1"; source "$2"
spec=$(complete -p "$3") || exit 3
func=${spec#*-F }; func=${func%% *}
shift 3
COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 ))
COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
COMPREPLY=()
"$func" "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
printf '%s\n' "${COMPREPLY[@]}"
'''
        env = dict(os.environ, PATH=self.path)
        p = subprocess.run(['bash', '--norc', '--noprofile', '-c', script, 'bash',
                            BASH_COMPLETION, self.comp_file, self.name, self.tool] + words,
                           cwd=self.cwd, env=env, capture_output=True, text=True, timeout=60)
        if p.returncode:
            return None, p.stderr
        return [w for w in p.stdout.split('\n') if w], p.stderr


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--tool', required=True, help='the built program')
    ap.add_argument('--name', help='its installed name (default: the file name)')
    ap.add_argument('--man', required=True)
    ap.add_argument('--completion')
    ap.add_argument('--options-only', action='store_true')
    ap.add_argument('--path', action='append', default=[],
                    help='a directory to put first on PATH (for tools the completion runs)')
    ap.add_argument('--values', action='append', default=[],
                    help='an option whose value must complete to at least one word')
    ap.add_argument('--probe-args', default='',
                    help='what follows "OPTION WORD" when a completed word is tried '
                         '({tmp}: a new empty directory)')
    ap.add_argument('--planned', action='append', default=[],
                    help='a tool SEE ALSO may name before its page exists (TODO)')
    ap.add_argument('--root', default='.', help='the project root (cwd of the tool)')
    a = ap.parse_args()

    tool = os.path.abspath(a.tool)
    name = a.name or os.path.basename(tool)
    root = os.path.abspath(a.root)
    have_man = os.path.isfile(a.man)
    tap(have_man, '%s has a man page' % name, 'no %s' % a.man)
    man = ''
    if have_man:
        with open(a.man) as f:
            man = f.read()
    mandir = os.path.dirname(os.path.abspath(a.man))
    page = os.path.basename(a.man)

    # -- the page itself
    have = man_sections(man)
    for s in SECTIONS if have_man else []:
        tap(s in have, '%s: section %s' % (page, s))
    see = unescape(man_section(man, 'SEE ALSO'))
    for ref, sec in re.findall(r'\b(hm-[a-z0-9-]+)\s*\((\d)\)', see):
        exists = os.path.exists(os.path.join(mandir, '%s.%s' % (ref, sec)))
        other = [f for f in os.listdir(mandir) if re.fullmatch(re.escape(ref) + r'\.\d', f)]
        todo = ''
        if not exists and not other and ref in a.planned:
            todo = 'TODO %s has no page yet' % ref
        tap(exists, '%s: SEE ALSO %s(%s) is a page in man/' % (page, ref, sec),
            'man/ has %s' % ', '.join(other) if other else 'no man/%s.%s' % (ref, sec), todo)

    # -- --help against the man page's OPTIONS
    p = run([tool, '--help'], cwd=root)
    tap(p is not None and p.returncode == 0, '%s --help exits 0' % name,
        p and p.stderr or 'timeout')
    helptext = p.stdout if p else ''
    hopts = help_options(helptext)
    tap(len(hopts) >= 3, '%s --help lists options (%d)' % (name, len(hopts)))
    items = man_items(man_section(man, 'OPTIONS'))
    if have_man:
        tap(len(items) >= 1, '%s: OPTIONS has items (%d)' % (page, len(items)))
    if have_man and not a.options_only:
        for o in sorted(hopts):
            tap(o in items, '%s: %s of --help is an OPTIONS item' % (page, o),
                'mentioned elsewhere in the page' if o in unescape(man) else '')
    for o in sorted(items):
        if not a.options_only:
            tap(o in hopts, '%s: OPTIONS item %s is in %s --help' % (page, o, name))
        # a value that cannot be taken for a file to write, then --help, so
        # that no tool gets as far as doing its work
        if o.startswith('--'):
            argv = [tool, o + '=1', '--help']
        else:
            argv = [tool, o] + (['1'] if hopts.get(o) else []) + ['--help']
        p = run(argv, cwd=root)
        out = (p.stdout + p.stderr) if p else ''
        rejected = p is None or (p.returncode == 2 and UNKNOWN.search(out))
        tap(not rejected, '%s: %s accepts %s (documented: %s)' % (page, name, o, items[o].strip()),
            'timeout' if p is None else 'exit %d: %s' % (p.returncode, out.strip()[:300]))

    if not a.completion:
        print('1..%d' % n)
        return 1 if bad else 0

    # -- the completion file against --help
    with open(a.completion) as f:
        comp = f.read()
    cname = os.path.basename(a.completion)
    offered, labels = completion_lists(comp)
    tap(re.search(r'^\s*complete -F \w+ ' + re.escape(name) + r'\s*$', comp, re.M),
        'completions/%s registers a function for %s' % (cname, name))
    for o in sorted(hopts):
        tap(o in offered, 'completions/%s offers %s' % (cname, o))
    for o in sorted(offered - set(hopts)):
        tap(False, 'completions/%s offers %s, which --help does not list' % (cname, o))
    for o in sorted(labels - set(hopts)):
        tap(False, 'completions/%s has a case for %s, which --help does not list' % (cname, o))
    for o in sorted(o for o, v in hopts.items() if v):
        tap(o in labels, 'completions/%s knows %s takes a value' % (cname, o))

    # -- the completion, run
    if not os.path.exists(BASH_COMPLETION):
        skip('completing with completions/%s' % cname, 'bash-completion is not installed')
        print('1..%d' % n)
        return 1 if bad else 0
    tmp = tempfile.mkdtemp(prefix='hm-complete-')	# empty: no file names to offer
    path = os.pathsep.join([os.path.abspath(d) for d in a.path] +
                           [os.environ.get('PATH', '/usr/bin:/bin')])
    c = Completer(os.path.abspath(a.completion), name, tool, path, tmp)
    got, err = c.complete([tool, '-'])
    tap(got is not None and set(got) == set(hopts),
        'completing "%s -" offers the options of --help' % name,
        'got %s\n%s' % (got, err) if got is None else
        'missing %s, extra %s' % (sorted(set(hopts) - set(got)), sorted(set(got) - set(hopts))))
    for o in a.values:
        got, err = c.complete([tool, o, ''])
        tap(got, 'completing "%s %s " offers words (%s)' % (name, o, ' '.join(got or [])[:120]),
            err)
    probe = shlex.split(a.probe_args)
    for o in sorted(o for o, v in hopts.items() if v and o.startswith('--')):
        got, err = c.complete([tool, o, ''])
        if got and not probe:
            skip('%s %s WORD: the completed words are not tried' % (name, o),
                 'no --probe-args for %s' % name)
            continue
        for w in got or []:
            scratch = tempfile.mkdtemp(prefix='hm-probe-')
            p = run([tool, o, w] + [x.replace('{tmp}', scratch) for x in probe], cwd=root,
                    timeout=120)
            shutil.rmtree(scratch, ignore_errors=True)
            tap(p is not None and p.returncode != 2,
                '%s accepts the completed "%s %s"' % (name, o, w),
                'timeout' if p is None else 'exit %d: %s' % (p.returncode,
                                                             (p.stdout + p.stderr)[:300]))
    os.rmdir(tmp)
    print('1..%d' % n)
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
