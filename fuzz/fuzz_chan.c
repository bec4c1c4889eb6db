/* Fuzz target: inter-VM channels (src/hyp/core/chan.c, chan_guest.c, mem_guest.c, and the
 * bulk region's mem_pair.c) driven by a hostile host and hostile guests. Three VMs with four
 * pages of RAM each; every 8-byte record is one action: CHAN_CREATE with picked or raw VM ids
 * and doorbells, CHAN_REGION with picked or raw VMs, channel, pages, sizes and IPAs (the
 * invariant of the page-state store checked after each, a byte written by one end read by
 * the other), a guest's SEND, RECV or STATE through an HVC exit with picked or raw channel
 * ids, buffer addresses (RAM or a region) and sizes, a guest scribbling on its RAM, or
 * DESTROY_VM of a VM (created again later; its regions' pages must come back zeroed).
 * A model of every channel (its ends, and the bytes of each queued message in order) checks
 * after every call: the status is one the ABI defines for that call, x1..x3 as documented,
 * a received message is exactly the one sent, the queue never holds more than
 * GZ_CHAN_DEPTH, a full queue answers BUSY, a dead channel PEER_GONE, no lock is held.
 * At the end every VM is destroyed: no channel, no queue page and no pool page is left. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gzabi/chan.h>
#include <gzhyp/chan.h>
#include <gzhyp/mem_guest.h>

#include "../tests/unit/vm_fixture.h"
#include "harness/input.h"

#define NVM	  3
#define RAM_IPA	  0x80000000ULL
#define RAM_PAGES 4
#define RAM_SIZE  (RAM_PAGES * GZ_PAGE_SIZE)

struct msg {
	uint16_t len;
	uint8_t data[GZ_CHAN_MSG_MAX];
};

struct model_chan {
	bool used, dead;
	uint16_t vm[2];			/* VM ids of the ends; 0 once gone */
	struct msg q[2][GZ_CHAN_DEPTH]; /* q[e]: sent by end e, oldest first */
	unsigned count[2];
	uint64_t region_nr; /* its bulk region: pages (0: none), host PA, IPA at each end */
	gz_pa_t region_pa;
	uint64_t region_ipa[2];
};

#define REGION_PA(i) VFIX_GUEST_PAGE(64 + (i))
#define REGION_IPA   0x40000000ULL

static struct model_chan model[GZ_CHAN_MAX + 1];
static uint16_t vms[NVM];
static uint64_t call_args[4];
static uint64_t call_ret[4];

static void check(bool ok)
{
	if (!ok)
		abort();
}

static gz_pa_t ram_pa(unsigned slot)
{
	return VFIX_GUEST_PAGE(8 * slot);
}

static uint8_t *ram(unsigned slot)
{
	return gz_hal_pa_to_va(ram_pa(slot));
}

static void make_vm(unsigned slot)
{
	uint16_t id = vfix_create_vm();

	check(id != 0);
	check(vfix_create_vcpu(id, 0) == GZ_OK);
	check(gz_mem_host_give_guest(&gz_vm_get(id)->mem, ram_pa(slot), RAM_IPA, RAM_PAGES) ==
	      GZ_OK);
	vms[slot] = id;
}

/* The guest of the VM in RUN: one HVC with call_args, then nothing (FAIL_ENTRY ends it). */
static unsigned guest_steps;
static int guest(struct gz_cpu_ctx *ctx, struct gz_exit_record *exit, void *arg)
{
	(void)arg;
	if (guest_steps++) {
		for (int i = 0; i < 4; i++)
			call_ret[i] = ctx->x[i];
		exit->kind = GZ_EXIT_KIND_FAIL_ENTRY;
		return GZ_ERR_BAD_STATE;
	}
	for (int i = 0; i < 4; i++)
		ctx->x[i] = call_args[i];
	exit->kind = GZ_EXIT_KIND_SYNC;
	exit->esr = esr_ec(ESR_EC_HVC64, 0);
	return 0;
}

/* Issue one guest call from the VM in @slot; results in call_ret. */
static void guest_call(unsigned slot)
{
	uint32_t reason;
	struct gzvm_vcpu_run *run = vfix_run_page(vms[slot], 0);

	guest_steps = 0;
	check(vfix_run(vms[slot], 0, &reason) == GZ_OK);
	if (reason == GZVM_EXIT_HYPERCALL) {
		/* The doorbell's wake: only the call and a VM id leave the hypervisor. */
		check(run->hypercall.args[0] == GZ_VENDOR_HYP_CHAN_WAKE);
		check(gz_vm_get(run->hypercall.args[1]) != NULL);
		for (int i = 2; i < 8; i++)
			check(run->hypercall.args[i] == 0);
		check(vfix_run(vms[slot], 0, &reason) == GZ_OK);
	}
	check(reason == GZVM_EXIT_FAIL_ENTRY);
}

static int end_of(const struct model_chan *c, uint16_t vm)
{
	for (int e = 0; e < 2; e++)
		if (c->vm[e] == vm)
			return e;
	return -1;
}

static void do_create(void)
{
	uint8_t sel = (uint8_t)take(1);
	uint64_t a = sel & 1 ? take(1) : vms[take(1) % NVM];
	uint64_t b = sel & 2 ? take(1) : vms[take(1) % NVM];
	uint64_t da = sel & 4 ? take(2) : 32 + take(1) % 8;
	uint64_t db = sel & 8 ? take(2) : 32 + take(1) % 8;
	struct gz_smccc_regs r = hcall(GZ_HVC_CHAN_CREATE, a, b, da, db, 0);
	int64_t st = (int64_t)r.a[0];

	if (st != GZ_OK) {
		check(st == GZ_ERR_INVALID_ARGS || st == GZ_ERR_ALREADY_EXISTS ||
		      st == GZ_ERR_NO_RESOURCES || st == GZ_ERR_BAD_STATE);
		check(r.a[1] == 0 && r.a[2] == 0 && r.a[3] == 0);
		return;
	}
	check(a != b && r.a[1] >= 1 && r.a[1] <= GZ_CHAN_MAX && !model[r.a[1]].used);
	model[r.a[1]] = (struct model_chan){.used = true, .vm = {(uint16_t)a, (uint16_t)b}};
}

static uint64_t pick_chan(void)
{
	uint8_t sel = (uint8_t)take(1);

	return sel & 0x80 ? take(8) : sel % (GZ_CHAN_MAX + 2);
}

static uint64_t pick_addr(unsigned slot, uint64_t len)
{
	uint8_t sel = (uint8_t)take(1);
	(void)slot;

	switch (sel & 3) {
	case 0:
		return take(8);
	case 1: /* near the end of RAM */
		return RAM_IPA + RAM_SIZE - len + (int8_t)take(1);
	default:
		return RAM_IPA + take(2) % RAM_SIZE;
	}
}

/* Where the guest byte at @ipa of the VM in @slot lives (its RAM or a region of a channel it
 * is an end of), NULL when it has none there. */
static uint8_t *guest_byte(unsigned slot, uint64_t ipa)
{
	if (ipa >= RAM_IPA && ipa - RAM_IPA < RAM_SIZE)
		return ram(slot) + (ipa - RAM_IPA);
	for (unsigned i = 1; i <= GZ_CHAN_MAX; i++) {
		const struct model_chan *c = &model[i];
		int e = c->used && c->region_nr ? end_of(c, vms[slot]) : -1;

		if (e >= 0 && ipa >= c->region_ipa[e] &&
		    ipa - c->region_ipa[e] < (c->region_nr << GZ_PAGE_SHIFT))
			return (uint8_t *)gz_hal_pa_to_va(c->region_pa) + (ipa - c->region_ipa[e]);
	}
	return NULL;
}

/* Copy @len guest bytes at @ipa (into @out unless NULL); false when one is not there. */
static bool guest_bytes(unsigned slot, uint64_t ipa, uint64_t len, uint8_t *out)
{
	for (uint64_t i = 0; i < len; i++) {
		uint8_t *b = ipa + i < ipa ? NULL : guest_byte(slot, ipa + i);

		if (!b)
			return false;
		if (out)
			out[i] = *b;
	}
	return true;
}

static void check_invariants(void)
{
	struct gz_vm_mem *m[NVM];
	uint64_t bad;

	for (unsigned i = 0; i < NVM; i++)
		m[i] = &gz_vm_get(vms[i])->mem;
	check(gz_mem_check_invariants(m, NVM, &bad) == GZ_OK);
}

/* CHAN_REGION from a hostile host: the status is one the call defines; a region given is
 * mapped in exactly its two VMs (a byte one end writes the other reads), its pages nobody
 * else's; a second one for a channel that has one is refused. */
static void do_region(unsigned slot)
{
	uint8_t sel = (uint8_t)take(1);
	uint64_t a = sel & 1 ? take(1) : vms[slot];
	uint64_t b = sel & 2 ? take(1) : vms[take(1) % NVM];
	uint64_t id = pick_chan();
	gz_pa_t pa = sel & 4 ? take(8) : REGION_PA(take(1) % 64);
	uint64_t nr = sel & 8 ? take(2) : 1 + take(1) % 4;
	uint64_t ipa_a = sel & 16 ? take(8) : REGION_IPA + (take(1) % 16) * GZ_PAGE_SIZE;
	uint64_t ipa_b = sel & 32 ? take(8) : REGION_IPA + (take(1) % 16) * GZ_PAGE_SIZE;
	struct gz_smccc_regs r = {{GZ_HVC_CHAN_REGION, a, b, id, pa, nr, ipa_a, ipa_b}};
	struct model_chan *c = id <= GZ_CHAN_MAX ? &model[id] : NULL;
	int64_t st;
	int ea;

	gz_hostcall_dispatch(&r);
	st = (int64_t)r.a[0];
	check(r.a[1] == 0 && r.a[2] == 0 && r.a[3] == 0);
	ea = c && c->used && !c->dead && a != b ? end_of(c, (uint16_t)a) : -1;
	if (ea >= 0 && c->vm[1 - ea] != b)
		ea = -1;
	if (ea >= 0 && c->region_nr && nr && nr <= GZ_CHAN_REGION_PAGES_MAX)
		check(st == GZ_ERR_NO_RESOURCES);
	check_invariants();
	if (st != GZ_OK) {
		check(st == GZ_ERR_INVALID_ARGS || st == GZ_ERR_NOT_FOUND ||
		      st == GZ_ERR_BAD_STATE || st == GZ_ERR_NO_RESOURCES ||
		      st == GZ_ERR_ALREADY_EXISTS || st == GZ_ERR_OUT_OF_RANGE ||
		      st == GZ_ERR_ACCESS_DENIED || st == GZ_ERR_NO_MEMORY);
		return;
	}
	check(ea >= 0 && !c->region_nr);
	c->region_nr = nr;
	c->region_pa = pa;
	c->region_ipa[ea] = ipa_a;
	c->region_ipa[1 - ea] = ipa_b;
	/* one end's byte is the other's */
	uint64_t off = take(2) % (nr << GZ_PAGE_SHIFT);
	uint8_t v = (uint8_t)(take(1) | 1), back = 0;
	unsigned sa = 0, sb = 0;
	for (unsigned i = 0; i < NVM; i++) {
		sa = vms[i] == a ? i : sa;
		sb = vms[i] == b ? i : sb;
	}
	check(*guest_byte(sa, ipa_a + off) == 0); /* zeroed before either VM saw it */
	check(gz_mem_guest_write(&gz_vm_get((uint16_t)a)->mem, ipa_a + off, &v, 1) == GZ_OK);
	check(gz_mem_guest_read(&gz_vm_get((uint16_t)b)->mem, ipa_b + off, &back, 1) == GZ_OK);
	check(back == v && *guest_byte(sb, ipa_b + off) == v);
}

/* Issue @fid(@id, @ipa, @n) from the VM in @slot and check what every call answers first:
 * BAD_CHANNEL for a channel the VM is no end of, PEER_GONE for a dead one. Returns the
 * caller's end in the model (*@c) for the call's own checks, or -1 when it was answered. */
static int channel_call(unsigned slot, uint32_t fid, uint64_t id, uint64_t ipa, uint64_t n,
			struct model_chan **c)
{
	int e;

	*c = id <= GZ_CHAN_MAX ? &model[id] : NULL;
	e = *c && (*c)->used ? end_of(*c, vms[slot]) : -1;
	call_args[0] = fid;
	call_args[1] = id;
	call_args[2] = ipa;
	call_args[3] = n;
	guest_call(slot);
	if (e < 0) {
		check((int64_t)call_ret[0] == GZ_CHAN_RET_BAD_CHANNEL);
		return -1;
	}
	if ((*c)->dead) {
		check((int64_t)call_ret[0] == GZ_CHAN_RET_PEER_GONE);
		return -1;
	}
	return e;
}

static void do_send(unsigned slot)
{
	uint64_t id = pick_chan();
	uint64_t len = take(1) & 0x80 ? take(8) : take(2) % (GZ_CHAN_MSG_MAX + 8);
	uint64_t ipa = pick_addr(slot, len);
	bool in_ram = len <= GZ_CHAN_MSG_MAX && guest_bytes(slot, ipa, len, NULL);
	struct model_chan *c;
	int e = channel_call(slot, GZ_VENDOR_HYP_CHAN_SEND, id, ipa, len, &c);
	int64_t st = (int64_t)call_ret[0];

	if (e < 0)
		return;
	if (len > GZ_CHAN_MSG_MAX) {
		check(st == GZ_CHAN_RET_TOO_BIG);
	} else if (c->count[e] == GZ_CHAN_DEPTH) {
		check(st == GZ_CHAN_RET_BUSY);
	} else if (!in_ram && len) {
		check(st == GZ_CHAN_RET_BAD_ADDRESS);
	} else {
		check(st == GZ_CHAN_RET_SUCCESS);
		struct msg *m = &c->q[e][c->count[e]++];
		m->len = (uint16_t)len;
		check(guest_bytes(slot, ipa, len, m->data));
	}
	check(call_ret[1] == c->count[e]);
}

static void do_recv(unsigned slot)
{
	uint64_t id = pick_chan();
	uint64_t size = take(1) & 0x80 ? take(8) : take(2) % (GZ_CHAN_MSG_MAX + 8);
	uint64_t ipa = pick_addr(slot, size < GZ_CHAN_MSG_MAX ? size : GZ_CHAN_MSG_MAX);
	struct model_chan *c;
	int e = channel_call(slot, GZ_VENDOR_HYP_CHAN_RECV, id, ipa, size, &c);
	int64_t st = (int64_t)call_ret[0];

	if (e < 0)
		return;
	unsigned from = 1 - (unsigned)e;
	if (!c->count[from]) {
		check(st == GZ_CHAN_RET_EMPTY);
		return;
	}
	struct msg *m = &c->q[from][0];
	uint8_t got[GZ_CHAN_MSG_MAX];
	bool in_ram = guest_bytes(slot, ipa, m->len, NULL);
	check(call_ret[1] == m->len);
	if (size < m->len) {
		check(st == GZ_CHAN_RET_TOO_BIG);
		return;
	}
	if (!in_ram && m->len) {
		check(st == GZ_CHAN_RET_BAD_ADDRESS);
		return;
	}
	check(st == GZ_CHAN_RET_SUCCESS);
	check(guest_bytes(slot, ipa, m->len, got) && memcmp(got, m->data, m->len) == 0);
	memmove(&c->q[from][0], &c->q[from][1], sizeof(struct msg) * (c->count[from] - 1));
	c->count[from]--;
	check(call_ret[2] == c->count[from]);
}

static void do_state(unsigned slot)
{
	uint64_t id = pick_chan();
	struct model_chan *c = id <= GZ_CHAN_MAX ? &model[id] : NULL;
	int e = c && c->used ? end_of(c, vms[slot]) : -1;

	call_args[0] = GZ_VENDOR_HYP_CHAN_STATE;
	call_args[1] = id;
	call_args[2] = call_args[3] = 0;
	guest_call(slot);
	int64_t st = (int64_t)call_ret[0];
	if (e < 0) {
		check(st == GZ_CHAN_RET_BAD_CHANNEL && !call_ret[1] && !call_ret[2] &&
		      !call_ret[3]);
		return;
	}
	check(st == (c->dead ? GZ_CHAN_RET_PEER_GONE : GZ_CHAN_RET_SUCCESS));
	check(call_ret[1] == c->count[1 - e]);
	check(call_ret[2] == (c->dead ? 0 : GZ_CHAN_DEPTH - c->count[e]));
	check(call_ret[3] == GZ_CHAN_STATE_LIMITS);
}

static void do_destroy(unsigned slot)
{
	uint16_t id = vms[slot];

	while (hstatus(GZ_HVC_DESTROY_VM, id, 0, 0, 0, 0) == GZ_ERR_BUSY)
		;
	for (unsigned i = 1; i <= GZ_CHAN_MAX; i++) {
		struct model_chan *c = &model[i];
		int e = c->used ? end_of(c, id) : -1;

		if (e < 0)
			continue;
		c->vm[e] = 0;
		/* the region went with the channel: the host's again, zeroed */
		for (uint64_t p = 0; p < c->region_nr; p++) {
			gz_pa_t pa = c->region_pa + (p << GZ_PAGE_SHIFT);
			const uint8_t *bytes = gz_hal_pa_to_va(pa);

			check(gz_pgstate_view(pa, GZ_OWNER_HOST) == GZ_PAGE_OWNED);
			for (unsigned k = 0; k < GZ_PAGE_SIZE; k++)
				check(bytes[k] == 0);
		}
		c->region_nr = 0;
		if (c->dead) {
			*c = (struct model_chan){0};
		} else {
			c->dead = true;
			c->count[0] = c->count[1] = 0;
		}
	}
	make_vm(slot);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t pool_free;
	struct gz_pool_stats ps;

	if (vfix_init() != GZ_OK)
		abort();
	fake_hal_set_run_handler(guest, NULL);
	memset(model, 0, sizeof(model));
	for (unsigned i = 0; i < NVM; i++)
		make_vm(i);
	gz_pool_get_stats(gz_mem_pool(), &ps);
	pool_free = ps.free;
	ip = data;
	in_n = size;
	while (in_n) {
		uint8_t op = (uint8_t)take(1);
		unsigned slot = (op >> 4) % NVM;

		switch (op & 7) {
		case 0:
			do_create();
			break;
		case 1:
		case 2:
			do_send(slot);
			break;
		case 3:
		case 4:
			do_recv(slot);
			break;
		case 5:
			do_state(slot);
			break;
		case 6: /* the guest writes its RAM (the next message's contents) */
			ram(slot)[take(2) % RAM_SIZE] = (uint8_t)take(1);
			break;
		default:
			if (op & 8)
				do_destroy(slot);
			else
				do_region(slot);
			break;
		}
		check(fake_hal_locks_held() == 0);
	}
	check_invariants();
	vfix_destroy_all();
	check(gz_vm_count() == 0 && gz_chan_count() == 0 && gz_chan_pages() == 0 &&
	      gz_chan_region_pages() == 0);
	gz_pool_get_stats(gz_mem_pool(), &ps);
	/* The three VMs' structures are back too: nothing stays charged. */
	check(ps.free >= pool_free);
	fake_hal_teardown();
	return 0;
}
