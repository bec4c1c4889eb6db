/* Inter-VM channels (gzhyp/chan.h): the table, creation by the host, the bounded queues and
 * their doorbells, the guest's send / receive / state, and the death of a channel with a
 * VM. */
#include <arm64/gicv3.h>
#include <gzabi/status.h>
#include <gzhyp/atomic.h>
#include <gzhyp/chan.h>
#include <gzhyp/lib.h>
#include <gzhyp/mem.h>
#include <gzhyp/mem_guest.h>
#include <gzhyp/vgic.h>
#include <gzhyp/vm.h>
#include <hal.h>

_Static_assert(GZ_CHAN_DEPTH *GZ_CHAN_MSG_MAX == GZ_PAGE_SIZE, "one page per queue");

enum chan_state {
	CHAN_FREE = 0,
	CHAN_OPEN,
	CHAN_DEAD,
};

/* One direction: slot (head + i) % DEPTH holds the i-th oldest message, len[] its length. */
struct chan_queue {
	uint8_t *slots;		   /* a pool page; NULL once the channel is dead */
	struct gz_pool_acct *acct; /* the sending VM's objects: its quota bounds its queues */
	uint8_t head, count;
	uint16_t len[GZ_CHAN_DEPTH];
};

/* The bulk region: host pages mapped in both VMs (a two-VM share, gzhyp/mem.h). */
struct chan_region {
	gz_pa_t pa; /* nr 0: none */
	uint64_t nr;
	gz_ipa_t ipa[2]; /* where end e maps it */
	uint8_t owner;	 /* the end whose VM owns it (the other borrows it) */
};

/* End e sends through q[e] and receives from q[1 - e]. vm_id 0: that VM is gone. */
struct chan {
	uint8_t state; /* enum chan_state */
	uint16_t vm_id[2];
	uint16_t intid[2];
	struct chan_queue q[2];
	struct chan_region region;
};

GZ_STATIC_ASSERT(GZ_CHAN_MAX <= GZ_PGSTATE_PAIRS, "a pair slot per channel");
GZ_STATIC_ASSERT(GZ_CHAN_REGION_PAGES_MAX == GZ_MEM_PEER_PAGES_MAX, "one limit");
GZ_STATIC_ASSERT(GZ_CHAN_MAX_PER_VM <= GZ_MEM_PEER_MAX, "a share per channel end");

static struct chan chans[GZ_CHAN_MAX];
static gz_lock_t chan_lock = GZ_LOCK_INIT;
static uint64_t chan_pages;   /* every queue page, under chan_lock */
static uint64_t region_pages; /* every region's pages, under chan_lock */

void gz_chan_table_init(void)
{
	gz_memset(chans, 0, sizeof(chans));
	chan_lock = (gz_lock_t)GZ_LOCK_INIT;
	chan_pages = 0;
	region_pages = 0;
}

/* A queue's page, charged to its sending VM (@acct: within that VM's quota, or
 * GZ_ERR_NO_RESOURCES). Under chan_lock. */
static int queue_alloc(struct chan_queue *q, struct gz_pool_acct *acct)
{
	gz_pa_t pa;
	int r = gz_pool_alloc(acct, &pa);

	if (r != GZ_OK)
		return r;
	q->slots = gz_hal_pa_to_va(pa);
	q->acct = acct;
	chan_pages++;
	return GZ_OK;
}

/* Zero a queue's page and give it back to its VM's account (both VMs exist while a channel
 * is open: a VM's destruction clears it from every channel first). Under chan_lock. */
static void queue_free(struct chan_queue *q)
{
	gz_memset(q->slots, 0, GZ_PAGE_SIZE);
	gz_pool_free_va(q->acct, q->slots);
	chan_pages--;
	*q = (struct chan_queue){0};
}

/* Channel ends @vm_id holds (any state but FREE), and whether one has doorbell @intid. */
static unsigned ends_of(uint16_t vm_id, uint64_t intid, bool *intid_taken)
{
	unsigned n = 0;

	for (unsigned i = 0; i < GZ_CHAN_MAX; i++) {
		for (unsigned e = 0; chans[i].state != CHAN_FREE && e < 2; e++) {
			if (chans[i].vm_id[e] != vm_id)
				continue;
			n++;
			if (chans[i].intid[e] == intid)
				*intid_taken = true;
		}
	}
	return n;
}

static bool doorbell_ok(uint64_t intid)
{
	return intid >= ARCH_GIC_SPI_BASE && intid < ARCH_GIC_SPI_BASE + GZ_VM_NR_SPIS;
}

/* Not being destroyed (the host call holds both VMs: neither is FREE or CREATING). */
static bool live(struct gz_vm *vm)
{
	return gz_atomic_load_acquire(&vm->state) != GZ_VM_DESTROYING;
}

int gz_chan_create(struct gz_vm *a, struct gz_vm *b, uint64_t intid_a, uint64_t intid_b,
		   uint32_t *id)
{
	bool taken = false;
	struct chan *c = NULL;
	int r = GZ_OK;

	if (a == b || !doorbell_ok(intid_a) || !doorbell_ok(intid_b))
		return GZ_ERR_INVALID_ARGS;
	gz_hal_lock(&chan_lock);
	/* A VM whose destruction started has had its channels cleared: it gets no new one. */
	if (!live(a) || !live(b))
		r = GZ_ERR_BAD_STATE;
	else if (ends_of(a->id, intid_a, &taken) >= GZ_CHAN_MAX_PER_VM ||
		 ends_of(b->id, intid_b, &taken) >= GZ_CHAN_MAX_PER_VM)
		r = GZ_ERR_NO_RESOURCES;
	else if (taken)
		r = GZ_ERR_ALREADY_EXISTS;
	for (unsigned i = 0; r == GZ_OK && !c && i < GZ_CHAN_MAX; i++)
		if (chans[i].state == CHAN_FREE)
			c = &chans[i];
	if (r == GZ_OK && !c)
		r = GZ_ERR_NO_RESOURCES;
	if (r == GZ_OK) {
		*c = (struct chan){0};
		r = queue_alloc(&c->q[0], &a->mem.obj_acct);
		if (r == GZ_OK) {
			r = queue_alloc(&c->q[1], &b->mem.obj_acct);
			if (r != GZ_OK)
				queue_free(&c->q[0]);
		}
		if (r != GZ_OK)
			*c = (struct chan){0};
	}
	if (r == GZ_OK) {
		c->vm_id[0] = a->id;
		c->vm_id[1] = b->id;
		c->intid[0] = (uint16_t)intid_a;
		c->intid[1] = (uint16_t)intid_b;
		c->state = CHAN_OPEN;
		*id = (uint32_t)(c - chans) + 1;
	}
	gz_hal_unlock(&chan_lock);
	return r;
}

/* Take the region away from both VMs (@gone is end @e's VM, being destroyed; the other end's
 * is live). Under chan_lock. */
static void region_revoke(struct chan *c, unsigned e, struct gz_vm *gone)
{
	struct chan_region *rg = &c->region;
	struct gz_vm *vm[2];

	if (!rg->nr)
		return;
	vm[e] = gone;
	vm[1 - e] = gz_vm_get(c->vm_id[1 - e]);
	if (!vm[1 - e])
		gz_hal_panic("chan: a live channel end without its VM");
	gz_mem_pair_revoke(&vm[rg->owner]->mem, rg->ipa[rg->owner], &vm[1 - rg->owner]->mem,
			   rg->ipa[1 - rg->owner], rg->pa, rg->nr);
	region_pages -= rg->nr;
	*rg = (struct chan_region){0};
}

/* Pulse end @e's doorbell (its VM is live: an OPEN channel's ends are). Under the channel
 * lock, which keeps the VM from being freed: its destruction clears it from every channel
 * under this lock first. */
static void ring(struct chan *c, unsigned e)
{
	struct gz_vm *vm = gz_vm_get(c->vm_id[e]);

	if (!vm)
		gz_hal_panic("chan: a live channel end without its VM");
	gz_vgic_inject(&vm->vgic, 0, c->intid[e], GZ_VGIC_PULSE);
}

void gz_chan_vm_gone(struct gz_vm *vm)
{
	gz_hal_lock(&chan_lock);
	for (unsigned i = 0; i < GZ_CHAN_MAX; i++) {
		struct chan *c = &chans[i];

		for (unsigned e = 0; c->state != CHAN_FREE && e < 2; e++) {
			if (c->vm_id[e] != vm->id)
				continue;
			if (c->state == CHAN_DEAD) {
				*c = (struct chan){0};
				break;
			}
			/* Messages in flight die with the channel: neither VM can reach them;
			 * the region leaves the survivor before its doorbell rings. */
			region_revoke(c, e, vm);
			c->vm_id[e] = 0;
			queue_free(&c->q[0]);
			queue_free(&c->q[1]);
			c->state = CHAN_DEAD;
			ring(c, 1 - e);
		}
	}
	gz_hal_unlock(&chan_lock);
}

/* The channel @id of which @vm is an end (*end), or NULL: BAD_CHANNEL. */
static struct chan *lookup(struct gz_vm *vm, uint64_t id, unsigned *end)
{
	struct chan *c;

	if (id == 0 || id > GZ_CHAN_MAX)
		return NULL;
	c = &chans[id - 1];
	if (c->state == CHAN_FREE)
		return NULL;
	for (unsigned e = 0; e < 2; e++) {
		if (c->vm_id[e] == vm->id) {
			*end = e;
			return c;
		}
	}
	return NULL;
}

/* Whether [ipa, ipa + size) meets the vGIC's distributor or redistributor frames (all
 * GZ_VGIC_MAX_VCPUS of them: a vCPU created later gets its frame there). */
static bool meets_vgic(const struct gz_vgic *g, gz_ipa_t ipa, uint64_t size)
{
	uint64_t end = ipa + size < ipa ? UINT64_MAX : ipa + size;
	uint64_t frames = g->redist_frames ? g->redist_frames : GZ_VGIC_MAX_VCPUS;

	if (g->dist_base != GZ_VGIC_BASE_UNSET && ipa < g->dist_base + ARCH_GICD_SIZE &&
	    g->dist_base < end)
		return true;
	return g->redist_base != GZ_VGIC_BASE_UNSET &&
	       ipa < g->redist_base + frames * ARCH_GICR_STRIDE && g->redist_base < end;
}

int gz_chan_region(struct gz_vm *a, struct gz_vm *b, uint64_t id, gz_pa_t pa, uint64_t nr,
		   gz_ipa_t ipa_a, gz_ipa_t ipa_b)
{
	struct chan *c = NULL;
	unsigned ea = 0;
	int r = GZ_OK;

	if (a == b || !nr || nr > GZ_CHAN_REGION_PAGES_MAX)
		return GZ_ERR_INVALID_ARGS;
	gz_hal_lock(&chan_lock);
	if (!live(a) || !live(b))
		r = GZ_ERR_BAD_STATE;
	/* Both ends live: the channel is OPEN (a dead one has lost one of them). */
	else if (!(c = lookup(a, id, &ea)) || c->vm_id[1 - ea] != b->id)
		r = GZ_ERR_NOT_FOUND;
	else if (c->region.nr)
		r = GZ_ERR_NO_RESOURCES;
	else if (meets_vgic(&a->vgic, ipa_a, nr << GZ_PAGE_SHIFT) ||
		 meets_vgic(&b->vgic, ipa_b, nr << GZ_PAGE_SHIFT))
		r = GZ_ERR_ALREADY_EXISTS;
	if (r == GZ_OK)
		r = gz_mem_host_give_pair(&a->mem, ipa_a, &b->mem, ipa_b, pa, nr,
					  (unsigned)(c - chans));
	if (r == GZ_OK) {
		c->region = (struct chan_region){.pa = pa, .nr = nr, .owner = (uint8_t)ea};
		c->region.ipa[ea] = ipa_a;
		c->region.ipa[1 - ea] = ipa_b;
		region_pages += nr;
	}
	gz_hal_unlock(&chan_lock);
	return r;
}

static int64_t copy_status(int st)
{
	return st == GZ_OK ? GZ_CHAN_RET_SUCCESS : GZ_CHAN_RET_BAD_ADDRESS;
}

/* The channel and end for a call, or the call's answer in @res (NULL). Locked on success. */
static struct chan *begin(struct gz_vm *vm, uint64_t id, unsigned *end, struct gz_chan_result *res)
{
	struct chan *c;

	*res = (struct gz_chan_result){0};
	gz_hal_lock(&chan_lock);
	c = lookup(vm, id, end);
	if (!c)
		res->ret = GZ_CHAN_RET_BAD_CHANNEL;
	else if (c->state == CHAN_DEAD)
		res->ret = GZ_CHAN_RET_PEER_GONE;
	if (res->ret) {
		gz_hal_unlock(&chan_lock);
		return NULL;
	}
	return c;
}

void gz_chan_send(struct gz_vm *vm, uint64_t id, gz_ipa_t ipa, uint64_t len,
		  struct gz_chan_result *res)
{
	struct chan_queue *q;
	struct chan *c;
	unsigned e, slot = 0;

	c = begin(vm, id, &e, res);
	if (!c)
		return;
	q = &c->q[e];
	if (len > GZ_CHAN_MSG_MAX) {
		res->ret = GZ_CHAN_RET_TOO_BIG;
	} else if (q->count == GZ_CHAN_DEPTH) {
		res->ret = GZ_CHAN_RET_BUSY;
	} else {
		slot = (q->head + q->count) % GZ_CHAN_DEPTH;
		res->ret = copy_status(
		    gz_mem_guest_read(&vm->mem, ipa, q->slots + slot * GZ_CHAN_MSG_MAX, len));
	}
	if (res->ret == GZ_CHAN_RET_SUCCESS) {
		q->len[slot] = (uint16_t)len;
		if (q->count++ == 0) {
			ring(c, 1 - e);
			res->wake_vm = c->vm_id[1 - e];
		}
	}
	res->r[0] = q->count;
	gz_hal_unlock(&chan_lock);
}

void gz_chan_recv(struct gz_vm *vm, uint64_t id, gz_ipa_t ipa, uint64_t size,
		  struct gz_chan_result *res)
{
	struct chan_queue *q;
	struct chan *c;
	unsigned e;
	uint8_t *msg;

	c = begin(vm, id, &e, res);
	if (!c)
		return;
	q = &c->q[1 - e];
	if (!q->count) {
		res->ret = GZ_CHAN_RET_EMPTY;
		gz_hal_unlock(&chan_lock);
		return;
	}
	msg = q->slots + q->head * GZ_CHAN_MSG_MAX;
	res->r[0] = q->len[q->head];
	if (size < q->len[q->head])
		res->ret = GZ_CHAN_RET_TOO_BIG;
	else
		res->ret = copy_status(gz_mem_guest_write(&vm->mem, ipa, msg, q->len[q->head]));
	if (res->ret == GZ_CHAN_RET_SUCCESS) {
		/* The slot keeps nothing of a message once it was delivered. */
		gz_memset(msg, 0, q->len[q->head]);
		q->len[q->head] = 0;
		q->head = (q->head + 1) % GZ_CHAN_DEPTH;
		if (q->count-- == GZ_CHAN_DEPTH) {
			ring(c, 1 - e);
			res->wake_vm = c->vm_id[1 - e];
		}
	}
	res->r[1] = q->count;
	gz_hal_unlock(&chan_lock);
}

void gz_chan_state(struct gz_vm *vm, uint64_t id, struct gz_chan_result *res)
{
	struct chan *c;
	unsigned e;

	*res = (struct gz_chan_result){0};
	gz_hal_lock(&chan_lock);
	c = lookup(vm, id, &e);
	if (!c) {
		res->ret = GZ_CHAN_RET_BAD_CHANNEL;
	} else {
		res->ret = c->state == CHAN_DEAD ? GZ_CHAN_RET_PEER_GONE : GZ_CHAN_RET_SUCCESS;
		res->r[0] = c->q[1 - e].count;
		res->r[1] = c->state == CHAN_DEAD ? 0 : GZ_CHAN_DEPTH - c->q[e].count;
		res->r[2] = GZ_CHAN_STATE_LIMITS;
	}
	gz_hal_unlock(&chan_lock);
}

unsigned gz_chan_count(void)
{
	unsigned n = 0;

	gz_hal_lock(&chan_lock);
	for (unsigned i = 0; i < GZ_CHAN_MAX; i++)
		n += chans[i].state != CHAN_FREE;
	gz_hal_unlock(&chan_lock);
	return n;
}

uint64_t gz_chan_region_pages(void)
{
	uint64_t n;

	gz_hal_lock(&chan_lock);
	n = region_pages;
	gz_hal_unlock(&chan_lock);
	return n;
}

uint64_t gz_chan_pages(void)
{
	uint64_t n;

	gz_hal_lock(&chan_lock);
	n = chan_pages;
	gz_hal_unlock(&chan_lock);
	return n;
}
