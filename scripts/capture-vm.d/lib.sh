# SPDX-License-Identifier: GPL-2.0-or-later
# lib.sh - helpers shared by the capture initramfs /init and the workload
# workers. Sourced by busybox sh inside the guest, after /hm/hm.conf.
#
# Everything the host reads from the serial console starts with "HM-".

T=/sys/kernel/tracing

hm_say() {
	echo "HM-$*"
}

# Report, stop tracing and leave: the host turns HM-ERROR into a failure.
hm_fail() {
	echo "HM-ERROR $*"
	echo 0 > $T/tracing_on 2>/dev/null
	hm_off
}

hm_off() {
	sync
	# -no-reboot on the qemu command line makes a reboot end qemu; it is
	# more dependable than ACPI power-off on every machine type
	reboot -f
	sleep 5
	echo b > /proc/sysrq-trigger
}

# hm_insmod NAME: load module NAME and, first, what it depends on; the host
# wrote the load order of every module the workload asked for in HM_MODULES
# as "name:path" pairs.
hm_insmod() {
	for hm_m in $HM_MODULES; do
		hm_name=${hm_m%%:*}
		hm_path=${hm_m#*:}
		grep -q "^$hm_name " /proc/modules && continue
		insmod "$hm_path" || hm_fail "insmod $hm_path failed"
		[ "$hm_name" = "$1" ] && return 0
	done
	grep -q "^$1 " /proc/modules || hm_fail "module $1 is not in the initramfs"
}

# hm_parallel FUNC: run "FUNC I NCPU" once per online CPU I, each pinned to
# its CPU, and wait for all of them. On one CPU this is one worker on CPU 0.
hm_parallel() {
	hm_pids=
	hm_i=0
	while [ $hm_i -lt $HM_NCPU ]; do
		taskset -c $hm_i sh /hm/worker.sh "$1" $hm_i $HM_NCPU &
		hm_pids="$hm_pids $!"
		hm_i=$((hm_i + 1))
	done
	for hm_p in $hm_pids; do
		wait $hm_p || hm_fail "workload worker $1 failed"
	done
}

# hm_share TOTAL I N: worker I's part of TOTAL split over N workers.
hm_share() {
	echo $(( ($1 + $3 - 1 - $2) / $3 ))
}
