/* The page-state store (gzhyp/pgstate.h): one 16-bit entry per page of the HAL's memory. */
#include <gzhyp/pgstate.h>
#include <gzabi/status.h>
#include <hal.h>

#define ENTRY_OWNER_MASK  0x0fffu
#define ENTRY_STATE_SHIFT 12
#define ENTRY_STATE_MASK  0xfu

struct region {
	gz_pa_t base;
	uint64_t npages;
	uint64_t first; /* index of its first entry */
};

static struct region regions[GZ_PGSTATE_MAX_REGIONS];
static unsigned nr_regions;
static uint16_t *entries;
static uint64_t nr_entries;
/* The owner and borrower of each two-VM share's pages. */
static struct {
	gz_owner_t owner, borrower;
} pairs[GZ_PGSTATE_PAIRS];
static gz_pgstate_observer_fn observer;
static void *observer_arg;

/* Read the HAL's regions into @out; the count, or 0 when they are unusable. */
static unsigned read_regions(struct region *out)
{
	uint64_t total = 0, end;
	gz_pa_t base;
	uint64_t size;
	unsigned n = 0;

	while (gz_hal_phys_region(n, &base, &size)) {
		if (n == GZ_PGSTATE_MAX_REGIONS || !size || !GZ_IS_ALIGNED(base, GZ_PAGE_SIZE) ||
		    !GZ_IS_ALIGNED(size, GZ_PAGE_SIZE) || !gz_range_end(base, size, &end))
			return 0;
		out[n] = (struct region){base, size >> GZ_PAGE_SHIFT, total};
		total += size >> GZ_PAGE_SHIFT;
		n++;
	}
	return n;
}

size_t gz_pgstate_storage_bytes(void)
{
	struct region r[GZ_PGSTATE_MAX_REGIONS];
	unsigned n = read_regions(r);

	if (!n)
		return 0;
	return (size_t)(r[n - 1].first + r[n - 1].npages) * sizeof(uint16_t);
}

int gz_pgstate_init(void *storage, size_t bytes)
{
	struct region r[GZ_PGSTATE_MAX_REGIONS];
	unsigned n = read_regions(r);
	uint64_t total;

	if (!n || !storage || ((uintptr_t)storage & 1))
		return GZ_ERR_INVALID_ARGS;
	total = r[n - 1].first + r[n - 1].npages;
	if (bytes / sizeof(uint16_t) < total)
		return GZ_ERR_NO_MEMORY;
	for (unsigned i = 0; i < n; i++)
		regions[i] = r[i];
	nr_regions = n;
	entries = storage;
	nr_entries = total;
	/* Host OWNED is the all-zero entry. */
	for (uint64_t i = 0; i < total; i++)
		entries[i] = 0;
	for (unsigned i = 0; i < GZ_PGSTATE_PAIRS; i++)
		pairs[i].owner = pairs[i].borrower = GZ_OWNER_NONE;
	return GZ_OK;
}

/* Index of the entry of @pa, or -1 when unmanaged. */
static int64_t index_of(gz_pa_t pa)
{
	for (unsigned i = 0; i < nr_regions; i++) {
		uint64_t off = pa - regions[i].base;

		if (pa >= regions[i].base && (off >> GZ_PAGE_SHIFT) < regions[i].npages)
			return (int64_t)(regions[i].first + (off >> GZ_PAGE_SHIFT));
	}
	return -1;
}

int64_t gz_pgstate_index(gz_pa_t pa)
{
	return index_of(pa);
}

bool gz_pgstate_managed(gz_pa_t pa)
{
	return index_of(pa) >= 0;
}

bool gz_pgstate_managed_range(gz_pa_t pa, uint64_t nr)
{
	gz_pa_t end;

	if (!nr || nr > (UINT64_MAX >> GZ_PAGE_SHIFT) ||
	    !gz_range_end(GZ_ALIGN_DOWN(pa, GZ_PAGE_SIZE), nr << GZ_PAGE_SHIFT, &end))
		return false;
	pa = GZ_ALIGN_DOWN(pa, GZ_PAGE_SIZE);
	/* A range lies in one region (regions never touch the same page twice). */
	for (unsigned i = 0; i < nr_regions; i++) {
		uint64_t rend = regions[i].base + (regions[i].npages << GZ_PAGE_SHIFT);

		if (pa >= regions[i].base && end <= rend)
			return true;
	}
	return false;
}

bool gz_pgstate_any_managed(gz_pa_t pa, uint64_t size)
{
	gz_pa_t end;

	if (!gz_range_end(pa, size, &end))
		end = UINT64_MAX;
	for (unsigned i = 0; i < nr_regions; i++) {
		uint64_t rend = regions[i].base + (regions[i].npages << GZ_PAGE_SHIFT);

		if (pa < rend && end > regions[i].base)
			return true;
	}
	return false;
}

static enum gz_page_state entry_state(uint16_t e)
{
	return (enum gz_page_state)((e >> ENTRY_STATE_SHIFT) & ENTRY_STATE_MASK);
}

gz_owner_t gz_pgstate_owner(gz_pa_t pa)
{
	int64_t i = index_of(pa);

	if (i < 0)
		return GZ_OWNER_NONE;
	/* A lent page's owner bits name the borrower; the owner is the host. */
	if (gz_page_state_is_lent(entry_state(entries[i])))
		return GZ_OWNER_HOST;
	if (entry_state(entries[i]) == GZ_PAGE_VM_SHARED)
		return pairs[entries[i] & ENTRY_OWNER_MASK].owner;
	return (gz_owner_t)(entries[i] & ENTRY_OWNER_MASK);
}

enum gz_page_state gz_pgstate_state(gz_pa_t pa)
{
	int64_t i = index_of(pa);

	return i < 0 ? GZ_PAGE_NOACCESS : entry_state(entries[i]);
}

gz_owner_t gz_pgstate_lent_to(gz_pa_t pa)
{
	int64_t i = index_of(pa);

	if (i < 0 || !gz_page_state_is_lent(entry_state(entries[i])))
		return GZ_OWNER_NONE;
	return (gz_owner_t)(entries[i] & ENTRY_OWNER_MASK);
}

gz_owner_t gz_pgstate_vm_borrower(gz_pa_t pa)
{
	int64_t i = index_of(pa);

	if (i < 0 || entry_state(entries[i]) != GZ_PAGE_VM_SHARED)
		return GZ_OWNER_NONE;
	return pairs[entries[i] & ENTRY_OWNER_MASK].borrower;
}

gz_owner_t gz_pgstate_borrower(gz_owner_t owner)
{
	if (owner == GZ_OWNER_HOST)
		return GZ_OWNER_HYP;
	if (GZ_OWNER_IS_VM(owner) && owner != GZ_OWNER_NONE)
		return GZ_OWNER_HOST;
	return GZ_OWNER_NONE;
}

enum gz_page_state gz_pgstate_view(gz_pa_t pa, gz_owner_t who)
{
	int64_t i = index_of(pa);
	gz_owner_t owner;
	enum gz_page_state st;

	if (i < 0)
		return GZ_PAGE_NOACCESS;
	owner = entries[i] & ENTRY_OWNER_MASK;
	st = entry_state(entries[i]);
	if (gz_page_state_is_lent(st)) {
		if (who == GZ_OWNER_HOST)
			return st;
		return owner == who ? GZ_PAGE_BORROWED : GZ_PAGE_NOACCESS;
	}
	if (st == GZ_PAGE_VM_SHARED) {
		if (pairs[owner].owner == who)
			return st;
		return pairs[owner].borrower == who ? GZ_PAGE_VM_BORROWED : GZ_PAGE_NOACCESS;
	}
	if (owner == who)
		return st;
	if (st == GZ_PAGE_SHARED_OWNED && gz_pgstate_borrower(owner) == who)
		return GZ_PAGE_SHARED_BORROWED;
	return GZ_PAGE_NOACCESS;
}

/* Store entry @e for [pa, pa + nr pages), tell the HAL whether the host may reach them, and
 * the observer that they changed. */
static void write_entries(gz_pa_t pa, uint64_t nr, uint16_t e)
{
	int64_t i;

	if (!gz_pgstate_managed_range(pa, nr))
		gz_hal_panic("pgstate: set on unmanaged memory");
	i = index_of(pa);
	for (uint64_t k = 0; k < nr; k++)
		entries[i + (int64_t)k] = e;
	switch (gz_pgstate_view(pa, GZ_OWNER_HOST)) {
	case GZ_PAGE_OWNED:
	case GZ_PAGE_SHARED_OWNED:
	case GZ_PAGE_SHARED_BORROWED:
	case GZ_PAGE_LENT:
	case GZ_PAGE_LENT_SHARED:
		gz_hal_host_access(pa, nr, true);
		break;
	default:
		gz_hal_host_access(pa, nr, false);
		break;
	}
	if (observer)
		observer(pa, nr, observer_arg);
}

void gz_pgstate_set(gz_pa_t pa, uint64_t nr, gz_owner_t owner, enum gz_page_state state)
{
	bool lent = gz_page_state_is_lent(state);

	if (owner > ENTRY_OWNER_MASK || owner == GZ_OWNER_NONE ||
	    (lent && !GZ_OWNER_IS_VM(owner)) ||
	    (!lent && state != GZ_PAGE_OWNED && state != GZ_PAGE_SHARED_OWNED &&
	     state != GZ_PAGE_DONATED))
		gz_hal_panic("pgstate: bad entry");
	write_entries(pa, nr, (uint16_t)(owner | ((unsigned)state << ENTRY_STATE_SHIFT)));
}

void gz_pgstate_pair_name(unsigned slot, gz_owner_t owner, gz_owner_t borrower)
{
	if (slot >= GZ_PGSTATE_PAIRS || !GZ_OWNER_IS_VM(owner) || owner == GZ_OWNER_NONE ||
	    !GZ_OWNER_IS_VM(borrower) || borrower == GZ_OWNER_NONE || owner == borrower)
		gz_hal_panic("pgstate: bad pair");
	pairs[slot].owner = owner;
	pairs[slot].borrower = borrower;
}

void gz_pgstate_set_pair(gz_pa_t pa, uint64_t nr, unsigned slot)
{
	if (slot >= GZ_PGSTATE_PAIRS || pairs[slot].owner == GZ_OWNER_NONE)
		gz_hal_panic("pgstate: a share of a pair never named");
	write_entries(pa, nr,
		      (uint16_t)(slot | ((unsigned)GZ_PAGE_VM_SHARED << ENTRY_STATE_SHIFT)));
}

void gz_pgstate_set_observer(gz_pgstate_observer_fn fn, void *arg)
{
	observer = fn;
	observer_arg = arg;
}

uint64_t gz_pgstate_nr_pages(void)
{
	return nr_entries;
}

gz_pa_t gz_pgstate_pa_at(uint64_t idx)
{
	for (unsigned i = 0; i < nr_regions; i++)
		/* Regions are in index order, so idx >= first for every region reached. */
		if (idx - regions[i].first < regions[i].npages)
			return regions[i].base + ((idx - regions[i].first) << GZ_PAGE_SHIFT);
	gz_hal_panic("pgstate: index out of range");
}

uint64_t gz_pgstate_find_vm(gz_owner_t vm, uint64_t from, uint64_t to)
{
	if (to > nr_entries)
		to = nr_entries;
	if (!GZ_OWNER_IS_VM(vm) || vm == GZ_OWNER_NONE)
		return to;
	/* A VM's id in the owner bits is its page (owned, shared) or one lent to it: the lent
	 * states keep the borrower there, every other state the owner. */
	for (uint64_t i = from; i < to; i++)
		if ((entries[i] & ENTRY_OWNER_MASK) == vm &&
		    entry_state(entries[i]) != GZ_PAGE_VM_SHARED)
			return i;
	return to;
}

const void *gz_pgstate_raw(size_t *bytes)
{
	*bytes = (size_t)nr_entries * sizeof(uint16_t);
	return entries;
}
