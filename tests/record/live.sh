#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# live.sh CAPTURE_VM HM_RECORD_I386 HM_REPLAY COMPARE WORKLOAD KERNEL SMP SCALE
#
# hm-record in a real 32-bit kernel (live suite): scripts/capture-vm boots
# Debian's i386 kernel under qemu with the tracefs kprobe events AND
# hm-record on the same run, both on CLOCK_MONOTONIC.  Checks:
#  - hm-record wrote a trace, with nothing lost in its ring buffer;
#  - both traces replay with full agreement (hm-replay --json:
#    agreement.mismatched == 0, and addresses were checked);
#  - over the ftrace capture's span, hm-record saw the same calls in the same
#    order on every CPU (compare-traces.py), and the same count of each op,
#    but for the migrations the documented BPF limit loses (hm-record(8),
#    LOSSES) and one event at each end of the span.
# Exits 77 (skip) with the reason without qemu, the i386 packages or the
# static i386 hm-record.  Never installs.
set -u
cv=$1 rec=$2 replay=$3 compare=$4 wl=$5 kernel=$6 smp=$7 scale=$8
for t in python3 zstd; do
	command -v $t > /dev/null || { echo "1..0 # SKIP $t not installed"; exit 77; }
done
if [ ! -x "$rec" ]; then
	echo "1..0 # SKIP no static i386 hm-record ($rec): src/record/fetch-i386-libs, then -Drecord_i386=enabled"
	exit 77
fi
if ! why=$("$cv" --check --kernel "$kernel" 2>&1); then
	echo "1..0 # SKIP $(echo "$why" | tail -1)"
	exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
fails=0
ok() {	# ok COND-STATUS WHAT [DIAG]
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		[ -n "${3:-}" ] && echo "$3" | sed 's/^/# /'
		fails=$((fails + 1))
	fi
}

t0=$(date +%s)
"$cv" --no-install --workload "$wl" --kernel "$kernel" --smp "$smp" --scale "$scale" \
	--timeout 600 --recorder hm-record --hm-record "$rec" -o "$tmp/run" > "$tmp/cv.out" 2>&1
st=$?
ok $st "capture-vm --recorder hm-record ($wl, $kernel, $smp CPU) in $(( $(date +%s) - t0 )) s" \
	"$(tail -5 "$tmp/cv.out")"
if [ $st -ne 0 ]; then
	echo "1..$n"
	exit 1
fi
sed -n 's/^/# /; /events/p' "$tmp/cv.out"
grep '^HM-RECSTAT' "$tmp/run.info" | sed 's/^/# /'

zstd -qdc "$tmp/run.hm-record.jsonl.zst" > "$tmp/rec.jsonl"
"$replay" -q --convert "$tmp/ftrace.jsonl" "$tmp/run.ftrace.zst" > /dev/null 2>&1
ok $? "the ftrace capture converts to JSON Lines"

lost=$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["meta"].get("lost_events", 0))' "$tmp/rec.jsonl")
ok $([ "$lost" = 0 ]; echo $?) "hm-record lost nothing in its ring buffer (lost_events $lost)"

for t in rec.jsonl ftrace.jsonl; do
	"$replay" --json "$tmp/$t" > "$tmp/$t.report" 2> "$tmp/$t.err"
	agree=$(python3 -c '
import json, sys
a = json.load(open(sys.argv[1]))["agreement"]
print(a["checked"], a["mismatched"])' "$tmp/$t.report" 2>&1)
	set -- $agree
	ok $([ "${1:-0}" -gt 0 ] && [ "${2:-x}" = 0 ]; echo $?) \
		"$t replays with full agreement (${1:-?} addresses checked, ${2:-?} mismatched)" \
		"$(cat "$tmp/$t.err")"
done

python3 "$compare" --counts --check-counts "$tmp/ftrace.jsonl" "$tmp/rec.jsonl" > "$tmp/cmp.tap"
st=$?
sed -e '/^1\.\./d' -e 's/^\(not \)\?ok [0-9]* - /compare: /' "$tmp/cmp.tap" | while IFS= read -r l; do
	echo "# $l"
done
ok $st "the two traces hold the same calls (compare-traces.py)" "$(grep -A3 '^not ok' "$tmp/cmp.tap")"
echo "1..$n"
[ $fails -eq 0 ]
