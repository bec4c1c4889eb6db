/* Constant device registers a VMM declared (gzhyp/mmio_const.h): a sorted table in one pool
 * page, searched by binary search from the exit paths. */
#include <gzabi/status.h>
#include <gzhyp/atomic.h>
#include <gzhyp/lib.h>
#include <gzhyp/mmio_const.h>
#include <gzhyp/pool.h>
#include <uapi/linux/gzvm.h>

/* The first entry whose IPA is >= @ipa. */
static uint32_t lower_bound(const struct gz_mmio_const *t, gz_ipa_t ipa)
{
	uint32_t lo = 0, hi = t->nr;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (t->ent[mid].ipa < ipa)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int remove(struct gz_mmio_const *t, gz_ipa_t ipa)
{
	uint32_t i = t->ent ? lower_bound(t, ipa) : 0;

	if (!t->ent || i == t->nr || t->ent[i].ipa != ipa)
		return GZ_ERR_NOT_FOUND;
	gz_memmove(&t->ent[i], &t->ent[i + 1], (t->nr - i - 1) * sizeof(t->ent[0]));
	t->nr--;
	return GZ_OK;
}

static bool args_ok(unsigned ipa_bits, gz_ipa_t ipa, uint64_t size, uint64_t value, uint64_t flags)
{
	return (size == 1 || size == 2 || size == 4) && GZ_IS_ALIGNED(ipa, size) &&
	       !(ipa >> ipa_bits) && !(value >> (8 * size)) &&
	       !(flags & ~GZVM_MMIO_CONST_UPDATABLE);
}

int gz_mmio_const_set(struct gz_mmio_const *t, struct gz_pool_acct *acct, unsigned ipa_bits,
		      gz_ipa_t ipa, uint64_t size, uint64_t value, uint64_t flags)
{
	uint32_t i;

	if (size == 0 && !flags)
		return remove(t, ipa);
	if (!args_ok(ipa_bits, ipa, size, value, flags))
		return GZ_ERR_INVALID_ARGS;
	if (!t->ent) {
		t->ent = gz_pool_zalloc(acct);
		if (!t->ent)
			return GZ_ERR_NO_MEMORY;
	}
	i = lower_bound(t, ipa);
	if (i == t->nr || t->ent[i].ipa != ipa) {
		if (t->nr == GZ_MMIO_CONST_MAX)
			return GZ_ERR_NO_RESOURCES;
		gz_memmove(&t->ent[i + 1], &t->ent[i], (t->nr - i) * sizeof(t->ent[0]));
		t->nr++;
	}
	t->ent[i] = (struct gz_mmio_const_ent){
	    .ipa = ipa, .value = (uint32_t)value, .size = (uint16_t)size, .flags = (uint16_t)flags};
	return GZ_OK;
}

int gz_mmio_const_update(struct gz_mmio_const *t, unsigned ipa_bits, gz_ipa_t ipa, uint64_t size,
			 uint64_t value, uint64_t flags)
{
	uint32_t i;

	if (size && !args_ok(ipa_bits, ipa, size, value, flags))
		return GZ_ERR_INVALID_ARGS;
	i = lower_bound(t, ipa); /* an empty table (no page yet) gives 0 == nr */
	if (!(flags & GZVM_MMIO_CONST_UPDATABLE) || i == t->nr || t->ent[i].ipa != ipa ||
	    t->ent[i].size != size || !(t->ent[i].flags & GZVM_MMIO_CONST_UPDATABLE))
		return GZ_ERR_BAD_STATE;
	/* the entry stays where it is: a vCPU searching the table meanwhile finds it, with the
	 * old value or the new one */
	gz_atomic_store_release(&t->ent[i].value, (uint32_t)value);
	return GZ_OK;
}

bool gz_mmio_const_lookup(const struct gz_mmio_const *t, gz_ipa_t ipa, unsigned size,
			  uint32_t *value)
{
	uint32_t i;

	if (!t->nr)
		return false;
	i = lower_bound(t, ipa);
	if (i == t->nr || t->ent[i].ipa != ipa || t->ent[i].size != size)
		return false;
	*value = gz_atomic_load_acquire(&t->ent[i].value);
	return true;
}

void gz_mmio_const_free(struct gz_mmio_const *t, struct gz_pool_acct *acct)
{
	if (t->ent)
		gz_pool_free_va(acct, t->ent);
	t->ent = NULL;
	t->nr = 0;
}
