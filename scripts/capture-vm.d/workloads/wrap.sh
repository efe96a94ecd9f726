# SPDX-License-Identifier: GPL-2.0-or-later
# HM-DESC: the minix workload sized to wrap the pkmap pool several times
# HM-SCALE: 3/2 LAST_PKMAP directories in all (1536 on 686, 768 on 686-pae)
# HM-MODULES: loop minix
# HM-IMAGE: minix
# HM-DOC: As minix, but the directories are spread over sub-directories of 64
# HM-DOC: entries (w<cpu>/t<k>/d<i>), so each new directory costs the pool about
# HM-DOC: one new page and not a scan of a huge parent. The touch pass maps every
# HM-DOC: new directory page, ls -R and find after the remount map them again
# HM-DOC: (fewer new slots than pages: a freed page that is reused keeps its pkmap
# HM-DOC: address until the next flush). The default SCALE, 3/2 LAST_PKMAP
# HM-DOC: (LAST_PKMAP is 1024 on 686, 512 on 686-pae), gave 3 to 4 wraps on 686
# HM-DOC: with 2 CPUs. A wrap is a flush_all_zero_pkmaps() called from the slot
# HM-DOC: search in kmap_high() (map_new_virtual() came back to slot 0): it clears
# HM-DOC: every count-1 slot and flushes the kernel TLB over the pool on all CPUs;
# HM-DOC: the kmap_high that wrapped then gets slot 0 (PKMAP_BASE). On several
# HM-DOC: CPUs the workers contend for kmap_lock.

HM_FANOUT=64
. /hm/workloads/minix.sh
