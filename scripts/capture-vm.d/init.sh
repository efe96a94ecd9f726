#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# init.sh - /init of the capture initramfs built by scripts/capture-vm.
#
# Mounts the pseudo filesystems, prints what the guest knows about itself,
# sets up the kprobe events and tracepoints, runs the workload in
# /hm/workload.sh, then prints the trace between markers on the console
# (the first serial port) and reboots, which ends qemu (-no-reboot).

/bin/busybox --install -s /bin
export PATH=/bin
. /hm/hm.conf
. /hm/lib.sh

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
mkdir -p /mnt
mount -t tracefs tracefs $T || hm_fail "cannot mount tracefs"
# stay quiet on the console whatever the command line said: the trace goes there
echo 1 > /proc/sys/kernel/printk

HM_NCPU=$(grep -c '^processor' /proc/cpuinfo)
export HM_NCPU
echo "HM_NCPU=$HM_NCPU" >> /hm/hm.conf

hm_say "BEGIN"
hm_say "INFO kernel $(uname -r) cpus $HM_NCPU"
hm_say "INFO uname $(uname -a)"
hm_say "INFO cmdline $(cat /proc/cmdline)"
hm_say "INFO cpus_possible $(cat /sys/devices/system/cpu/possible) online $(cat /sys/devices/system/cpu/online)"
grep -E '^(MemTotal|HighTotal):' /proc/meminfo | sed 's/^/HM-INFO /'
sed 's/^/HM-MEMINFO /' /proc/meminfo
grep -E ' (kmap_high|kunmap_high|kunmap_local_indexed|__kmap_local_pfn_prot|__kmap_local_sched_out|__kmap_local_sched_in|flush_all_zero_pkmaps|__kmap_flush_unused|kmap_high_get|__kmap_local_page_prot)$' \
	/proc/kallsyms | sed 's/^/HM-SYM /'
# the whole kernel log: the host keeps the memory-layout lines in the .info
dmesg | sed 's/^/HM-KLOG /'
# VMALLOC_END is PKMAP_BASE - 2 pages on x86-32: the highest vmalloc area
# and VmallocTotal bound PKMAP_BASE from the guest's side; kptr_restrict 1
# shows root the real addresses (0 hashes them, and early on prints (ptrval))
echo 1 > /proc/sys/kernel/kptr_restrict
sed -n '1s/^/HM-VMALLOC first /p' /proc/vmallocinfo
sed -n '$s/^/HM-VMALLOC last /p' /proc/vmallocinfo

# ---- tracing ----
echo 0 > $T/tracing_on
echo "$HM_BUFKB" > $T/buffer_size_kb || hm_fail "cannot set buffer_size_kb $HM_BUFKB"
echo "$HM_CLOCK" > $T/trace_clock || hm_fail "trace clock $HM_CLOCK not available: $(cat $T/trace_clock)"
hm_say "INFO trace_clock $(cat $T/trace_clock)"
hm_say "INFO buffer_size_kb $(cat $T/buffer_size_kb)"
echo > $T/trace
echo 'p:hm/kmap_high kmap_high page=%ax:x32' > $T/kprobe_events || hm_fail "kprobe kmap_high"
echo 'r:hm/kmap_high_ret kmap_high vaddr=$retval:x32' >> $T/kprobe_events || hm_fail "kretprobe kmap_high"
echo 'p:hm/kunmap_high kunmap_high page=%ax:x32' >> $T/kprobe_events || hm_fail "kprobe kunmap_high"
echo 'p:hm/kmap_local __kmap_local_pfn_prot pfn=%ax:x32' >> $T/kprobe_events || hm_fail "kprobe __kmap_local_pfn_prot"
echo 'r:hm/kmap_local_ret __kmap_local_pfn_prot vaddr=$retval:x32' >> $T/kprobe_events || hm_fail "kretprobe __kmap_local_pfn_prot"
echo 'p:hm/kunmap_local kunmap_local_indexed vaddr=%ax:x32' >> $T/kprobe_events || hm_fail "kprobe kunmap_local_indexed"
echo 'p:hm/kmap_flush_unused __kmap_flush_unused' >> $T/kprobe_events || hm_fail "kprobe __kmap_flush_unused"
echo 'p:hm/flush_all_zero flush_all_zero_pkmaps' >> $T/kprobe_events || hm_fail "kprobe flush_all_zero_pkmaps"
sed 's/^/HM-PROBE /' $T/kprobe_events
echo 1 > $T/events/hm/enable || hm_fail "cannot enable the hm kprobe events"
for hm_ev in sched/sched_switch sched/sched_process_exit sched/sched_process_fork \
	sched/sched_migrate_task irq/irq_handler_entry irq/irq_handler_exit \
	irq/softirq_entry irq/softirq_exit; do
	echo 1 > $T/events/$hm_ev/enable || hm_fail "cannot enable $hm_ev"
	hm_say "EVENT $hm_ev"
done

. /hm/workload.sh
# a workload may prepare its input before tracing starts
if type hm_prepare > /dev/null 2>&1; then
	hm_prepare || hm_fail "workload $HM_WORKLOAD: preparation failed"
fi
cd /
# --recorder hm-record: hm-record (BPF) on the same functions and tracepoints,
# started before tracing and stopped after it, so its trace covers the
# ftrace capture's (both on the mono clock: the host lines them up)
if [ "$HM_RECORDER" = hm-record ]; then
	/hm/hm-record --stats -o /tmp/hm-record.jsonl 2> /tmp/hm-record.err &
	HM_REC_PID=$!
	hm_i=0
	until grep -q ': recording' /tmp/hm-record.err 2> /dev/null; do
		if ! kill -0 $HM_REC_PID 2> /dev/null || [ $hm_i -ge 600 ]; then
			hm_fail "hm-record did not start: $(tr '\n' ' ' < /tmp/hm-record.err)"
		fi
		usleep 100000
		hm_i=$((hm_i + 1))
	done
fi
echo 1 > $T/tracing_on
hm_say "INFO workload $HM_WORKLOAD scale $HM_SCALE start $(cat /proc/uptime)"
hm_workload
cd /
hm_say "INFO workload end $(cat /proc/uptime)"
echo 0 > $T/tracing_on
if [ "$HM_RECORDER" = hm-record ]; then
	kill -INT $HM_REC_PID
	wait $HM_REC_PID
	hm_rc=$?
	sed 's/^/HM-RECSTAT /' /tmp/hm-record.err
	[ $hm_rc -eq 0 ] || hm_fail "hm-record exited with status $hm_rc"
fi

for hm_c in $T/per_cpu/cpu*; do
	sed "s/^/HM-STAT ${hm_c##*/} /" $hm_c/stats
done
sed 's/^ */HM-KPROBE /' $T/kprobe_profile
# WARN()s and BUG()s during the workload (e.g. a bad kunmap_local) end up here
dmesg | grep -E 'WARNING|BUG|Call Trace|cut here' | sed 's/^/HM-WARN /'

hm_say "TRACE-BEGIN"
cat $T/trace
hm_say "TRACE-END"
if [ "$HM_RECORDER" = hm-record ]; then
	hm_say "REC-BEGIN"
	gzip -c /tmp/hm-record.jsonl | base64
	hm_say "REC-END"
fi
hm_say "DONE"
hm_off
