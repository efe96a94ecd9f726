# SPDX-License-Identifier: GPL-2.0-or-later
# HM-DESC: reading other processes' /proc/PID/cmdline and environ: kmap() via access_remote_vm
# HM-SCALE: 200 rounds of reads in all (split over the CPUs)
# HM-DOC: Four target processes (sh -c 'sleep 600; :' with a long argument) are
# HM-DOC: started; one reader per CPU then reads their /proc/PID/cmdline and
# HM-DOC: /proc/PID/environ SCALE/NCPU times each, in one cat process. Both files
# HM-DOC: are read from the target's memory by get_mm_cmdline()/environ_read() ->
# HM-DOC: access_remote_vm() -> __access_remote_vm(), which in 6.1 maps the
# HM-DOC: target's user page (highmem) with kmap() -> kmap_high() and unmaps it
# HM-DOC: with kunmap(): the same few pages, so the pool is hit repeatedly on
# HM-DOC: already-mapped pages (the page_address() hash path) and does not wrap.

procfs_reader() {
	n=$(hm_share $HM_SCALE $1 $2)
	files=
	for p in $(cat /tmp/hm-procfs-pids); do
		files="$files /proc/$p/cmdline /proc/$p/environ"
	done
	args=
	r=0
	while [ $r -lt $n ]; do
		args="$args $files"
		r=$((r + 1))
	done
	cat $args > /dev/null
}

hm_workload() {
	pad=$(printf '%0600d' 0)
	pids=
	for i in 1 2 3 4; do
		HM_PAD=$pad sh -c 'sleep 600; :' hm-target-$i $pad &
		pids="$pids $!"
	done
	echo $pids > /tmp/hm-procfs-pids
	sleep 1
	hm_parallel procfs_reader
	kill $pids
	wait 2>/dev/null
}
