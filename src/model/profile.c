// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * profile.c - the built-in architecture profiles, as data.
 *
 * Every constant names where it comes from: "observed" means read off a real
 * Debian 6.1 kernel under QEMU (traces/README.md); "derived" means computed
 * from the arch headers of Linux 6.1 for the configuration named, and not yet
 * confirmed by a capture.
 *
 * Costs are modelled figures for a ~1 GHz 32-bit core, used only where a trace
 * has no return timestamps; they are estimates, not measurements, and a trace
 * with ret_ts always wins.
 */
#include <errno.h>
#include <string.h>

#include "hm_model.h"

#define X86_COSTS {						\
	.lock = 20, .pkmap_map = 60, .pkmap_scan = 2,		\
	.pkmap_unmap = 30, .pool_flush = 3, .local_map = 40,	\
	.local_unmap = 40, .tlb_one = 120, .tlb_full = 600,	\
	.ipi = 2000, .wakeup = 1500, .cache_flush = 0,		\
}

#define ARM_COSTS {						\
	.lock = 30, .pkmap_map = 80, .pkmap_scan = 3,		\
	.pkmap_unmap = 40, .pool_flush = 4, .local_map = 60,	\
	.local_unmap = 60, .tlb_one = 150, .tlb_full = 800,	\
	.ipi = 3000, .wakeup = 2000, .cache_flush = 4000,	\
}

static const struct hm_profile profiles[] = {
	{
		/*
		 * Debian linux-image-6.1.0-50-686-pae (HIGHMEM64G, NR_CPUS 32).
		 * PKMAP_BASE 0xff000000 observed (first kmap 0xff001000 = slot 1);
		 * FIX_KMAP_BEGIN 68 observed: CPU 0 depth 1 at 0xfffbb000 =
		 * 0xfffff000 - (68 << 12); LAST_PKMAP 512 (PTRS_PER_PTE with PAE).
		 * tlb_single_page_flush_ceiling is 33 (arch/x86/mm/tlb.c).
		 */
		.name = "x86-32-pae",
		.description = "x86 32-bit, PAE (HIGHMEM64G), Debian 686-pae",
		.page_offset = 0xc0000000, .pkmap_base = 0xff000000,
		.fixaddr_top = 0xfffff000, .highmem_start_pfn = HM_NONE,
		.page_shift = 12, .last_pkmap = 512, .fix_kmap_begin = 68,
		.nr_cpus_max = 32, .nr_cpus = 1, .nr_colors = 1,
		.tlb_single_page_ceiling = 33, .tlb_policy = HM_TLB_X86,
		.costs = X86_COSTS,
	},
	{
		/*
		 * Debian linux-image-6.1.0-50-686 (HIGHMEM4G, NR_CPUS 32).
		 * FIX_KMAP_BEGIN 68 observed (CPU 0 depth 1 at 0xfffbb000, CPU 1
		 * at 0xfffab000); LAST_PKMAP 1024.  PKMAP_BASE derived from
		 * pgtable_32_areas.h (below the LDT and cpu_entry_area, 4 MiB
		 * PMD alignment without PAE): 0xfec00000.
		 */
		.name = "x86-32",
		.description = "x86 32-bit, no PAE (HIGHMEM4G), Debian 686",
		.page_offset = 0xc0000000, .pkmap_base = 0xfec00000,
		.fixaddr_top = 0xfffff000, .highmem_start_pfn = HM_NONE,
		.page_shift = 12, .last_pkmap = 1024, .fix_kmap_begin = 68,
		.nr_cpus_max = 32, .nr_cpus = 1, .nr_colors = 1,
		.tlb_single_page_ceiling = 33, .tlb_policy = HM_TLB_X86,
		.costs = X86_COSTS,
	},
	{
		/*
		 * Debian linux-image-6.1.0-50-armmp-lpae (VIPT, NR_CPUS 8).
		 * Observed: PKMAP_BASE = PAGE_OFFSET - PMD_SIZE = 0xbfe00000;
		 * first local map on CPU 0 at 0xffefe000 with FIXADDR_TOP
		 * 0xffeff000 (FIXADDR_END 0xfff00000 - PAGE_SIZE), so
		 * FIX_KMAP_BEGIN is 1 (after FIX_EARLYCON_MEM_BASE).
		 * LAST_PKMAP = PTRS_PER_PTE = 512.  No kmap_high_get: Debian's
		 * armmp selects ARM_ERRATA_798181, which undefines
		 * ARCH_NEEDS_KMAP_HIGH_GET (arch/arm/include/asm/highmem.h).
		 * ARM finds kmap PTEs by address (NON_LINEAR_PTE_ARRAY).
		 */
		.name = "arm",
		.description = "ARM 32-bit, VIPT caches (armmp-lpae)",
		.page_offset = 0xc0000000, .pkmap_base = 0xbfe00000,
		.fixaddr_top = 0xffeff000, .highmem_start_pfn = HM_NONE,
		.page_shift = 12, .last_pkmap = 512, .fix_kmap_begin = 1,
		.nr_cpus_max = 8, .nr_cpus = 1, .nr_colors = 1,
		.tlb_single_page_ceiling = 0, .tlb_policy = HM_TLB_ARM_VIPT,
		.kmap_pte_nonlinear = true,
		.costs = ARM_COSTS,
	},
	{
		/*
		 * ARMv5 with VIVT caches (e.g. Debian armel marvell, UP):
		 * ARCH_NEEDS_KMAP_HIGH_GET, flush_cache_kmaps() flushes the
		 * whole cache, kunmap_local flushes the page from the cache
		 * first.  Layout as "arm" (derived).
		 */
		.name = "arm-vivt",
		.description = "ARM 32-bit, VIVT caches, kmap_high_get (derived)",
		.page_offset = 0xc0000000, .pkmap_base = 0xbfe00000,
		.fixaddr_top = 0xffeff000, .highmem_start_pfn = HM_NONE,
		.page_shift = 12, .last_pkmap = 512, .fix_kmap_begin = 1,
		.nr_cpus_max = 1, .nr_cpus = 1, .nr_colors = 1,
		.tlb_single_page_ceiling = 0, .tlb_policy = HM_TLB_ARM_VIVT,
		.has_kmap_high_get = true, .kmap_pte_nonlinear = true,
		.costs = ARM_COSTS,
	},
	{
		/*
		 * MIPS32, 4 KiB pages, 32-bit PTEs, NR_CPUS 4 (derived from
		 * arch/mips/include/asm/fixmap.h and pgtable-32.h of 6.1):
		 * FIXADDR_TOP 0xfffe0000; FIX_KMAP_BEGIN = FIX_CMAP_END + 1 =
		 * FIX_N_COLOURS * 2 + 1 = 17; PKMAP_END = FIXADDR_START aligned
		 * down to the pool size, PKMAP_BASE = PKMAP_END - 4 MiB.
		 * kmap() flushes the returned address on every CPU; the pool
		 * flush is larger than the TLB, so a full flush on every CPU.
		 */
		.name = "mips",
		.description = "MIPS32, 4 KiB pages (derived)",
		.page_offset = 0x80000000, .pkmap_base = 0xff800000,
		.fixaddr_top = 0xfffe0000, .highmem_start_pfn = HM_NONE,
		.page_shift = 12, .last_pkmap = 1024, .fix_kmap_begin = 17,
		.nr_cpus_max = 4, .nr_cpus = 1, .nr_colors = 1,
		.tlb_single_page_ceiling = 0, .tlb_policy = HM_TLB_MIPS,
		.costs = X86_COSTS,
	},
	{
		/*
		 * PowerPC 32, 4 KiB pages, NR_CPUS 4 (derived from
		 * arch/powerpc/include/asm/fixmap.h and highmem.h of 6.1):
		 * FIXADDR_TOP = -PAGE_SIZE; 128 KiB of early-debug fixmap
		 * first, so FIX_KMAP_BEGIN 32; LAST_PKMAP 1 << PTE_SHIFT = 1024.
		 * Flushes the page on local map and unmap; the pool flush is a
		 * hardware-broadcast range on hash Book3S-32.
		 */
		.name = "powerpc",
		.description = "PowerPC 32-bit, 4 KiB pages (derived)",
		.page_offset = 0xc0000000, .pkmap_base = 0xff400000,
		.fixaddr_top = 0xfffff000, .highmem_start_pfn = HM_NONE,
		.page_shift = 12, .last_pkmap = 1024, .fix_kmap_begin = 32,
		.nr_cpus_max = 4, .nr_cpus = 1, .nr_colors = 1,
		.tlb_single_page_ceiling = 0, .tlb_policy = HM_TLB_POWERPC,
		.costs = X86_COSTS,
	},
	{
		/*
		 * Xtensa with a 16 KiB cache way: 4 colours
		 * (arch/xtensa/include/asm/highmem.h: get_pkmap_color() is the
		 * DCACHE_ALIAS of the page, LAST_PKMAP = PTRS_PER_PTE *
		 * DCACHE_N_COLORS, one slot search and wait queue per colour).
		 * Layout derived for NR_CPUS 1: FIXADDR_START is PMD aligned,
		 * FIXADDR_TOP = FIXADDR_START + 64 pages - 1 page; PKMAP_BASE
		 * below it, PMD aligned.  Every pool flush flushes the caches
		 * (flush_cache_kmaps()) and, 4096 pages being more than the
		 * TLB holds, the whole TLB.
		 */
		.name = "xtensa",
		.description = "Xtensa, 4 cache colours (derived)",
		.page_offset = 0xd0000000, .pkmap_base = 0xce800000,
		.fixaddr_top = 0xcfc3f000, .highmem_start_pfn = HM_NONE,
		.page_shift = 12, .last_pkmap = 4096, .fix_kmap_begin = 0,
		.nr_cpus_max = 1, .nr_cpus = 1, .nr_colors = 4,
		.tlb_single_page_ceiling = 0, .tlb_policy = HM_TLB_XTENSA,
		.costs = X86_COSTS,
	},
};

#define NR_PROFILES (sizeof(profiles) / sizeof(profiles[0]))

unsigned int hm_profile_count(void)
{
	return NR_PROFILES;
}

const struct hm_profile *hm_profile_get(unsigned int i)
{
	return i < NR_PROFILES ? &profiles[i] : NULL;
}

const struct hm_profile *hm_profile_find(const char *name)
{
	for (unsigned int i = 0; i < NR_PROFILES; i++)
		if (strcmp(profiles[i].name, name) == 0)
			return &profiles[i];
	return NULL;
}

static bool is_pow2(uint32_t v)
{
	return v && !(v & (v - 1));
}

int hm_profile_check(const struct hm_profile *p, const char **why)
{
	uint64_t page = 1ull << (p->page_shift < 32 ? p->page_shift : 0);
	uint64_t kmap_pages;

	*why = NULL;
	if (p->page_shift < 10 || p->page_shift > 16)
		*why = "page_shift must be 10..16";
	else if (!is_pow2(p->last_pkmap) || p->last_pkmap > (1u << 20))
		/* LAST_PKMAP_MASK arithmetic needs a power of two */
		*why = "last_pkmap must be a power of two, at most 1048576";
	else if (!is_pow2(p->nr_colors) || p->nr_colors > p->last_pkmap)
		*why = "nr_colors must be a power of two not above last_pkmap";
	else if (p->nr_cpus == 0 || p->nr_cpus > 4096)
		*why = "nr_cpus must be 1..4096";
	else if (p->nr_cpus_max < p->nr_cpus)
		*why = "nr_cpus exceeds the NR_CPUS the fixmap was sized for";
	else if (p->tlb_policy >= HM_TLB__COUNT)
		*why = "unknown TLB policy";
	if (*why)
		return -EINVAL;
	kmap_pages = (uint64_t)hm_profile_km_max_idx(p) * p->nr_cpus_max * p->nr_colors;
	if ((p->fix_kmap_begin + kmap_pages) * page > p->fixaddr_top)
		*why = "the kmap fixmap does not fit below fixaddr_top";
	else if (p->pkmap_base + (uint64_t)p->last_pkmap * page > (1ull << 32))
		*why = "the pkmap pool does not fit in 32 bits";
	else if ((p->pkmap_base | p->fixaddr_top | p->page_offset) & (page - 1))
		*why = "pkmap_base, fixaddr_top and page_offset must be page aligned";
	return *why ? -EINVAL : 0;
}
