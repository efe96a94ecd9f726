#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# capture-smoke.sh CAPTURE_VM: a real capture end to end (slow suite).
#
# Boots the 686 kernel under qemu-system-i386 with a tiny tmpfs workload and
# checks what comes out: the probe definitions as the kernel echoed them, no
# ring-buffer overrun, kmap_local events in the trace whose count matches the
# truth file. Exits 77 (skip) with the reason when qemu, the i386 packages
# (apt lists or the cache) or python3/zstd are not there. Never installs.
set -u
cv=$1
for t in python3 zstd; do
	command -v $t > /dev/null || { echo "skip: $t not installed"; exit 77; }
done
if ! "$cv" --check --kernel nopae 2> /tmp/hm-capture-check.$$; then
	echo "skip: $(cat /tmp/hm-capture-check.$$)"
	rm -f /tmp/hm-capture-check.$$
	exit 77
fi
rm -f /tmp/hm-capture-check.$$
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$cv" --no-install --workload tmpfs --kernel nopae --scale 1 --timeout 300 -o "$tmp/smoke" ||
	fail "capture-vm exited with $?"
for f in smoke.ftrace.zst smoke.info smoke.truth.json; do
	[ -s "$tmp/$f" ] || fail "$f missing or empty"
done
zstd -dc "$tmp/smoke.ftrace.zst" > "$tmp/trace" || fail "trace does not decompress"
head -1 "$tmp/trace" | grep -q '^# hmtrace: arch=x86-32 ' || fail "no '# hmtrace:' meta line"
grep -v '^# hmtrace:' "$tmp/trace" | head -1 | grep -qx '# tracer: nop' || fail "no tracefs header"
nlocal=$(grep -c ' kmap_local: (__kmap_local_pfn_prot+0x0/' "$tmp/trace")
[ "$nlocal" -gt 100 ] || fail "only $nlocal kmap_local events"
grep -Eq ' kmap_local_ret: .* vaddr=0xfffbb000$' "$tmp/trace" ||
	fail "no kmap_local at CPU 0 depth 1 (0xfffbb000)"
truth=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["kmap_local_observed"])' \
	"$tmp/smoke.truth.json")
[ "$truth" = "$nlocal" ] || fail "truth says $truth kmap_local, the trace has $nlocal"
for p in 'p:hm/kmap_high kmap_high page=%ax:x32' \
	 'p:hm/kunmap_high kunmap_high page=%ax:x32' \
	 'p:hm/kmap_local __kmap_local_pfn_prot pfn=%ax:x32' \
	 'p:hm/kunmap_local kunmap_local_indexed vaddr=%ax:x32' \
	 'p:hm/kmap_flush_unused __kmap_flush_unused' \
	 'p:hm/flush_all_zero flush_all_zero_pkmaps'; do
	grep -qxF "HM-PROBE $p" "$tmp/smoke.info" || fail "probe not echoed: $p"
done
grep -q '^HM-STAT cpu0 overrun: 0$' "$tmp/smoke.info" || fail "ring buffer overrun"
grep -q '^HM-CONFIG CONFIG_HIGHMEM4G=y$' "$tmp/smoke.info" || fail "no HM-CONFIG lines"
echo "ok: $nlocal kmap_local events"
