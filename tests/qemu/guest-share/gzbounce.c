// SPDX-License-Identifier: GPL-2.0
/*
 * gzbounce: lets a stock Linux kernel (Debian's 6.1, which has no restricted DMA pool) run as
 * a protected VM of opengz with its virtio devices. A protected VM's pages are donated: the
 * host reads nothing the guest did not share. gzvmm lays out a bounce pool for it (the
 * STATIC_SWIOTLB memslot, a restricted-dma-pool under /reserved-memory that every virtio
 * transport names as its memory-region) and offers VIRTIO_F_ACCESS_PLATFORM, so the virtio
 * core maps every buffer through the DMA API. This module, loaded before virtio_mmio, shares
 * exactly that pool with the host (MEM_SHARE, pKVM numbering under the GenieZone vendor UID)
 * and gives each transport naming it DMA operations of its own: rings and coherent buffers are
 * carved from the pool, and every streaming mapping is a bounce buffer in the pool that data
 * is copied into and out of, as swiotlb does with a restricted pool. The rest of the guest's
 * RAM is never shared. Where each bounce buffer came from is kept in private memory, so a host
 * writing into the pool can change the data it hands the guest, never where it is copied to.
 */
#include <linux/arm-smccc.h>
#include <linux/dma-map-ops.h>
#include <linux/genalloc.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/of.h>
#include <linux/of_address.h>
#include <linux/of_platform.h>
#include <linux/platform_device.h>
#include <linux/scatterlist.h>
#include <linux/vmalloc.h>

#include "gzbounce.h"

/* pKVM-numbered calls of the GenieZone vendor service (include/gzabi/guest_calls.h) */
#define GZB_MEM_SHARE 0xc6000003UL
#define GZB_RANGE_MAX 512 /* granules per MEM_SHARE */
#define GZB_UID_W0    0xd04e137eU
#define GZB_UID_W1    0x8d48823bU
#define GZB_UID_W2    0xc169ee8cU
#define GZB_UID_W3    0xe7db1192U
/* Bounce buffers are handed out in slots of 64 bytes (a request header takes one, not a page) */
#define GZB_SLOT_ORDER 6
/* Largest single mapping: virtio-blk sizes its segments by it, so one request cannot take the
 * whole pool */
#define GZB_MAX_MAPPING (64 * 1024)

static struct gzb_pool {
	phys_addr_t base;
	size_t size;
	void *va;
	struct gen_pool *gp;
	phys_addr_t *orig; /* per slot: the private address a streaming mapping copies to/from */
	struct device_node *np;
	unsigned int devices;
} pool;

static bool gzb_in_pool(dma_addr_t a, size_t len)
{
	return a >= pool.base && len <= pool.size && a - pool.base <= pool.size - len;
}

static unsigned long gzb_get(size_t size, size_t align)
{
	struct genpool_data_align data = {.align = align};

	return gen_pool_alloc_algo(pool.gp, size, gen_pool_first_fit_align, &data);
}

static void *gzb_va(dma_addr_t a)
{
	return pool.va + (a - pool.base);
}

static dma_addr_t gzb_dma(unsigned long va)
{
	return pool.base + (va - (unsigned long)pool.va);
}

void *gzbounce_alloc(size_t size, phys_addr_t *pa)
{
	unsigned long va = pool.gp ? gzb_get(size, PAGE_SIZE) : 0;

	if (!va)
		return NULL;
	memset((void *)va, 0, size);
	*pa = gzb_dma(va);
	return (void *)va;
}
EXPORT_SYMBOL_GPL(gzbounce_alloc);

void gzbounce_free(void *va, size_t size)
{
	gen_pool_free(pool.gp, (unsigned long)va, size);
}
EXPORT_SYMBOL_GPL(gzbounce_free);

void gzbounce_pool(phys_addr_t *base, size_t *size)
{
	*base = pool.base;
	*size = pool.size;
}
EXPORT_SYMBOL_GPL(gzbounce_pool);

static void *gzb_alloc(struct device *dev, size_t size, dma_addr_t *handle, gfp_t gfp,
		       unsigned long attrs)
{
	phys_addr_t pa;
	void *va = gzbounce_alloc(PAGE_ALIGN(size), &pa);

	if (va)
		*handle = pa;
	return va;
}

static void gzb_free(struct device *dev, size_t size, void *va, dma_addr_t handle,
		     unsigned long attrs)
{
	if (WARN_ON(!gzb_in_pool(handle, PAGE_ALIGN(size))))
		return;
	gzbounce_free(va, PAGE_ALIGN(size));
}

/* Copies between the bounce slot at @a and the private memory it stands for. */
static void gzb_copy(dma_addr_t a, size_t size, bool to_device)
{
	void *priv = phys_to_virt(pool.orig[(a - pool.base) >> GZB_SLOT_ORDER]);

	if (to_device)
		memcpy(gzb_va(a), priv, size);
	else
		memcpy(priv, gzb_va(a), size);
}

static dma_addr_t gzb_map(struct device *dev, phys_addr_t phys, size_t size,
			  enum dma_data_direction dir, unsigned long attrs)
{
	unsigned long va;
	dma_addr_t a;

	if (!size || size > GZB_MAX_MAPPING)
		return DMA_MAPPING_ERROR;
	va = gzb_get(size, 1UL << GZB_SLOT_ORDER);
	if (!va)
		return DMA_MAPPING_ERROR;
	a = gzb_dma(va);
	pool.orig[(a - pool.base) >> GZB_SLOT_ORDER] = phys;
	/* A buffer the device only fills starts as zeros, never as what the private buffer held
	 * (the host would read it); the slot's earlier contents go too. */
	if (dir == DMA_FROM_DEVICE)
		memset((void *)va, 0, size);
	else
		gzb_copy(a, size, true);
	return a;
}

static void gzb_unmap(struct device *dev, dma_addr_t a, size_t size, enum dma_data_direction dir,
		      unsigned long attrs)
{
	if (WARN_ON(!size || !gzb_in_pool(a, size)))
		return;
	if (dir == DMA_FROM_DEVICE || dir == DMA_BIDIRECTIONAL)
		gzb_copy(a, size, false);
	gen_pool_free(pool.gp, (unsigned long)gzb_va(a), size);
}

static dma_addr_t gzb_map_page(struct device *dev, struct page *page, unsigned long offset,
			       size_t size, enum dma_data_direction dir, unsigned long attrs)
{
	return gzb_map(dev, page_to_phys(page) + offset, size, dir, attrs);
}

static int gzb_map_sg(struct device *dev, struct scatterlist *sgl, int nents,
		      enum dma_data_direction dir, unsigned long attrs)
{
	struct scatterlist *sg;
	int i;

	for_each_sg(sgl, sg, nents, i)
	{
		sg->dma_address = gzb_map(dev, sg_phys(sg), sg->length, dir, attrs);
		if (sg->dma_address == DMA_MAPPING_ERROR) {
			struct scatterlist *s;
			int j;

			for_each_sg(sgl, s, i, j)
			    gzb_unmap(dev, s->dma_address, s->length, DMA_TO_DEVICE, attrs);
			return -ENOMEM;
		}
		sg_dma_len(sg) = sg->length;
	}
	return nents;
}

static void gzb_unmap_sg(struct device *dev, struct scatterlist *sgl, int nents,
			 enum dma_data_direction dir, unsigned long attrs)
{
	struct scatterlist *sg;
	int i;

	for_each_sg(sgl, sg, nents, i) gzb_unmap(dev, sg->dma_address, sg_dma_len(sg), dir, attrs);
}

static void gzb_sync_for_cpu(struct device *dev, dma_addr_t a, size_t size,
			     enum dma_data_direction dir)
{
	if (!WARN_ON(!gzb_in_pool(a, size)) && dir != DMA_TO_DEVICE)
		gzb_copy(a, size, false);
}

static void gzb_sync_for_device(struct device *dev, dma_addr_t a, size_t size,
				enum dma_data_direction dir)
{
	if (!WARN_ON(!gzb_in_pool(a, size)) && dir != DMA_FROM_DEVICE)
		gzb_copy(a, size, true);
}

static size_t gzb_max_mapping_size(struct device *dev)
{
	return GZB_MAX_MAPPING;
}

static const struct dma_map_ops gzb_ops = {
    .alloc = gzb_alloc,
    .free = gzb_free,
    .map_page = gzb_map_page,
    .unmap_page = gzb_unmap,
    .map_sg = gzb_map_sg,
    .unmap_sg = gzb_unmap_sg,
    .sync_single_for_cpu = gzb_sync_for_cpu,
    .sync_single_for_device = gzb_sync_for_device,
    .max_mapping_size = gzb_max_mapping_size,
};

/* Does @dev's device-tree node name the pool as its memory-region? */
static bool gzb_uses_pool(struct device *dev)
{
	struct device_node *np =
	    dev->of_node ? of_parse_phandle(dev->of_node, "memory-region", 0) : NULL;
	bool yes = np && np == pool.np;

	of_node_put(np);
	return yes;
}

/* A transport gets the pool's operations when its driver binds: after the bus configured its
 * DMA, before the driver's probe maps anything. */
static int gzb_notify(struct notifier_block *nb, unsigned long action, void *data)
{
	struct device *dev = data;

	if (action == BUS_NOTIFY_BIND_DRIVER && gzb_uses_pool(dev)) {
		set_dma_ops(dev, &gzb_ops);
		pool.devices++;
		dev_info(dev, "gzbounce: DMA through the shared bounce pool\n");
	}
	return NOTIFY_DONE;
}

static struct notifier_block gzb_nb = {.notifier_call = gzb_notify};

/* /sys/module/gzbounce/parameters/status: what was shared, and how many transports use it */
static int gzb_status_get(char *buf, const struct kernel_param *kp)
{
	if (!pool.gp)
		return sysfs_emit(buf, "no pool\n");
	return sysfs_emit(buf,
			  "bounce pool of %zu KiB at %pa shared with the host, nothing else; %u "
			  "transports bounce through it, %zu bytes in use\n",
			  pool.size >> 10, &pool.base, pool.devices,
			  gen_pool_size(pool.gp) - gen_pool_avail(pool.gp));
}

static const struct kernel_param_ops gzb_status_ops = {.get = gzb_status_get};
module_param_cb(status, &gzb_status_ops, NULL, 0444);

static bool gzb_geniezone(void)
{
	struct arm_smccc_res res;

	arm_smccc_1_1_hvc(ARM_SMCCC_VENDOR_HYP_CALL_UID_FUNC_ID, &res);
	return res.a0 == GZB_UID_W0 && res.a1 == GZB_UID_W1 && res.a2 == GZB_UID_W2 &&
	       res.a3 == GZB_UID_W3;
}

/* Shares the pool with the host, touching each page first: a protected VM's page becomes
 * the guest's when it first touches it, and only then can it share it. */
static int gzb_share(void)
{
	size_t n = pool.size >> PAGE_SHIFT, done;
	struct arm_smccc_res res;

	for (done = 0; done < n; done++)
		WRITE_ONCE(*(volatile u64 *)(pool.va + (done << PAGE_SHIFT)), 0);
	for (done = 0; done < n; done += GZB_RANGE_MAX) {
		size_t k = min_t(size_t, n - done, GZB_RANGE_MAX);

		arm_smccc_1_1_hvc(GZB_MEM_SHARE, pool.base + (done << PAGE_SHIFT), k, 0, &res);
		if (res.a0 != SMCCC_RET_SUCCESS) {
			pr_err("gzbounce: MEM_SHARE of %zu pages at %pa failed: %ld\n", k,
			       &pool.base, (long)res.a0);
			return -EIO;
		}
	}
	return 0;
}

static int __init gzbounce_init(void)
{
	struct device_node *dn;
	struct resource r;
	int err;

	if (PAGE_SIZE != 4096 || !gzb_geniezone()) {
		pr_err("gzbounce: not a GenieZone guest with 4 KiB pages\n");
		return -ENODEV;
	}
	pool.np = of_find_compatible_node(NULL, NULL, "restricted-dma-pool");
	if (!pool.np || of_address_to_resource(pool.np, 0, &r)) {
		pr_err("gzbounce: no restricted-dma-pool in the device tree\n");
		err = -ENODEV;
		goto put;
	}
	pool.base = r.start;
	pool.size = resource_size(&r);
	if (!PAGE_ALIGNED(pool.base) || !PAGE_ALIGNED(pool.size) || !pool.size) {
		err = -EINVAL;
		goto put;
	}
	/* A transport bound already maps its rings in private memory: too late to change it */
	for_each_compatible_node(dn, NULL, "virtio,mmio")
	{
		struct platform_device *pd = of_find_device_by_node(dn);

		if (pd && pd->dev.driver && gzb_uses_pool(&pd->dev)) {
			pr_err("gzbounce: %s is bound already: load gzbounce before virtio_mmio\n",
			       dev_name(&pd->dev));
			put_device(&pd->dev);
			of_node_put(dn);
			err = -EBUSY;
			goto put;
		}
		if (pd)
			put_device(&pd->dev);
	}
	err = -ENOMEM;
	pool.va = memremap(pool.base, pool.size, MEMREMAP_WB);
	pool.orig = vzalloc((pool.size >> GZB_SLOT_ORDER) * sizeof(*pool.orig));
	pool.gp = gen_pool_create(GZB_SLOT_ORDER, -1);
	if (!pool.va || !pool.orig || !pool.gp ||
	    gen_pool_add_virt(pool.gp, (unsigned long)pool.va, pool.base, pool.size, -1))
		goto free;
	err = gzb_share();
	if (err)
		goto free;
	err = bus_register_notifier(&platform_bus_type, &gzb_nb);
	if (err)
		goto free;
	pr_info("gzbounce: bounce pool of %zu KiB at %pa shared with the host, nothing else\n",
		pool.size >> 10, &pool.base);
	return 0;
free:
	/* a pool shared once stays shared: the host had it, nothing private goes there */
	if (pool.gp)
		gen_pool_destroy(pool.gp);
	pool.gp = NULL;
	vfree(pool.orig);
	if (pool.va)
		memunmap(pool.va);
put:
	of_node_put(pool.np);
	return err;
}

module_init(gzbounce_init);
/* No exit: the transports keep their mappings in the pool for as long as they live. */
MODULE_DESCRIPTION("opengz protected guest: virtio DMA through the shared bounce pool only");
MODULE_LICENSE("GPL");
