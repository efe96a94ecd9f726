#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Build the Debian package from a copy of the source tree and check it.
# Prints TAP.  Suite 'slow': a whole build plus the test suite, a few minutes.
#
#   build-deb.sh SOURCE-ROOT PROJECT-VERSION [EXPECTED-FILE...]
#
# The copy holds the files git knows or would add (tracked and untracked, not
# ignored, as in the working tree now) and no .git, like a release tarball:
# the programs must then say the project version.  dpkg-buildpackage -us -uc
# -b runs there with the system's PATH only (the tests run during the build,
# as on a build daemon).  The .deb must hold EXPECTED-FILEs (paths as
# dpkg-deb --contents prints them, "./usr/bin/hm-replay"), declare its
# dependencies, and work unpacked into a scratch root (dpkg -x): hm-replay
# --version, a replay, hm-capture-vm --list-workloads, the man page, the
# completion.  Skips (77) when the tools or the build dependencies are missing.
# HM_DEB_KEEP=DIR keeps the build there.
set -u

src=$1
version=$2
shift 2
n=0
bad=0

ok() {	# ok COND-STATUS WHAT [DIAG]
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		bad=$((bad + 1))
		[ -n "${3:-}" ] && printf '%s\n' "$3" | tail -n 40 | sed 's/^/# /'
	fi
}

skip_all() {
	echo "1..0 # SKIP $1"
	exit 77
}

for t in dpkg-buildpackage dpkg-checkbuilddeps dh dpkg-deb tar; do
	command -v "$t" >/dev/null || skip_all "$t is not installed (dpkg-dev, debhelper)"
done
[ -f "$src/debian/control" ] || skip_all "no debian/ in $src"
deps=$(cd "$src" && dpkg-checkbuilddeps 2>&1) ||
	skip_all "build dependencies missing: ${deps##*: }"

if [ -n "${HM_DEB_KEEP:-}" ]; then
	work=$HM_DEB_KEEP
	rm -rf "$work" && mkdir -p "$work"
else
	work=$(mktemp -d /tmp/hm-deb.XXXXXX)
	# kept when something failed, for its build.log
	trap '[ "$bad" -eq 0 ] && rm -rf "$work"' EXIT
fi
tree=$work/hmtrace-$version
mkdir -p "$tree"

# -- the copy
if [ -e "$src/.git" ] && command -v git >/dev/null; then
	(cd "$src" && git ls-files -z --cached --others --exclude-standard |
		while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
		tar --null -T - -cf -) | tar -xf - -C "$tree"
else
	tar -C "$src" --exclude=.git --exclude='./build*' -cf - . | tar -xf - -C "$tree"
fi
ok $? "copy of the source tree (no .git)"
[ ! -e "$tree/.git" ]
ok $? "the copy has no .git"

# -- the build
start=$(date +%s)
(cd "$tree" && env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$work" LANG=C.UTF-8 \
	DEB_BUILD_OPTIONS="parallel=2 ${DEB_BUILD_OPTIONS:-}" \
	dpkg-buildpackage -us -uc -b) >"$work/build.log" 2>&1
status=$?
secs=$(($(date +%s) - start))
echo "# dpkg-buildpackage -us -uc -b: exit $status in $secs s (log: $work/build.log, kept on failure)"
ok $status "dpkg-buildpackage -us -uc -b" "$(grep -E '^ *[0-9]+/[0-9]+ .* (FAIL|ERROR|TIMEOUT) |^not ok |^[a-z_-]+: error|^[^ ]+:[0-9]+:[0-9]+: error' "$work/build.log" | sort -u | head -40)"
grep -E '^(Ok|Fail|Skipped|Expected Fail|Timeout): ' "$work/build.log" | sed 's/^/# tests during the build: /'

deb=$(ls "$work"/hmtrace_"$version"_*.deb 2>/dev/null | head -n 1)
[ -n "$deb" ]
ok $? "hmtrace_${version}_ARCH.deb was built"
if [ -z "$deb" ]; then
	echo "1..$n"
	exit 1
fi
dev=$(ls "$work"/hmtrace-dev_*.deb 2>/dev/null)
[ -z "$dev" ]
ok $? "no hmtrace-dev package (the libraries are not public)"

# -- what it holds
contents=$(dpkg-deb --contents "$deb" | awk '{ print $6 }')
for f in "$@"; do
	grep -qxF "$f" <<<"$contents"
	ok $? "the package has $f"
done
! grep -qE '^\./usr/(include|lib/.*\.(a|so|pc))' <<<"$contents"
ok $? "the package has no headers, libraries or pkg-config files"

# -- what it declares
fields=$(dpkg-deb --field "$deb" Package Version Depends Recommends Suggests)
echo "$fields" | sed 's/^/# /'
grep -q "^Version: $version\$" <<<"$fields"
ok $? "Version is $version"
libs="libjansson4 libbabeltrace2 libzstd1 zlib1g python3"
case " $* " in *" ./usr/sbin/hm-record "*) libs="$libs libbpf1" ;; esac
for d in $libs; do
	grep -q "^Depends:.*\b$d" <<<"$fields"
	ok $? "Depends names $d"
done
grep -q '^Recommends:.*gnuplot-nox' <<<"$fields"
ok $? "Recommends gnuplot-nox"
grep -q '^Suggests:.*qemu-system-x86' <<<"$fields"
ok $? "Suggests qemu-system-x86"

# -- unpacked into a scratch root
root=$work/root
dpkg -x "$deb" "$root"
ok $? "dpkg -x into a scratch root"
out=$("$root/usr/bin/hm-replay" --version 2>&1)
ok $? "the installed hm-replay --version runs"
first=$(head -n 1 <<<"$out")
[ "$first" = "hm-replay (hmtrace) $version" ]
ok $? "it says \"hm-replay (hmtrace) $version\" (a build without .git)" "got: $first"
grep -qE '^  ctf +yes' <<<"$out" && grep -qE '^  zstd +yes' <<<"$out"
ok $? "it was built with CTF and zstd" "$out"
out=$("$root/usr/bin/hm-replay" -q "$src/traces/handmade-nesting.jsonl" 2>&1)
ok $? "the installed hm-replay replays traces/handmade-nesting.jsonl" "$out"
if [ -x "$root/usr/sbin/hm-record" ]; then
	out=$("$root/usr/sbin/hm-record" --version 2>&1)
	[ "$(head -n 1 <<<"$out")" = "hm-record (hmtrace) $version" ]
	ok $? "the installed hm-record --version says $version" "$out"
fi
out=$("$root/usr/bin/hm-capture-vm" --list-workloads 2>&1)
grep -qx minix <<<"$out"
ok $? "the installed hm-capture-vm finds its workloads" "$out"
head -n 1 "$root/usr/share/hmtrace/capture-vm" | grep -qx '#!/usr/bin/python3'
ok $? "hm-capture-vm runs with /usr/bin/python3"
if command -v man >/dev/null; then
	out=$(MANWIDTH=80 man -l "$root/usr/share/man/man1/hm-replay.1.gz" 2>&1 | head -n 5)
	grep -q 'hm-replay' <<<"$out"
	ok $? "man -l renders the installed hm-replay.1.gz" "$out"
fi
if [ -f /usr/share/bash-completion/bash_completion ]; then
	out=$(PATH="$root/usr/bin:$PATH" bash --norc -c '
		source /usr/share/bash-completion/bash_completion
		source "$1/usr/share/bash-completion/completions/hm-replay"
		COMP_WORDS=(hm-replay --arch x86-32); COMP_CWORD=2
		COMP_LINE="hm-replay --arch x86-32"; COMP_POINT=${#COMP_LINE}
		_hm_replay hm-replay x86-32 --arch; echo "${COMPREPLY[*]}"' bash "$root" 2>&1)
	[ "$out" = "x86-32-pae x86-32" ] || [ "$out" = "x86-32 x86-32-pae" ]
	ok $? "the installed completion completes hm-replay --arch x86-32" "got: $out"
fi

echo "# package build: $secs s"
echo "1..$n"
[ $bad -eq 0 ]
