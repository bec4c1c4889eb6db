/*
 * The hypervisor's page pool: physical pages the hypervisor may use for its own objects
 * (stage-2 tables, VM and vCPU structures). Pages enter the pool from the hypervisor's
 * reserved working memory at boot and from host donations (gz_mem_host_donate_hyp), and
 * leave it only through gz_mem_hyp_return_host. The free list is threaded through the free
 * pages themselves, so the pool needs no memory of its own beyond this struct.
 *
 * Every allocation is charged to an account (struct gz_pool_acct), which is how the
 * hypervisor reports per-VM memory (GET_STATISTICS) and how tests prove nothing leaked.
 * Accounts may share a quota (struct gz_pool_quota: a VM's table and object accounts share
 * the VM's), which bounds what they hold together so one VM cannot empty the pool. A quota
 * may also be a reservation: its pages not yet taken are held back from everyone else, so it
 * can always be reached, and reservations never add up past the free pages (the setter
 * refuses one that would): @reserved below is their sum, and nr_free >= reserved always.
 */
#ifndef GZ_POOL_H
#define GZ_POOL_H

#include <arm64/types.h>
#include <gzhyp/pgtable.h>
#include <hal.h>

struct gz_pool {
	gz_lock_t lock;
	gz_pa_t free_head; /* PA of the first free page; 0 when empty */
	uint64_t nr_free;  /* pages on the free list */
	uint64_t nr_total; /* pages owned by the pool, free or allocated */
	uint64_t reserved; /* free pages promised to reserving quotas (limit - used of each) */
};

/* A bound on the pages some accounts hold together. Under the pool's lock. @limit 0: none.
 * @refused: an allocation was refused for the quota since gz_pool_quota_refused last looked
 * (the page-table engine turns every failed allocation into GZ_ERR_NO_MEMORY; this tells a
 * caller that it was the quota, not an empty pool). */
struct gz_pool_quota {
	uint64_t limit;
	uint64_t used;
	bool refused;
	bool reserve; /* limit - used pages are held for it (gz_pool_quota_set) */
};

/* Who a page was allocated for. @pages is what the owner holds now; @quota (NULL: none)
 * bounds it together with the other accounts sharing it. */
struct gz_pool_acct {
	struct gz_pool *pool;
	uint64_t pages;
	struct gz_pool_quota *quota;
};

struct gz_pool_stats {
	uint64_t total; /* pages in the pool (free + used) */
	uint64_t free;
	uint64_t used;
};

void gz_pool_init(struct gz_pool *pool);
/* Give [pa, pa + nr pages) to the pool. The caller has already made the pages hyp-owned in
 * the page-state store. Returns GZ_ERR_INVALID_ARGS for a misaligned or wrapping range or one
 * the HAL cannot map, or PA 0 (it marks the end of the free list); nothing is added then. */
int gz_pool_add(struct gz_pool *pool, gz_pa_t pa, uint64_t nr);
/* Take a zeroed page for @acct. Returns GZ_OK and the page's PA, GZ_ERR_NO_MEMORY (pool
 * empty, or its free pages all reserved for quotas other than the account's) or
 * GZ_ERR_NO_RESOURCES (the account's quota would be exceeded). */
int gz_pool_alloc(struct gz_pool_acct *acct, gz_pa_t *pa);
/* Same, returning the hypervisor VA (NULL when the pool is empty). */
void *gz_pool_zalloc(struct gz_pool_acct *acct);
/* Take @nr (a power of two, at most GZ_POOL_MAX_CONTIG) zeroed, physically contiguous pages
 * aligned to their total size, e.g. concatenated stage-2 root tables. The search needs no
 * memory: it finds runs that are consecutive on the free list, which unfragmented memory
 * always is; a fragmented pool may answer GZ_ERR_NO_MEMORY although enough pages are free.
 * GZ_ERR_INVALID_ARGS for a bad @nr. Free with gz_pool_free_contig. */
#define GZ_POOL_MAX_CONTIG 16
int gz_pool_alloc_contig(struct gz_pool_acct *acct, unsigned nr, gz_pa_t *pa);
void gz_pool_free_contig(struct gz_pool_acct *acct, gz_pa_t pa, unsigned nr);
/* Give back a page allocated for @acct (by PA or VA). */
void gz_pool_free(struct gz_pool_acct *acct, gz_pa_t pa);
void gz_pool_free_va(struct gz_pool_acct *acct, void *va);
/* Remove one free page from the pool for good (the pool shrinks by one page); used to return
 * donated pages to the host. GZ_ERR_NO_MEMORY when no page is free that no quota reserved. */
int gz_pool_take(struct gz_pool *pool, gz_pa_t *pa);
void gz_pool_get_stats(struct gz_pool *pool, struct gz_pool_stats *st);
/* Memory ops for the page-table engine that allocate from the pool, charged to @acct. */
void gz_pool_mm_ops(struct gz_pool_acct *acct, struct gz_pgt_mm_ops *ops);

static inline void gz_pool_acct_init(struct gz_pool_acct *acct, struct gz_pool *pool)
{
	acct->pool = pool;
	acct->pages = 0;
	acct->quota = NULL;
}

/* Quotas (struct gz_pool_quota), all under the pool's lock. Set @limit (0: none; below what
 * is held only refuses further allocations) and whether it is a reservation (@reserve, with a
 * limit). GZ_ERR_NO_RESOURCES, nothing changed, when the reservations would then promise more
 * pages than are free. Setting 0 without @reserve ends a quota's reservation (a VM's end). */
int gz_pool_quota_set(struct gz_pool *pool, struct gz_pool_quota *q, uint64_t limit, bool reserve);
/* The limit and what is held now. */
void gz_pool_quota_get(struct gz_pool *pool, const struct gz_pool_quota *q, uint64_t *limit,
		       uint64_t *used);
/* Whether an allocation was refused for @q since the last call (and forget it). */
bool gz_pool_quota_refused(struct gz_pool *pool, struct gz_pool_quota *q);

#endif
