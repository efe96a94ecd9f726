# SPDX-License-Identifier: GPL-2.0-or-later
# HM-DESC: minix filesystem on a loop device: kmap() of directory pages (the pkmap pool)
# HM-SCALE: 200 directories in all (split over the CPUs)
# HM-MODULES: loop minix
# HM-IMAGE: minix
# HM-DOC: A blank minix image (mkfs.minix on the host, in the initramfs, so on
# HM-DOC: tmpfs) is attached to /dev/loop0 and mounted. One worker per CPU makes
# HM-DOC: its own directory w<cpu> holding SCALE/NCPU directories with an empty
# HM-DOC: file each (xargs mkdir, xargs touch, from path lists written before
# HM-DOC: tracing starts; busybox xargs runs the applets in-process), then the
# HM-DOC: filesystem is unmounted, caches are dropped, it is mounted again and each
# HM-DOC: worker runs ls -R and find over its part. In 6.1 minix directory pages are
# HM-DOC: page cache of the directory inode (GFP_HIGHUSER) and fs/minix/dir.c
# HM-DOC: dir_get_page() maps them with kmap() -> kmap_high(), kunmap() ->
# HM-DOC: kunmap_high(): lookups, readdir, add_link all go through the pool. Every
# HM-DOC: directory page takes a pool slot until the next flush_all_zero_pkmaps()
# HM-DOC: (new directories are zeroed with kmap_atomic in minix_make_empty()).
# HM-DOC: Loading loop.ko and minix.ko calls kmap_flush_unused() (module loading),
# HM-DOC: and loop I/O to the tmpfs-backed image adds kmap_local copies.

# minix_paths I N: the paths worker I creates, parents before children.
# Directories hang straight off w<I>; with HM_FANOUT set (wrap) they are
# spread over sub-directories of HM_FANOUT entries so no directory has
# more than one or two pages and the pool sees one new page per directory.
minix_paths() {
	n=$(hm_share $HM_SCALE $1 $2)
	awk -v n=$n -v w=$1 -v fan=${HM_FANOUT:-0} -v leaf="$3" 'BEGIN {
		for (i = 0; i < n; i++) {
			if (fan > 0) {
				top = "w" w "/t" int(i / fan)
				if (i % fan == 0 && leaf == "")
					print top
				d = top "/d" i
			} else {
				d = "w" w "/d" i
			}
			print d leaf
		}
	}'
}

minix_create() {
	cd /mnt || return 1
	mkdir w$1 || return 1
	xargs mkdir < /tmp/hm-dirs-$1 || return 1
	xargs touch < /tmp/hm-files-$1 || return 1
}

minix_list() {
	cd /mnt || return 1
	ls -R w$1 > /dev/null || return 1
	find w$1 > /dev/null || return 1
}

# before tracing starts: the path lists, so that no awk | xargs pipe (pipe
# buffers are highmem pages copied with kmap_local) runs while tracing
hm_prepare() {
	i=0
	while [ $i -lt $HM_NCPU ]; do
		minix_paths $i $HM_NCPU "" > /tmp/hm-dirs-$i
		minix_paths $i $HM_NCPU /f > /tmp/hm-files-$i
		i=$((i + 1))
	done
}

hm_workload() {
	hm_insmod loop
	hm_insmod minix
	losetup /dev/loop0 /hm/minix.img || hm_fail "losetup /dev/loop0 /hm/minix.img failed"
	mount -t minix /dev/loop0 /mnt || hm_fail "cannot mount the minix image"
	hm_parallel minix_create
	cd /
	umount /mnt || hm_fail "umount /mnt failed"
	sync
	echo 3 > /proc/sys/vm/drop_caches
	mount -t minix /dev/loop0 /mnt || hm_fail "cannot mount the minix image again"
	hm_parallel minix_list
	cd /
	umount /mnt
}
