/* Inter-VM channels (src/hyp/core/chan.c, chan_guest.c, mem_guest.c) on the fake HAL:
 * creation by the host and its refusals, messages through both queues with their contents
 * checked, the bounded depth and the busy answer, doorbells on not-empty and not-full, every
 * bad call's error, the guest calls through an HVC exit (FEATURES, the wake exit), and a VM
 * destroyed with messages in flight (peer gone, pages back in the pool). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <gzabi/chan.h>
#include <gzhyp/chan.h>
#include <gzhyp/mem_guest.h>

#include "vm_fixture.h"

#define RAM_IPA	  0x80000000ULL
#define RAM_PAGES 4
#define DIST_IPA  0x08000000ULL
#define FLASH_IPA 0x04000000ULL
#define DB_A	  (ARCH_GIC_SPI_BASE + 40)
#define DB_B	  (ARCH_GIC_SPI_BASE + 41)

static uint16_t vm_a, vm_b;
static uint64_t pool_free_at_start;

/* VM @vm's RAM: host pages VFIX_GUEST_PAGE(8 * vm ...) at RAM_IPA. */
static gz_pa_t ram_pa(uint16_t vm)
{
	return VFIX_GUEST_PAGE(8 * vm);
}

static uint8_t *ram(uint16_t vm, uint64_t off)
{
	return (uint8_t *)gz_hal_pa_to_va(ram_pa(vm)) + off;
}

static uint16_t vm_with_ram(void)
{
	uint16_t id = vfix_create_vm();

	assert_int_not_equal(id, 0);
	assert_int_equal(vfix_create_vcpu(id, 0), GZ_OK);
	assert_int_equal(
	    gz_mem_host_give_guest(&gz_vm_get(id)->mem, ram_pa(id), RAM_IPA, RAM_PAGES), GZ_OK);
	assert_int_equal(gz_vgic_set_dist_base(&gz_vm_get(id)->vgic, DIST_IPA, 0), GZ_OK);
	return id;
}

static uint64_t pool_free(void)
{
	struct gz_pool_stats st;

	gz_pool_get_stats(gz_mem_pool(), &st);
	return st.free;
}

static int setup(void **state)
{
	(void)state;
	assert_int_equal(vfix_init(), GZ_OK);
	vfix_guest_reset();
	vm_a = vm_with_ram();
	vm_b = vm_with_ram();
	pool_free_at_start = pool_free();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	assert_int_equal(fake_hal_locks_held(), 0);
	vfix_destroy_all();
	assert_int_equal(gz_vm_count(), 0);
	assert_int_equal(gz_chan_count(), 0);
	assert_int_equal(gz_chan_pages(), 0);
	fake_hal_teardown();
	return 0;
}

static uint32_t create(void)
{
	struct gz_smccc_regs r = hcall(GZ_HVC_CHAN_CREATE, vm_a, vm_b, DB_A, DB_B, 0);

	assert_int_equal((int64_t)r.a[0], GZ_OK);
	assert_in_range(r.a[1], 1, GZ_CHAN_MAX);
	return (uint32_t)r.a[1];
}

static bool doorbell(uint16_t vm, uint32_t intid)
{
	struct gz_vgic_irq_info info;

	assert_int_equal(gz_vgic_irq_info(&gz_vm_get(vm)->vgic, 0, intid, &info), GZ_OK);
	return info.pending;
}

/* Acknowledge a doorbell the way the guest would (clear its pending state). */
static void ack(uint16_t vm, uint32_t intid)
{
	uint64_t bit = 1u << (intid % 32); /* GICD_ICPENDR<n> */

	assert_int_equal(gz_vgic_mmio(&gz_vm_get(vm)->vgic, 0, DIST_IPA + 0x280 + 4 * (intid / 32),
				      4, true, &bit),
			 GZ_OK);
}

static struct gz_chan_result send(uint16_t vm, uint64_t id, uint64_t off, uint64_t len)
{
	struct gz_chan_result res;

	gz_chan_send(gz_vm_get(vm), id, RAM_IPA + off, len, &res);
	return res;
}

static struct gz_chan_result recv(uint16_t vm, uint64_t id, uint64_t off, uint64_t size)
{
	struct gz_chan_result res;

	gz_chan_recv(gz_vm_get(vm), id, RAM_IPA + off, size, &res);
	return res;
}

static void test_create_refusals(void **state)
{
	(void)state;
	assert_int_equal(hstatus(GZ_HVC_CHAN_CREATE, vm_a, vm_a, DB_A, DB_B, 0),
			 GZ_ERR_INVALID_ARGS);
	assert_int_equal(hstatus(GZ_HVC_CHAN_CREATE, vm_a, 9, DB_A, DB_B, 0), GZ_ERR_INVALID_ARGS);
	assert_int_equal(hstatus(GZ_HVC_CHAN_CREATE, 9, vm_b, DB_A, DB_B, 0), GZ_ERR_INVALID_ARGS);
	assert_int_equal(hstatus(GZ_HVC_CHAN_CREATE, vm_a, 0x10001, DB_A, DB_B, 0),
			 GZ_ERR_INVALID_ARGS);
	/* Doorbells are SPIs of the VM's vGIC. */
	assert_int_equal(hstatus(GZ_HVC_CHAN_CREATE, vm_a, vm_b, 27, DB_B, 0), GZ_ERR_INVALID_ARGS);
	assert_int_equal(hstatus(GZ_HVC_CHAN_CREATE, vm_a, vm_b, DB_A, 32 + GZ_VM_NR_SPIS, 0),
			 GZ_ERR_INVALID_ARGS);
	assert_int_equal(gz_chan_count(), 0);

	uint32_t id = create();
	assert_int_equal(id, 1);
	/* A VM's doorbell serves one end. */
	assert_int_equal(hstatus(GZ_HVC_CHAN_CREATE, vm_a, vm_b, DB_A, DB_B + 1, 0),
			 GZ_ERR_ALREADY_EXISTS);
	assert_int_equal(hstatus(GZ_HVC_CHAN_CREATE, vm_b, vm_a, DB_B, DB_A + 2, 0),
			 GZ_ERR_ALREADY_EXISTS);
	assert_int_equal(hstatus(GZ_HVC_CHAN_CREATE, vm_a, vm_b, DB_A + 60, DB_B, 0),
			 GZ_ERR_ALREADY_EXISTS);
	/* GZ_CHAN_MAX_PER_VM ends per VM. */
	for (unsigned i = 1; i < GZ_CHAN_MAX_PER_VM; i++)
		assert_int_equal(
		    hstatus(GZ_HVC_CHAN_CREATE, vm_a, vm_b, DB_A + 2 * i, DB_B + 2 * i, 0), GZ_OK);
	assert_int_equal(hstatus(GZ_HVC_CHAN_CREATE, vm_a, vm_b, DB_A + 100, DB_B + 100, 0),
			 GZ_ERR_NO_RESOURCES);
	/* ... the second VM's limit as well (B holds 8 ends with A). */
	uint16_t vm_c = vfix_create_vm();
	assert_int_equal(hstatus(GZ_HVC_CHAN_CREATE, vm_c, vm_b, DB_A, DB_B + 100, 0),
			 GZ_ERR_NO_RESOURCES);
	assert_int_equal(gz_chan_count(), GZ_CHAN_MAX_PER_VM);
	assert_int_equal(gz_chan_pages(), 2 * GZ_CHAN_MAX_PER_VM);
}

static void test_create_pool_empty(void **state)
{
	struct gz_pool_acct acct;
	static gz_pa_t pas[8192];
	size_t n;

	(void)state;
	n = fix_drain(&acct, pas, 8192);
	assert_int_equal(hstatus(GZ_HVC_CHAN_CREATE, vm_a, vm_b, DB_A, DB_B, 0), GZ_ERR_NO_MEMORY);
	/* One page left: the first queue is allocated, then given back. */
	gz_pool_free(&acct, pas[--n]);
	assert_int_equal(hstatus(GZ_HVC_CHAN_CREATE, vm_a, vm_b, DB_A, DB_B, 0), GZ_ERR_NO_MEMORY);
	assert_int_equal(gz_chan_count(), 0);
	assert_int_equal(gz_chan_pages(), 0);
	fix_undrain(&acct, pas, n);
}

/* Each queue's page is charged to its sending VM (its GET_STATISTICS, its quota): a VM at
 * its quota gets no channel (NO_RESOURCES, nothing kept, the other VM's quota untouched),
 * raised it does, and the pages leave both accounts with the channel. */
static void test_create_charged_to_quota(void **state)
{
	struct gz_smccc_regs r;
	uint64_t held_a, held_b, limit, used;

	(void)state;
	held_a = hcall(GZ_HVC_GET_STATISTICS, vm_a, 0, 0, 0, 0).a[1];
	held_b = hcall(GZ_HVC_GET_STATISTICS, vm_b, 0, 0, 0, 0).a[1];
	assert_int_equal(hstatus(GZ_HVC_ENABLE_CAP, vm_b, GZVM_CAP_OPENGZ_HYP_QUOTA,
				 held_b >> GZ_PAGE_SHIFT, 0, 0),
			 GZ_OK);
	assert_int_equal(hstatus(GZ_HVC_CHAN_CREATE, vm_a, vm_b, DB_A, DB_B, 0),
			 GZ_ERR_NO_RESOURCES);
	assert_int_equal(gz_chan_count(), 0);
	assert_int_equal(gz_chan_pages(), 0);
	assert_int_equal(hcall(GZ_HVC_GET_STATISTICS, vm_a, 0, 0, 0, 0).a[1], held_a);
	gz_vm_mem_quota_get(&gz_vm_get(vm_a)->mem, &limit, &used);
	assert_int_equal(used << GZ_PAGE_SHIFT, held_a);
	assert_int_equal(pool_free(), pool_free_at_start);
	/* One page more for vm_b: one queue each. */
	assert_int_equal(hstatus(GZ_HVC_ENABLE_CAP, vm_b, GZVM_CAP_OPENGZ_HYP_QUOTA,
				 (held_b >> GZ_PAGE_SHIFT) + 1, 0, 0),
			 GZ_OK);
	r = hcall(GZ_HVC_CHAN_CREATE, vm_a, vm_b, DB_A, DB_B, 0);
	assert_int_equal((int64_t)r.a[0], GZ_OK);
	assert_int_equal(hcall(GZ_HVC_GET_STATISTICS, vm_a, 0, 0, 0, 0).a[1],
			 held_a + GZ_PAGE_SIZE);
	assert_int_equal(hcall(GZ_HVC_GET_STATISTICS, vm_b, 0, 0, 0, 0).a[1],
			 held_b + GZ_PAGE_SIZE);
	assert_int_equal(gz_chan_pages(), 2);
	/* vm_b's end gone: both queues leave both accounts. */
	gz_chan_vm_gone(gz_vm_get(vm_b));
	assert_int_equal(hcall(GZ_HVC_GET_STATISTICS, vm_a, 0, 0, 0, 0).a[1], held_a);
	assert_int_equal(hcall(GZ_HVC_GET_STATISTICS, vm_b, 0, 0, 0, 0).a[1], held_b);
	assert_int_equal(gz_chan_pages(), 0);
	assert_int_equal(pool_free(), pool_free_at_start);
}

static void test_create_table_full(void **state)
{
	uint16_t vms[GZ_MAX_VMS];
	unsigned n = 0, made = 0;

	(void)state;
	vms[n++] = vm_a;
	vms[n++] = vm_b;
	while (n < GZ_MAX_VMS)
		vms[n++] = vfix_create_vm();
	/* Each VM with GZ_CHAN_MAX_PER_VM ends: 16 VMs hold 64 ends, the table 32 channels. */
	unsigned next_db[GZ_MAX_VMS] = {0};
	for (unsigned i = 0; i < GZ_MAX_VMS && made < GZ_CHAN_MAX; i++)
		for (unsigned k = 1; k <= GZ_CHAN_MAX_PER_VM / 2 && made < GZ_CHAN_MAX; k++) {
			unsigned j = (i + k) % GZ_MAX_VMS;

			assert_int_equal(hstatus(GZ_HVC_CHAN_CREATE, vms[i], vms[j],
						 33 + next_db[i]++, 33 + next_db[j]++, 0),
					 GZ_OK);
			made++;
		}
	assert_int_equal(made, GZ_CHAN_MAX);
	assert_int_equal(hstatus(GZ_HVC_CHAN_CREATE, vms[3], vms[9], 250, 251, 0),
			 GZ_ERR_NO_RESOURCES);
}

static void test_roundtrip_both_ways(void **state)
{
	uint32_t id = create();
	struct gz_chan_result r;

	(void)state;
	memcpy(ram(vm_a, 0x100), "hello, b", 8);
	r = send(vm_a, id, 0x100, 8);
	assert_int_equal(r.ret, GZ_CHAN_RET_SUCCESS);
	assert_int_equal(r.r[0], 1);
	/* Not-empty: B's doorbell, and the host is asked to wake B. */
	assert_int_equal(r.wake_vm, vm_b);
	assert_true(doorbell(vm_b, DB_B));
	assert_false(doorbell(vm_a, DB_A));

	memset(ram(vm_b, 0x2000), 0xee, 16);
	r = recv(vm_b, id, 0x2000, 16);
	assert_int_equal(r.ret, GZ_CHAN_RET_SUCCESS);
	assert_int_equal(r.r[0], 8);
	assert_int_equal(r.r[1], 0);
	assert_int_equal(r.wake_vm, 0);
	assert_memory_equal(ram(vm_b, 0x2000), "hello, b", 8);
	assert_int_equal(*ram(vm_b, 0x2008), 0xee); /* only the message's bytes */
	assert_int_equal(recv(vm_b, id, 0x2000, 16).ret, GZ_CHAN_RET_EMPTY);

	/* The other direction, a message across a page boundary, and one of zero bytes. */
	for (unsigned i = 0; i < GZ_CHAN_MSG_MAX; i++)
		*ram(vm_b, 0x1000 - 100 + i) = (uint8_t)(i * 7);
	assert_int_equal(send(vm_b, id, 0x1000 - 100, GZ_CHAN_MSG_MAX).ret, GZ_CHAN_RET_SUCCESS);
	assert_true(doorbell(vm_a, DB_A));
	assert_int_equal(send(vm_b, id, 0, 0).ret, GZ_CHAN_RET_SUCCESS);
	r = recv(vm_a, id, 0x3000 - 10, GZ_CHAN_MSG_MAX);
	assert_int_equal(r.ret, GZ_CHAN_RET_SUCCESS);
	assert_int_equal(r.r[0], GZ_CHAN_MSG_MAX);
	assert_int_equal(r.r[1], 1);
	assert_memory_equal(ram(vm_a, 0x3000 - 10), ram(vm_b, 0x1000 - 100), GZ_CHAN_MSG_MAX);
	r = recv(vm_a, id, 0, 0);
	assert_int_equal(r.ret, GZ_CHAN_RET_SUCCESS);
	assert_int_equal(r.r[0], 0);
}

static void test_full_queue_busy_then_not_full(void **state)
{
	uint32_t id = create();
	struct gz_chan_result r;

	(void)state;
	for (unsigned i = 0; i < GZ_CHAN_DEPTH; i++) {
		*ram(vm_a, 0) = (uint8_t)i;
		r = send(vm_a, id, 0, 1);
		assert_int_equal(r.ret, GZ_CHAN_RET_SUCCESS);
		assert_int_equal(r.r[0], i + 1);
		/* Only the first message rings: the receiver drains until EMPTY. */
		assert_int_equal(r.wake_vm, i == 0 ? vm_b : 0);
	}
	r = send(vm_a, id, 0, 1);
	assert_int_equal(r.ret, GZ_CHAN_RET_BUSY);
	assert_int_equal(r.r[0], GZ_CHAN_DEPTH);
	gz_chan_state(gz_vm_get(vm_a), id, &r);
	assert_int_equal(r.ret, GZ_CHAN_RET_SUCCESS);
	assert_int_equal(r.r[0], 0);
	assert_int_equal(r.r[1], 0);
	assert_int_equal(r.r[2], GZ_CHAN_STATE_LIMITS);
	gz_chan_state(gz_vm_get(vm_b), id, &r);
	assert_int_equal(r.r[0], GZ_CHAN_DEPTH);
	assert_int_equal(r.r[1], GZ_CHAN_DEPTH);

	/* Not-full: the first receive from a full queue rings the sender. */
	assert_false(doorbell(vm_a, DB_A));
	r = recv(vm_b, id, 0x10, 1);
	assert_int_equal(r.ret, GZ_CHAN_RET_SUCCESS);
	assert_int_equal(r.wake_vm, vm_a);
	assert_true(doorbell(vm_a, DB_A));
	assert_int_equal(*ram(vm_b, 0x10), 0);
	ack(vm_a, DB_A);
	assert_false(doorbell(vm_a, DB_A));
	/* FIFO order, and no more not-full doorbells. */
	for (unsigned i = 1; i < GZ_CHAN_DEPTH; i++) {
		r = recv(vm_b, id, 0x10, 1);
		assert_int_equal(r.ret, GZ_CHAN_RET_SUCCESS);
		assert_int_equal(r.wake_vm, 0);
		assert_int_equal(*ram(vm_b, 0x10), i);
	}
	assert_false(doorbell(vm_a, DB_A));
	/* A slot freed is used again: the ring wraps. */
	for (unsigned i = 0; i < GZ_CHAN_DEPTH + 3; i++) {
		*ram(vm_a, 0) = (uint8_t)(0x40 + i);
		assert_int_equal(send(vm_a, id, 0, 1).ret, GZ_CHAN_RET_SUCCESS);
		r = recv(vm_b, id, 0x10, 1);
		assert_int_equal(r.ret, GZ_CHAN_RET_SUCCESS);
		assert_int_equal(*ram(vm_b, 0x10), 0x40 + i);
	}
}

static void test_bad_calls(void **state)
{
	uint32_t id = create();
	uint16_t vm_c = vm_with_ram();
	struct gz_chan_result r;
	uint64_t end = RAM_PAGES * GZ_PAGE_SIZE;

	(void)state;
	/* Channel ids: 0, beyond the table, a free slot, someone else's channel. */
	assert_int_equal(send(vm_a, 0, 0, 1).ret, GZ_CHAN_RET_BAD_CHANNEL);
	assert_int_equal(send(vm_a, GZ_CHAN_MAX + 1, 0, 1).ret, GZ_CHAN_RET_BAD_CHANNEL);
	assert_int_equal(send(vm_a, 1ULL << 40, 0, 1).ret, GZ_CHAN_RET_BAD_CHANNEL);
	assert_int_equal(send(vm_a, id + 1, 0, 1).ret, GZ_CHAN_RET_BAD_CHANNEL);
	assert_int_equal(send(vm_c, id, 0, 1).ret, GZ_CHAN_RET_BAD_CHANNEL);
	assert_int_equal(recv(vm_c, id, 0, 1).ret, GZ_CHAN_RET_BAD_CHANNEL);
	gz_chan_state(gz_vm_get(vm_c), id, &r);
	assert_int_equal(r.ret, GZ_CHAN_RET_BAD_CHANNEL);
	assert_int_equal(r.r[0] | r.r[1] | r.r[2], 0);

	/* Sizes. */
	assert_int_equal(send(vm_a, id, 0, GZ_CHAN_MSG_MAX + 1).ret, GZ_CHAN_RET_TOO_BIG);
	assert_int_equal(send(vm_a, id, 0, ~0ULL).ret, GZ_CHAN_RET_TOO_BIG);

	/* Addresses: past the RAM, straddling its end, outside the IPA space, wrapping. */
	assert_int_equal(send(vm_a, id, end, 1).ret, GZ_CHAN_RET_BAD_ADDRESS);
	assert_int_equal(send(vm_a, id, end - 4, 8).ret, GZ_CHAN_RET_BAD_ADDRESS);
	assert_int_equal(send(vm_a, id, (1ULL << 45) - RAM_IPA, 8).ret, GZ_CHAN_RET_BAD_ADDRESS);
	assert_int_equal(send(vm_a, id, ~0ULL - RAM_IPA - 2, 8).ret, GZ_CHAN_RET_BAD_ADDRESS);
	/* Nothing was queued by any of them. */
	gz_chan_state(gz_vm_get(vm_b), id, &r);
	assert_int_equal(r.r[0], 0);
	assert_false(doorbell(vm_b, DB_B));

	/* A receive that fails keeps the message: too small a buffer (the length comes back),
	 * a bad buffer; then the right one gets it. */
	memcpy(ram(vm_a, 0x40), "0123456789", 10);
	assert_int_equal(send(vm_a, id, 0x40, 10).ret, GZ_CHAN_RET_SUCCESS);
	r = recv(vm_b, id, 0, 9);
	assert_int_equal(r.ret, GZ_CHAN_RET_TOO_BIG);
	assert_int_equal(r.r[0], 10);
	assert_int_equal(recv(vm_b, id, end - 5, 10).ret, GZ_CHAN_RET_BAD_ADDRESS);
	assert_int_equal(*ram(vm_b, end - 5), 0); /* nothing written before the check failed */
	r = recv(vm_b, id, 0x80, 10);
	assert_int_equal(r.ret, GZ_CHAN_RET_SUCCESS);
	assert_memory_equal(ram(vm_b, 0x80), "0123456789", 10);
}

static void test_guest_memory_rules(void **state)
{
	struct gz_vm_mem *m = &gz_vm_get(vm_a)->mem;
	uint8_t buf[16] = {1, 2, 3};

	(void)state;
	assert_int_equal(gz_mem_guest_read(m, RAM_IPA, buf, 0), GZ_OK);
	assert_int_equal(gz_mem_guest_write(m, RAM_IPA + 0x10, buf, 3), GZ_OK);
	assert_int_equal(*ram(vm_a, 0x12), 3);
	assert_int_equal(gz_mem_guest_read(m, RAM_IPA - 8, buf, 16), GZ_ERR_NOT_FOUND);
	assert_int_equal(gz_mem_guest_read(m, 1ULL << 44, buf, 1), GZ_ERR_OUT_OF_RANGE);
	assert_int_equal(gz_mem_guest_read(m, ~0ULL, buf, 2), GZ_ERR_OUT_OF_RANGE);
	/* A page the VM gave back to the host is no longer its own. */
	assert_int_equal(gz_mem_guest_relinquish(m, RAM_IPA + 3 * GZ_PAGE_SIZE, 1), GZ_OK);
	assert_int_equal(gz_mem_guest_read(m, RAM_IPA + 3 * GZ_PAGE_SIZE, buf, 1),
			 GZ_ERR_NOT_FOUND);

	/* A read-only memslot (flash): read, never written; a message cannot land there. */
	const uint32_t ro = GZVM_USER_MEM_REGION_GUEST_MEM | GZVM_USER_MEM_REGION_READONLY;
	struct gzvm_memory_region_ranges *r = gz_hal_pa_to_va(VFIX_GUEST_PAGE(199));
	assert_int_equal(
	    hstatus(GZ_HVC_MEMREGION_PURPOSE, vm_a, FLASH_IPA, 4 * GZ_PAGE_SIZE, ro, 0), GZ_OK);
	memset(r, 0, 64);
	r->constituent_cnt = 1;
	r->total_pages = 4;
	r->gpa = FLASH_IPA;
	r->constituents[0].address = VFIX_GUEST_PAGE(200);
	r->constituents[0].pg_cnt = 4;
	assert_int_equal(hstatus(GZ_HVC_SET_MEMREGION, vm_a, 8192, VFIX_GUEST_PAGE(199), 0, 0),
			 GZ_OK);
	*(uint8_t *)gz_hal_pa_to_va(VFIX_GUEST_PAGE(201)) = 0x5a;
	assert_int_equal(gz_mem_guest_read(m, FLASH_IPA + GZ_PAGE_SIZE, buf, 1), GZ_OK);
	assert_int_equal(buf[0], 0x5a);
	assert_int_equal(gz_mem_guest_write(m, FLASH_IPA + GZ_PAGE_SIZE, buf, 1),
			 GZ_ERR_ACCESS_DENIED);
	uint32_t id = create();
	assert_int_equal(send(vm_b, id, 0, 4).ret, GZ_CHAN_RET_SUCCESS);
	struct gz_chan_result res;
	gz_chan_recv(gz_vm_get(vm_a), id, FLASH_IPA, 16, &res);
	assert_int_equal(res.ret, GZ_CHAN_RET_BAD_ADDRESS);
	assert_int_equal(*(uint8_t *)gz_hal_pa_to_va(VFIX_GUEST_PAGE(200)), 0);

	/* A VM whose memory is being reclaimed copies nothing. */
	assert_int_equal(hstatus(GZ_HVC_DESTROY_VM, vm_a, 1, 0, 0, 0), GZ_ERR_BUSY);
	assert_int_equal(gz_mem_guest_read(m, RAM_IPA, buf, 1), GZ_ERR_NOT_ALLOWED);
}

/* A guest step that records x0 (the previous call's result) and then issues HVC with
 * x0..x3 = args. */
struct call_step {
	uint64_t args[4];
	uint64_t seen_x0, seen_x1;
};

static void call_fn(struct gz_cpu_ctx *ctx, void *arg)
{
	struct call_step *c = arg;

	c->seen_x0 = ctx->x[0];
	c->seen_x1 = ctx->x[1];
	for (int i = 0; i < 4; i++)
		ctx->x[i] = c->args[i];
}

static void push_call(struct call_step *c)
{
	vfix_push(GZ_EXIT_KIND_SYNC, esr_ec(ESR_EC_HVC64, 0), 0, 0, call_fn, c);
}

/* The guest's HVC path: SEND leaves with the wake exit and its results final (the host
 * writes nothing back), STATE resumes the guest, an unassigned id of the range and a
 * guest's attempt at the wake id are refused. */
static void test_guest_calls(void **state)
{
	uint32_t id = create();
	struct call_step snd = {.args = {GZ_VENDOR_HYP_CHAN_SEND, id, RAM_IPA, 5}};
	struct call_step stat = {.args = {GZ_VENDOR_HYP_CHAN_STATE, id}};
	struct call_step wake = {.args = {GZ_VENDOR_HYP_CHAN_WAKE, vm_b}};
	struct call_step unassigned = {.args = {GZ_VENDOR_HYP_CHAN_LAST, id}};
	struct call_step end = {.seen_x0 = 0};
	struct gzvm_vcpu_run *run = vfix_run_page(vm_a, 0);
	struct gz_vcpu *v = vfix_vcpu(vm_a, 0);
	uint32_t reason;

	(void)state;
	memcpy(ram(vm_a, 0), "abcde", 5);
	push_call(&snd);
	push_call(&stat);
	push_call(&wake);
	push_call(&unassigned);
	vfix_push(GZ_EXIT_KIND_SYNC, esr_ec(ESR_EC_WFX, 1), 0, 0, call_fn, &end);
	assert_int_equal(vfix_run(vm_a, 0, &reason), GZ_OK);
	assert_int_equal(reason, GZVM_EXIT_HYPERCALL);
	assert_int_equal(run->hypercall.args[0], GZ_VENDOR_HYP_CHAN_WAKE);
	assert_int_equal(run->hypercall.args[1], vm_b);
	for (unsigned i = 2; i < 8; i++)
		assert_int_equal(run->hypercall.args[i], 0);
	assert_int_equal(v->ctx.x[0], GZ_CHAN_RET_SUCCESS);
	assert_int_equal(v->ctx.x[1], 1);
	run->hypercall.args[0] = 0x1234;
	run->hypercall.args[1] = 0x5678;
	assert_int_equal(vfix_run(vm_a, 0, &reason), GZ_OK);
	assert_int_equal(reason, GZVM_EXIT_GZ);
	assert_int_equal(stat.seen_x0, GZ_CHAN_RET_SUCCESS); /* SEND's, kept */
	assert_int_equal(stat.seen_x1, 1);
	assert_int_equal(wake.seen_x0, GZ_CHAN_RET_SUCCESS); /* STATE's */
	assert_int_equal(wake.seen_x1, 0);
	assert_int_equal(unassigned.seen_x0, (uint64_t)GZ_SMCCC_RET_NOT_SUPPORTED);
	assert_int_equal(end.seen_x0, (uint64_t)GZ_SMCCC_RET_NOT_SUPPORTED);
	assert_memory_equal(ram(vm_b, 0), "\0\0\0\0\0", 5);
	assert_int_equal(recv(vm_b, id, 0, 8).r[0], 5);
	assert_memory_equal(ram(vm_b, 0), "abcde", 5);
}

static void features_check(struct gz_cpu_ctx *ctx, void *arg)
{
	uint64_t *seen = arg;

	*seen = ctx->x[0];
}

static void test_features(void **state)
{
	uint64_t features[4] = {GZ_VENDOR_HYP_FEATURES};
	uint64_t seen = 0;
	uint32_t reason;

	(void)state;
	vfix_push_hvc(features);
	vfix_push(GZ_EXIT_KIND_SYNC, esr_ec(ESR_EC_WFX, 1), 0, 0, features_check, &seen);
	vfix_run(vm_a, 0, &reason);
	for (uint32_t fid = GZ_VENDOR_HYP_CHAN_SEND; fid <= GZ_VENDOR_HYP_CHAN_STATE; fid++)
		assert_true(seen & (1ULL << GZ_VENDOR_HYP_FN(fid)));
	assert_false(seen & (1ULL << GZ_VENDOR_HYP_FN(GZ_VENDOR_HYP_CHAN_WAKE)));
	assert_true(seen & (1ULL << GZ_VENDOR_HYP_FN(GZ_VENDOR_HYP_MEM_SHARE)));
}

/* A VM destroyed with messages in flight in both directions. */
static void test_peer_destroyed(void **state)
{
	uint32_t id = create();
	struct gz_chan_result r;

	(void)state;
	memcpy(ram(vm_a, 0), "secret-a", 8);
	memcpy(ram(vm_b, 0), "secret-b", 8);
	for (unsigned i = 0; i < 3; i++) {
		assert_int_equal(send(vm_a, id, 0, 8).ret, GZ_CHAN_RET_SUCCESS);
		assert_int_equal(send(vm_b, id, 0, 8).ret, GZ_CHAN_RET_SUCCESS);
	}
	ack(vm_b, DB_B);
	assert_int_equal(pool_free(), pool_free_at_start - 2);

	while (hstatus(GZ_HVC_DESTROY_VM, vm_a, 0, 0, 0, 0) == GZ_ERR_BUSY)
		;
	/* The queues are gone at once (scrubbed, in the pool again), the channel stays DEAD
	 * for the survivor. */
	assert_int_equal(gz_chan_pages(), 0);
	assert_int_equal(gz_chan_count(), 1);
	assert_true(doorbell(vm_b, DB_B));
	assert_int_equal(send(vm_b, id, 0, 8).ret, GZ_CHAN_RET_PEER_GONE);
	assert_int_equal(recv(vm_b, id, 0x100, 8).ret, GZ_CHAN_RET_PEER_GONE);
	assert_int_equal(*ram(vm_b, 0x100), 0);
	gz_chan_state(gz_vm_get(vm_b), id, &r);
	assert_int_equal(r.ret, GZ_CHAN_RET_PEER_GONE);
	assert_int_equal(r.r[0], 0);
	assert_int_equal(r.r[1], 0);
	/* A new VM that gets the dead VM's id is no end of the channel. */
	uint16_t again = vm_with_ram();
	assert_int_equal(again, vm_a);
	assert_int_equal(send(again, id, 0, 8).ret, GZ_CHAN_RET_BAD_CHANNEL);
	assert_int_equal(hstatus(GZ_HVC_CHAN_CREATE, again, vm_b, DB_A, DB_B, 0),
			 GZ_ERR_ALREADY_EXISTS); /* B's doorbell still names the dead end */

	while (hstatus(GZ_HVC_DESTROY_VM, vm_b, 0, 0, 0, 0) == GZ_ERR_BUSY)
		;
	assert_int_equal(gz_chan_count(), 0);
	uint64_t bad = 0;
	struct gz_vm_mem *live[1] = {&gz_vm_get(again)->mem};
	assert_int_equal(gz_mem_check_invariants(live, 1, &bad), GZ_OK);
}

/* A VM being destroyed gets no channel, and its calls find none. */
static void test_create_while_destroying(void **state)
{
	(void)state;
	assert_int_equal(vfix_create_vcpu(vm_a, 1), GZ_OK);
	/* DESTROY_VM's first call on a VM with pages: DESTROYING, BUSY (batch of one page). */
	assert_int_equal(hstatus(GZ_HVC_DESTROY_VM, vm_a, 1, 0, 0, 0), GZ_ERR_BUSY);
	assert_int_equal(hstatus(GZ_HVC_CHAN_CREATE, vm_a, vm_b, DB_A, DB_B, 0), GZ_ERR_BAD_STATE);
	assert_int_equal(hstatus(GZ_HVC_CHAN_CREATE, vm_b, vm_a, DB_B, DB_A, 0), GZ_ERR_BAD_STATE);
	assert_int_equal(gz_chan_count(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_create_refusals, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_create_pool_empty, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_create_charged_to_quota, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_create_table_full, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_roundtrip_both_ways, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_full_queue_busy_then_not_full, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_calls, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_guest_memory_rules, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_guest_calls, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_features, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_peer_destroyed, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_create_while_destroying, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
