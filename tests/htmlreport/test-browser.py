#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""index.html in a real browser: headless Chromium (Debian's chromium) loads
the page from disk, with no network and a fresh profile.  Prints TAP.

  test-browser.py --prog HM_REPORT --root SRC

  - the page as served (its Content-Security-Policy on): the DOM Chromium
    built has every figure as an <svg> element in the SVG namespace, and no
    <script>, <iframe> or <object>;
  - a copy whose only change is a probe script at the end (and the CSP that
    would block it removed) writes each figure's rendered size into the DOM:
    every figure is at least 300x100 CSS pixels;
  - a screenshot of the page as served is not blank: the PNG (decoded here
    with zlib, no imaging library) has many colours, and enough non-white
    pixels where the first figure is.

Exits 77 (skip) only when chromium is not installed.
"""
import argparse
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

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


def chromium_cmd(exe, profile):
    return [exe, '--headless', '--no-sandbox', '--disable-gpu',
            '--disable-background-networking', '--disable-component-update', '--disable-sync',
            '--no-first-run', '--disable-extensions', '--user-data-dir=' + profile]


def run_chromium(exe, tmp, extra, url):
    profile = tempfile.mkdtemp(prefix='chromium-', dir=tmp)
    p = subprocess.run(chromium_cmd(exe, profile) + extra + [url], capture_output=True,
                       text=True, timeout=120, env=dict(os.environ, HOME=profile))
    return p


def png_pixels(path):
    """(width, height, rows of bytes, bytes per pixel) of an 8-bit RGB(A) PNG."""
    with open(path, 'rb') as f:
        data = f.read()
    if data[:8] != b'\x89PNG\r\n\x1a\n':
        raise ValueError('not a PNG')
    pos, idat, w = 8, b'', None
    while pos < len(data):
        length, kind = struct.unpack('>I4s', data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b'IHDR':
            w, h, depth, ctype = struct.unpack('>IIBB', body[:10])
            if depth != 8 or ctype not in (2, 6):
                raise ValueError('PNG depth %d colour type %d' % (depth, ctype))
            bpp = 3 if ctype == 2 else 4
        elif kind == b'IDAT':
            idat += body
        elif kind == b'IEND':
            break
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = w * bpp
    rows, prev, i = [], bytearray(stride), 0
    for _ in range(h):
        ftype, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if ftype == 1:
                line[x] = (line[x] + a) & 255
            elif ftype == 2:
                line[x] = (line[x] + b) & 255
            elif ftype == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif ftype == 4:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                pr = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[x] = (line[x] + pr) & 255
        rows.append(bytes(line))
        prev = line
    return w, h, rows, bpp


PROBE = '''<script>
for (const f of document.querySelectorAll('figure.drawn')) {
  const e = f.querySelector('.hm-fig');
  const r = e ? e.getBoundingClientRect() : {width: 0, height: 0};
  f.setAttribute('data-size', Math.round(r.width) + 'x' + Math.round(r.height));
}
document.body.setAttribute('data-probed', 'yes');
</script>
'''


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--prog', required=True)
    ap.add_argument('--root', required=True)
    a = ap.parse_args()
    exe = shutil.which('chromium') or shutil.which('chromium-browser')
    if not exe:
        print('1..0 # SKIP chromium is not installed (scripts/setup installs the chromium '
              'package)')
        return 77
    tmp = tempfile.mkdtemp(prefix='hm-report-browser-')
    try:
        out = os.path.join(tmp, 'report')
        p = subprocess.run([os.path.abspath(a.prog), 'traces/nopae-2cpu-wrap.ftrace.zst',
                            '-o', out], cwd=a.root, capture_output=True, text=True, timeout=300)
        if not tap(p.returncode == 0, 'hm-report on traces/nopae-2cpu-wrap.ftrace.zst',
                   p.stderr):
            return 1
        images = sorted(f[:-4] for f in os.listdir(out) if f.endswith('.svg'))
        page = os.path.join(out, 'index.html')

        # the page as it is
        p = run_chromium(exe, tmp, ['--dump-dom'], 'file://' + page)
        dom = p.stdout
        tap(p.returncode == 0 and '</html>' in dom, 'chromium --dump-dom loads index.html',
            'exit %d\n%s' % (p.returncode, p.stderr[-1500:]))
        svgs = re.findall(r'<svg[^>]*class="hm-fig"', dom)
        tap(len(svgs) == len(images) and len(images) >= 8,
            'the DOM has an inline <svg> per figure (%d)' % len(images),
            'svg elements %d, images %s' % (len(svgs), images))
        for name in images:
            m = re.search(r'<figure id="fig-%s" class="drawn">.*?</figure>' % re.escape(name),
                          dom, re.S)
            tap(m and '<svg' in m.group(0) and '<figcaption>' in m.group(0),
                'figure %s: SVG and caption in the DOM' % name)
        tap(not re.search(r'<(script|iframe|object|embed)\b', dom, re.I),
            'no script, iframe or object in the DOM')

        # a copy with a probe of rendered sizes
        with open(page) as f:
            html = f.read()
        probe = os.path.join(out, 'probe.html')
        html = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>\n', '', html)
        with open(probe, 'w') as f:
            f.write(html.replace('</body>', PROBE + '</body>'))
        p = run_chromium(exe, tmp, ['--window-size=1280,2000', '--dump-dom'], 'file://' + probe)
        tap('data-probed="yes"' in p.stdout, 'the probe ran in the copy', p.stderr[-1500:])
        sizes = dict(re.findall(r'<figure id="fig-([a-z-]+)" class="drawn" '
                                r'data-size="(\d+x\d+)"', p.stdout))
        for name in images:
            w, h = (int(x) for x in sizes.get(name, '0x0').split('x'))
            tap(w >= 300 and h >= 100, 'figure %s renders at %dx%d CSS pixels' % (name, w, h))

        # a screenshot of the page as it is
        shot = os.path.join(tmp, 'shot.png')
        p = run_chromium(exe, tmp, ['--window-size=1280,2000', '--screenshot=' + shot],
                         'file://' + page)
        if tap(os.path.exists(shot), 'chromium --screenshot', p.stderr[-1500:]):
            w, h, rows, bpp = png_pixels(shot)
            colours = set()
            for r in rows[::4]:
                for x in range(0, w * bpp, 4 * bpp):
                    colours.add(r[x:x + 3])
            tap(w == 1280 and h == 2000, 'screenshot is 1280x2000 (%dx%d)' % (w, h))
            tap(len(colours) > 50, 'screenshot has %d colours (not blank)' % len(colours))
            ink = sum(1 for r in rows for x in range(0, w * bpp, bpp) if r[x:x + 3] != b'\xff'
                      b'\xff\xff')
            tap(ink > w * h // 50, 'screenshot: %.1f%% of the pixels are not white' %
                (100.0 * ink / (w * h)))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print('1..%d' % n)
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
