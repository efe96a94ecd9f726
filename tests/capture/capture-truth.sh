#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# capture-truth.sh CAPTURE_VM DATA_DIR TRACES_DIR
#
# The ground truth scripts/capture-vm computes from ftrace text (TAP):
# 1. a hand-made trace whose counts and flush attribution are worked out in
#    tests/capture/data/README;
# 2. the captures in TRACES_DIR whose .truth.json was made independently of
#    capture-vm (listed below): every value stored there must be recomputed.
set -u
cv=$1 data=$2 traces=$3
for t in python3 zstd; do
	if ! command -v $t > /dev/null; then
		echo "1..0 # SKIP $t not installed"
		exit 0
	fi
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 failed=0
ok() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=1; fi
}
# jget FILE KEY...: a value of the JSON file, nested keys in order
jget() {
	python3 -c 'import json,sys
v = json.load(open(sys.argv[1]))
for k in sys.argv[2:]:
	v = v[k]
print(json.dumps(v))' "$@"
}

"$cv" --truth "$data/attrib.ftrace" --info /dev/null -o "$tmp/a.truth.json" 2> "$tmp/a.err"
ok $? "--truth on the hand-made trace exits 0"
while read -r line; do
	key=${line% *} want=${line##* }
	got=$(jget "$tmp/a.truth.json" $key 2>&1)
	[ "$got" = "$want" ]
	ok $? "attrib: $key is $want (got $got)"
done <<'END'
kmap_flush_unused 2
flush_all_zero_pkmaps 6
pool_wraps 3
kmap_high_observed 2
kunmap_high_observed 1
kmap_local_observed 1
kunmap_local_observed 2
meta nr_cpus 2
END
grep -q 'pool_wraps 3 from_kmap_flush_unused 2 unattributed 1$' "$tmp/a.err"
ok $? "attrib: two flushes from kmap_flush_unused, one unattributed"
grep -q 'kmap_high first 0xff000000 min 0xff000000 max 0xff1ff000$' "$tmp/a.err"
ok $? "attrib: kmap_high address range"
grep -q 'kmap_local cpu 1 highest 0xfffab000 fix_kmap_index 84 ' "$tmp/a.err"
ok $? "attrib: cpu 1 local slot is fixmap index 84"

"$cv" --truth "$data/does-not-exist.ftrace.zst" > /dev/null 2> "$tmp/e.err"
st=$?
[ $st = 3 ] && grep -q '^capture-vm: .*does-not-exist.ftrace.zst' "$tmp/e.err"
ok $? "a missing trace is bad input (exit 3, got $st)"

# captures whose truth was not computed by capture-vm
for name in pae-1cpu-minix600 nopae-2cpu-tmpfs; do
	f=$traces/$name.ftrace.zst
	if [ ! -f "$f" ]; then
		ok 1 "$name: $f missing"
		continue
	fi
	"$cv" --truth "$f" -o "$tmp/$name.truth.json" 2> /dev/null
	ok $? "$name: --truth exits 0"
	python3 - "$traces/$name.truth.json" "$tmp/$name.truth.json" <<'END'
import json, sys
want = json.load(open(sys.argv[1]))
got = json.load(open(sys.argv[2]))
bad = []
def cmp(w, g, path):
	for k, v in w.items():
		if isinstance(v, dict):
			cmp(v, g.get(k, {}), path + k + ".")
		elif g.get(k) != v:
			bad.append(f"{path}{k}: stored {v!r}, recomputed {g.get(k)!r}")
cmp(want, got, "")
for b in bad:
	print("# " + b)
sys.exit(1 if bad else 0)
END
	ok $? "$name: recomputed truth matches the stored one"
done
echo "1..$n"
exit $failed
