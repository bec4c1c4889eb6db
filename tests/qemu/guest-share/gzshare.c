// SPDX-License-Identifier: GPL-2.0
/*
 * gzshare: loaded in a protected Linux GUEST of opengz before its virtio drivers. gzhyp
 * gives a protected VM its pages by donation (the host loses access; a normal VM's are lent
 * and need nothing of this); a stock kernel does not share its DMA buffers, so the host's
 * VMM could not read a virtqueue. This module opts
 * the guest's RAM [base, base + size) into host access page by page with the pKVM-numbered
 * MEM_SHARE hypercall that gzhyp implements, touching each page first so that it is mapped.
 * Other VMs still cannot reach these pages: only the host borrows them.
 */
#include <linux/arm-smccc.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/module.h>

#define GZSHARE_MEM_SHARE 0xc6000003UL

static unsigned long base;
static unsigned long size;
module_param(base, ulong, 0444);
MODULE_PARM_DESC(base, "guest physical start of the RAM to share (page aligned)");
module_param(size, ulong, 0444);
MODULE_PARM_DESC(size, "bytes to share (page multiple)");

static int __init gzshare_init(void)
{
	unsigned long pfn, first, last, shared = 0, skipped = 0;
	struct arm_smccc_res res;

	if (!size || !PAGE_ALIGNED(base) || !PAGE_ALIGNED(size) || base + size < base)
		return -EINVAL;
	first = PHYS_PFN(base);
	last = PHYS_PFN(base + size);
	for (pfn = first; pfn < last; pfn++) {
		if (!pfn_valid(pfn)) {
			skipped++;
			continue;
		}
		/* a read maps the page into the guest (demand paging) before it is shared */
		(void)READ_ONCE(*(volatile unsigned long *)page_address(pfn_to_page(pfn)));
		arm_smccc_1_1_hvc(GZSHARE_MEM_SHARE, PFN_PHYS(pfn), 0, 0, &res);
		/* INVALID_PARAMETER: the page was shared before (a second load) */
		if (res.a0 != SMCCC_RET_SUCCESS && (long)res.a0 != SMCCC_RET_INVALID_PARAMETER) {
			pr_err("gzshare: MEM_SHARE of 0x%llx failed: %ld\n",
			       (unsigned long long)PFN_PHYS(pfn), (long)res.a0);
			return -EIO;
		}
		shared++;
		cond_resched();
	}
	pr_info("gzshare: %lu pages shared with the host, %lu without a struct page\n", shared,
		skipped);
	return 0;
}

static void __exit gzshare_exit(void)
{
}

module_init(gzshare_init);
module_exit(gzshare_exit);
MODULE_DESCRIPTION("opengz guest: share RAM with the host for virtio");
MODULE_LICENSE("GPL");
