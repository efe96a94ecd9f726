#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Hostile strings in a trace (task names, call sites, the file name) and in a
series.json (labels, profile and op names, sites) make a report, run no
command, and leave no markup in index.html.  Prints TAP.

  test-injection.py --prog HM_REPORT --root SRC

Each hostile string tries to create a marker file of its own (through
gnuplot's system(), backticks, "!", a shell's $(...), or by closing a quote);
afterwards no marker may exist.  index.html must hold no element or
attribute the page does not write itself (checked with Python's HTML
parser), and the hostile strings must be there escaped.  The gnuplot scripts
must not contain any of the strings; the .dat files hold them as inert fields.
"""
import argparse
import glob
import html.parser
import json
import os
import shutil
import subprocess
import sys
import tempfile

n = 0
bad = 0


def tap(cond, what, diag=''):
    global n, bad
    n += 1
    print('%s %d - %s' % ('ok' if cond else 'not ok', n, what))
    if not cond:
        bad += 1
        if diag:
            print('# ' + str(diag).strip().replace('\n', '\n# '))
    return cond


# what index.html may contain: the page's own elements and attributes
TAGS = {'html', 'head', 'meta', 'title', 'style', 'body', 'header', 'h1', 'h2', 'h3', 'p',
        'nav', 'ul', 'li', 'a', 'section', 'table', 'caption', 'thead', 'tbody', 'tr', 'th',
        'td', 'figure', 'figcaption', 'details', 'summary', 'pre', 'footer', 'img',
        # gnuplot's SVG
        'svg', 'title', 'desc', 'g', 'defs', 'rect', 'circle', 'path', 'use', 'filter',
        'fecomposite', 'feflood', 'text', 'tspan', 'polygon', 'image', 'clippath', 'line',
        'polyline', 'ellipse'}


class Audit(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.bad = []
        self.text = []

    def handle_starttag(self, tag, attrs):
        if tag not in TAGS:
            self.bad.append('<%s>' % tag)
        for k, v in attrs:
            if k.startswith('on') or (v and 'javascript:' in v.lower()):
                self.bad.append('%s=%r on <%s>' % (k, v, tag))

    def handle_data(self, data):
        self.text.append(data)


def hostile(tmp):
    m = lambda i: os.path.join(tmp, 'pwned%d' % i)
    return [
        '"; system("touch %s") #' % m(1),
        '`touch %s`' % m(2),
        "'; system('touch %s'); '" % m(3),
        'line one\nline two !touch %s' % m(4),
        '$(touch %s) @macro {x} \\' % m(5),
        '<script>alert(1)</script><img src=x onerror="touch %s">' % m(6),
        '"; system("touch /tmp/pwned") #',
    ]


def trace(strings):
    """A trace where every hostile string is a comm and the call sites that map,
    hold, leak or misuse something (so it reaches figures and tables).  Each op
    has a site of its own (the string plus a suffix): a site with latencies of
    several ops overflows hm-replay's per-site latency table (report_text.c
    print_latency(), reported to its owner)."""
    lines = [{'format': 'hmtrace', 'version': 1,
              'meta': {'arch': 'x86-32-pae', 'nr_cpus': 2, 'last_pkmap': 4,
                       'highmem_start_pfn': 225278, 'source': strings[5]}}]
    ts = 1000
    for i, s in enumerate(strings):
        pid = 100 + i
        lines.append({'ts': ts, 'cpu': i % 2, 'pid': pid, 'comm': s, 'op': 'kmap',
                      'pfn': 262145 + i, 'site': s})
        lines.append({'ts': ts + 100, 'cpu': i % 2, 'pid': pid, 'comm': s,
                      'op': 'kmap_local', 'pfn': 262200 + i, 'site': s + ' L'})
        lines.append({'ts': ts + 200, 'cpu': i % 2, 'pid': pid, 'comm': s,
                      'op': 'kunmap', 'pfn': 262145 + i, 'site': s + ' U'})
        if i % 2:
            # leave the local mapping at task exit: a violation naming the site
            lines.append({'ts': ts + 300, 'cpu': i % 2, 'pid': pid, 'comm': s,
                          'op': 'task_exit'})
        else:
            lines.append({'ts': ts + 300, 'cpu': i % 2, 'pid': pid, 'comm': s,
                          'op': 'kunmap_local', 'vaddr': '0x0804a000', 'site': s + ' X'})
        ts += 1000
    return '\n'.join(json.dumps(l) for l in lines) + '\n'


def check_dir(out, strings, what, markers_before):
    made = [p for p in glob.glob(os.path.join(os.path.dirname(out), 'pwned*'))]
    tap(not made, '%s: no command ran (no marker file)' % what, made)
    tap(os.path.exists('/tmp/pwned') == markers_before,
        '%s: /tmp/pwned was not created' % what)
    with open(os.path.join(out, 'index.html')) as f:
        page = f.read()
    a = Audit()
    a.feed(page)
    tap(not a.bad, '%s: index.html has only the page\'s own elements and attributes' % what,
        a.bad[:10])
    tap('<script' not in page.lower(), '%s: no "<script" in index.html' % what)
    text = ''.join(a.text)
    found = [s for s in strings if s.split('\n')[0] in text]
    tap(found, '%s: the hostile strings are on the page as text (%d of %d)' %
        (what, len(found), len(strings)))
    for gp in sorted(glob.glob(os.path.join(out, '*.gp'))):
        with open(gp) as f:
            script = f.read()
        leaked = [w for w in ('touch', 'pwned', '`', 'system(', '$(', '@macro', '<script')
                  if w in script]
        tap(not leaked, '%s: %s holds none of the hostile strings' %
            (what, os.path.basename(gp)), leaked)
    for dat in sorted(glob.glob(os.path.join(out, '*.dat'))):
        with open(dat, 'rb') as f:
            body = f.read()
        bad_lines = [l for l in body.split(b'\n') if l.count(b'"') % 2 or b'\\' in l]
        tap(not bad_lines, '%s: %s: every string is one quoted field' %
            (what, os.path.basename(dat)), bad_lines[:3])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--prog', required=True)
    ap.add_argument('--root', required=True)
    a = ap.parse_args()
    prog = os.path.abspath(a.prog)
    tmp = tempfile.mkdtemp(prefix='hm-report-inject-')
    before = os.path.exists('/tmp/pwned')
    try:
        strings = hostile(tmp)
        # run in tmp: a shell would make the markers there
        name = os.path.join(tmp, '<b>x\'"$(touch pwned8)`touch pwned9`.jsonl')
        with open(name, 'w') as f:
            f.write(trace(strings))
        out = os.path.join(tmp, 'out')
        p = subprocess.run([prog, '--format', 'both', name, '-o', out], cwd=tmp,
                           capture_output=True, text=True, timeout=120)
        if tap(p.returncode == 0, 'hm-report on the hostile trace', p.stderr):
            check_dir(out, strings, 'trace', before)
            with open(os.path.join(out, 'index.html')) as f:
                page = f.read()
            tap('&lt;b&gt;x&#39;&quot;$(touch' in page, 'the file name is escaped in the page')
            with open(os.path.join(out, 'sites.dat')) as f:
                sites = f.read()
            tap('"?; system(?touch ' in sites, 'sites.dat holds the comm with quotes as ?')

        p = subprocess.run([prog, '--plot', 'sites', name, '-o', '-'], cwd=tmp,
                           capture_output=True, timeout=120)
        tap(p.returncode == 0 and b'<svg' in p.stdout and b'<script' not in p.stdout,
            '--plot sites to stdout: an SVG with the sites escaped', p.stderr)

        # a hostile series.json: labels, profile, op names, sites, file
        with open(os.path.join(out, 'series.json')) as f:
            doc = json.load(f)
        run = doc['runs'][0]
        run['label'] = strings[0]
        run['profile'] = strings[1]
        run['latency'][strings[2]] = run['latency'].get('kmap', {'count': 0, 'values': []})
        run['held'][0]['site'] = strings[3]
        doc['report']['trace']['file'] = strings[5]
        doc['report']['trace']['profile']['name'] = strings[5]
        doc['report']['latency']['ops'][strings[4]] = doc['report']['latency']['ops']['kmap']
        js = os.path.join(tmp, 'hostile-series.json')
        with open(js, 'w') as f:
            json.dump(doc, f)
        out2 = os.path.join(tmp, 'out2')
        p = subprocess.run([prog, '--from-json', js, '-o', out2], cwd=tmp,
                           capture_output=True, text=True, timeout=120)
        if tap(p.returncode == 0, 'hm-report --from-json on a hostile series.json', p.stderr):
            check_dir(out2, strings, 'series.json', before)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print('1..%d' % n)
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
