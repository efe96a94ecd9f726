# SPDX-License-Identifier: GPL-2.0-or-later
# HM-DESC: page-cache streaming on tmpfs: kmap_local_page() of highmem file pages
# HM-SCALE: 4 MiB written in all (split over the CPUs)
# HM-DOC: One worker per CPU, pinned with taskset, writes random data to a tmpfs
# HM-DOC: file (dd from /dev/urandom), then md5sum, cp and cat it. tmpfs pages are
# HM-DOC: highmem, so every copy goes through __kmap_local_pfn_prot():
# HM-DOC: generic_perform_write -> copy_page_from_iter_atomic (kmap_atomic) on
# HM-DOC: writes, filemap_read -> copy_page_to_iter (kmap_local_page) on reads.
# HM-DOC: Process creation adds more: with CONFIG_HIGHPTE page tables are highmem
# HM-DOC: and every page-table walk maps them with kmap_local (pte_offset_map).
# HM-DOC: No kmap(): the persistent pool stays idle. On several CPUs this shows
# HM-DOC: the kmap_local address of each CPU's slot range.

tmpfs_worker() {
	blocks=$(hm_share $((HM_SCALE * 16)) $1 $2)
	f=/tmp/hm-tmpfs-$1
	dd if=/dev/urandom of=$f.a bs=64k count=$blocks 2>/dev/null || return 1
	md5sum $f.a > /dev/null || return 1
	cp $f.a $f.b || return 1
	cat $f.b > /dev/null || return 1
	rm -f $f.a $f.b
}

hm_workload() {
	hm_parallel tmpfs_worker
}
