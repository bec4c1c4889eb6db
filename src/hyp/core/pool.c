/* The hypervisor's page pool (gzhyp/pool.h): a free list threaded through the free pages. */
#include <gzhyp/pool.h>
#include <gzhyp/lib.h>
#include <gzabi/status.h>

/* A free page holds the PA of the next free page in its first word. */
static gz_pa_t *link_of(gz_pa_t pa)
{
	gz_pa_t *l = gz_hal_pa_to_va(pa);

	if (!l)
		gz_hal_panic("pool: free page without a mapping");
	return l;
}

void gz_pool_init(struct gz_pool *pool)
{
	pool->lock = (gz_lock_t)GZ_LOCK_INIT;
	pool->free_head = 0;
	pool->nr_free = 0;
	pool->nr_total = 0;
	pool->reserved = 0;
}

int gz_pool_add(struct gz_pool *pool, gz_pa_t pa, uint64_t nr)
{
	uint64_t end;

	if (!nr || !GZ_IS_ALIGNED(pa, GZ_PAGE_SIZE) || !pa || nr > (UINT64_MAX >> GZ_PAGE_SHIFT) ||
	    !gz_range_end(pa, nr << GZ_PAGE_SHIFT, &end))
		return GZ_ERR_INVALID_ARGS;
	for (gz_pa_t p = pa; p < end; p += GZ_PAGE_SIZE)
		if (!gz_hal_pa_to_va(p))
			return GZ_ERR_INVALID_ARGS;
	gz_hal_lock(&pool->lock);
	/* Push in reverse so that allocation hands pages out in ascending order. */
	for (gz_pa_t p = end; p > pa; p -= GZ_PAGE_SIZE) {
		*link_of(p - GZ_PAGE_SIZE) = pool->free_head;
		pool->free_head = p - GZ_PAGE_SIZE;
	}
	pool->nr_free += nr;
	pool->nr_total += nr;
	gz_hal_unlock(&pool->lock);
	return GZ_OK;
}

static gz_pa_t pop(struct gz_pool *pool)
{
	gz_pa_t pa = pool->free_head;

	if (pa) {
		pool->free_head = *link_of(pa);
		pool->nr_free--;
	}
	return pa;
}

/* Pages a quota holds back from the others: what is left of its limit, if it reserves. */
static uint64_t backlog(const struct gz_pool_quota *q)
{
	return q && q->reserve && q->limit > q->used ? q->limit - q->used : 0;
}

/* Under the pool's lock: may @acct take @nr more pages? GZ_OK and charged, or why not. */
static int charge(struct gz_pool_acct *acct, uint64_t nr)
{
	struct gz_pool *pool = acct->pool;
	struct gz_pool_quota *q = acct->quota;
	uint64_t before = backlog(q);

	if (q && q->limit && (q->used > q->limit || nr > q->limit - q->used)) {
		q->refused = true;
		return GZ_ERR_NO_RESOURCES;
	}
	/* A reserving quota's own pages cover it (nr_free >= reserved >= before >= nr); anyone
	 * else takes from the free pages nobody reserved. */
	if (before < nr && pool->nr_free - pool->reserved < nr)
		return GZ_ERR_NO_MEMORY;
	if (q) {
		q->used += nr;
		pool->reserved -= before - backlog(q);
	}
	return GZ_OK;
}

static void uncharge(struct gz_pool_acct *acct, uint64_t nr)
{
	struct gz_pool_quota *q = acct->quota;
	uint64_t before = backlog(q);

	if (!q)
		return;
	q->used -= nr;
	acct->pool->reserved += backlog(q) - before;
}

int gz_pool_alloc(struct gz_pool_acct *acct, gz_pa_t *pa)
{
	struct gz_pool *pool = acct->pool;
	gz_pa_t p = 0;
	int st;

	gz_hal_lock(&pool->lock);
	st = charge(acct, 1);
	if (st == GZ_OK) {
		p = pop(pool);
		if (!p)
			gz_hal_panic("pool: a page charged but none free");
		acct->pages++;
	}
	gz_hal_unlock(&pool->lock);
	if (st != GZ_OK)
		return st;
	gz_memset(gz_hal_pa_to_va(p), 0, GZ_PAGE_SIZE);
	*pa = p;
	return GZ_OK;
}

void *gz_pool_zalloc(struct gz_pool_acct *acct)
{
	gz_pa_t pa;

	if (gz_pool_alloc(acct, &pa) != GZ_OK)
		return NULL;
	return gz_hal_pa_to_va(pa);
}

void gz_pool_free(struct gz_pool_acct *acct, gz_pa_t pa)
{
	struct gz_pool *pool = acct->pool;

	if (!pa || !GZ_IS_ALIGNED(pa, GZ_PAGE_SIZE))
		gz_hal_panic("pool: freeing a bad page");
	gz_hal_lock(&pool->lock);
	if (!acct->pages)
		gz_hal_panic("pool: account freeing more than it took");
	acct->pages--;
	uncharge(acct, 1);
	*link_of(pa) = pool->free_head;
	pool->free_head = pa;
	pool->nr_free++;
	gz_hal_unlock(&pool->lock);
}

void gz_pool_free_va(struct gz_pool_acct *acct, void *va)
{
	gz_pool_free(acct, gz_hal_va_to_pa(va));
}

int gz_pool_take(struct gz_pool *pool, gz_pa_t *pa)
{
	gz_pa_t p;

	gz_hal_lock(&pool->lock);
	p = pool->nr_free > pool->reserved ? pop(pool) : 0;
	if (p)
		pool->nr_total--;
	gz_hal_unlock(&pool->lock);
	if (!p)
		return GZ_ERR_NO_MEMORY;
	*pa = p;
	return GZ_OK;
}

void gz_pool_get_stats(struct gz_pool *pool, struct gz_pool_stats *st)
{
	gz_hal_lock(&pool->lock);
	st->total = pool->nr_total;
	st->free = pool->nr_free;
	st->used = pool->nr_total - pool->nr_free;
	gz_hal_unlock(&pool->lock);
}

/*
 * Contiguous allocation without memory of its own: one pass over the free list looking for
 * @nr entries that follow each other on the list and are physically consecutive, the first
 * aligned to the run's size. Pages added as a range sit on the list in ascending order and
 * allocation pops from the head, so unfragmented memory always qualifies; a fragmented pool
 * may refuse even though enough scattered pages are free (documented in gzhyp/pool.h).
 */
int gz_pool_alloc_contig(struct gz_pool_acct *acct, unsigned nr, gz_pa_t *pa)
{
	struct gz_pool *pool = acct->pool;
	uint64_t bytes = (uint64_t)nr << GZ_PAGE_SHIFT;
	gz_pa_t prev = 0, start_prev = 0, start = 0, p;
	unsigned run = 0;
	int st;

	if (nr == 0 || nr > GZ_POOL_MAX_CONTIG || (nr & (nr - 1)))
		return GZ_ERR_INVALID_ARGS;
	gz_hal_lock(&pool->lock);
	st = charge(acct, nr);
	if (st != GZ_OK) {
		gz_hal_unlock(&pool->lock);
		return st;
	}
	for (p = pool->free_head; p; prev = p, p = *link_of(p)) {
		if (run && p == start + ((uint64_t)run << GZ_PAGE_SHIFT)) {
			run++;
		} else if (GZ_IS_ALIGNED(p, bytes)) {
			start = p;
			start_prev = prev;
			run = 1;
		} else {
			run = 0;
		}
		if (run == nr)
			break;
	}
	if (run != nr) {
		uncharge(acct, nr);
		gz_hal_unlock(&pool->lock);
		return GZ_ERR_NO_MEMORY;
	}
	/* Unlink the run: its last entry's successor follows the entry before it. */
	if (start_prev)
		*link_of(start_prev) = *link_of(p);
	else
		pool->free_head = *link_of(p);
	pool->nr_free -= nr;
	acct->pages += nr;
	gz_hal_unlock(&pool->lock);
	gz_memset(gz_hal_pa_to_va(start), 0, bytes);
	*pa = start;
	return GZ_OK;
}

void gz_pool_free_contig(struct gz_pool_acct *acct, gz_pa_t pa, unsigned nr)
{
	/* Freed page by page, highest first, so the run is back in ascending list order. */
	for (unsigned i = nr; i > 0; i--)
		gz_pool_free(acct, pa + ((uint64_t)(i - 1) << GZ_PAGE_SHIFT));
}

static void *mm_zalloc_contig(void *ctx, unsigned nr)
{
	gz_pa_t pa;

	if (gz_pool_alloc_contig(ctx, nr, &pa) != GZ_OK)
		return NULL;
	return gz_hal_pa_to_va(pa);
}

static void mm_free_contig(void *ctx, void *va, unsigned nr)
{
	gz_pool_free_contig(ctx, gz_hal_va_to_pa(va), nr);
}

static void *mm_zalloc(void *ctx)
{
	return gz_pool_zalloc(ctx);
}

static void mm_free(void *ctx, void *va)
{
	gz_pool_free_va(ctx, va);
}

void gz_pool_mm_ops(struct gz_pool_acct *acct, struct gz_pgt_mm_ops *ops)
{
	*ops = (struct gz_pgt_mm_ops){
	    .zalloc_page = mm_zalloc,
	    .free_page = mm_free,
	    .zalloc_contig = mm_zalloc_contig,
	    .free_contig = mm_free_contig,
	    .ctx = acct,
	};
}

int gz_pool_quota_set(struct gz_pool *pool, struct gz_pool_quota *q, uint64_t limit, bool reserve)
{
	struct gz_pool_quota old;
	uint64_t before, after;
	int st = GZ_OK;

	gz_hal_lock(&pool->lock);
	old = *q;
	before = backlog(q);
	q->limit = limit;
	q->reserve = reserve && limit;
	after = backlog(q);
	if (after > before && pool->reserved - before + after > pool->nr_free) {
		*q = old;
		st = GZ_ERR_NO_RESOURCES;
	} else {
		pool->reserved = pool->reserved - before + after;
	}
	gz_hal_unlock(&pool->lock);
	return st;
}

void gz_pool_quota_get(struct gz_pool *pool, const struct gz_pool_quota *q, uint64_t *limit,
		       uint64_t *used)
{
	gz_hal_lock(&pool->lock);
	*limit = q->limit;
	*used = q->used;
	gz_hal_unlock(&pool->lock);
}

bool gz_pool_quota_refused(struct gz_pool *pool, struct gz_pool_quota *q)
{
	bool r;

	gz_hal_lock(&pool->lock);
	r = q->refused;
	q->refused = false;
	gz_hal_unlock(&pool->lock);
	return r;
}
