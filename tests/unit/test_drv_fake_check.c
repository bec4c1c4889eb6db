/* The fake environment's own checks (src/driver/fake/drv_fake_check.c) can fail: every VM
 * invariant and every leak it names is reported when a VM or the environment is broken on
 * purpose, and a clean VM passes. The driver tests rely on these checks to find bugs, so a
 * check that could never fire would hide them.
 * test-libs: gzdrv_fake gzdrv */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "drv_fake.h"

static struct gzdrv_vm *vm;
static uint64_t pa_buf[4];

static int setup(void **state)
{
	(void)state;
	assert_non_null(fake_reset(true));
	vm = fake_vm_new();
	assert_non_null(vm);
	assert_null(fake_vm_invariants(vm));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	memset(vm->slots, 0, sizeof(vm->slots));
	memset(vm->ioeventfds, 0, sizeof(vm->ioeventfds));
	memset(vm->irqfds, 0, sizeof(vm->irqfds));
	vm->stats.pinned_pages = 0;
	vm->nr_level_irqfds = 0;
	gzdrv_vm_release(vm);
	assert_null(fake_leaks());
	return 0;
}

/* A slot of two pinned pages at gfn, backed by the fake's RAM. */
static struct gzdrv_slot *slot(unsigned i, uint64_t gfn, uint64_t uaddr)
{
	struct gzdrv_slot *s = &vm->slots[i];

	*s = (struct gzdrv_slot){.used = true, .base_gfn = gfn, .npages = 2, .uaddr = uaddr};
	s->pa = &pa_buf[2 * i];
	s->pa[0] = fake_ram_pa(uaddr);
	s->pa[1] = fake_ram_pa(uaddr + GZDRV_PAGE_SIZE);
	s->nr_pinned = 2;
	vm->stats.pinned_pages += 2;
	return s;
}

static void test_slot_invariants(void **state)
{
	uint64_t ram = fake_ram(8, 0);
	struct gzdrv_slot *s;

	(void)state;
	s = slot(0, 0x100, ram);
	assert_null(fake_vm_invariants(vm));
	s->npages = 0;
	assert_string_equal(fake_vm_invariants(vm), "used slot without pages");
	s->npages = 2;
	s->pa[1] = fake_ram_pa(ram);
	assert_string_equal(fake_vm_invariants(vm), "slot records a PA that is not its page's");
	s->pa[1] = 0;
	assert_string_equal(fake_vm_invariants(vm), "slot pin count wrong");
	s->pa[1] = fake_ram_pa(ram + GZDRV_PAGE_SIZE);
	vm->stats.pinned_pages = 3;
	assert_string_equal(fake_vm_invariants(vm), "VM pin statistics wrong");
	vm->stats.pinned_pages = 2;
	slot(1, 0x101, ram + 2 * GZDRV_PAGE_SIZE);
	assert_string_equal(fake_vm_invariants(vm), "slots overlap");
	vm->slots[1].base_gfn = 0x102;
	assert_null(fake_vm_invariants(vm));
}

static void test_eventfd_invariants(void **state)
{
	int a = fake_efd_new(), b = fake_efd_new(), c = fake_efd_new();
	struct gzdrv_ioeventfd *io = vm->ioeventfds;
	struct gzdrv_irqfd *irq = vm->irqfds;

	(void)state;
	/* Two ioeventfds on one address and length, both wildcard: a collision. */
	io[0] = (struct gzdrv_ioeventfd){
	    .used = true, .wildcard = true, .len = 4, .addr = 0x1000, .efd = fake_efd(a)};
	io[1] = io[0];
	fake_efd(a)->refs = 2;
	assert_string_equal(fake_vm_invariants(vm), "colliding ioeventfds");
	io[1].addr = 0x2000;
	assert_null(fake_vm_invariants(vm));
	fake_efd(a)->refs = 1;
	assert_string_equal(fake_vm_invariants(vm), "eventfd reference count wrong");
	fake_efd(a)->refs = 2;
	/* A level irqfd needs its resample eventfd, counted in the VM. */
	irq[0] = (struct gzdrv_irqfd){.used = true, .level = true, .efd = fake_efd(b)};
	fake_efd(b)->refs = 1;
	assert_string_equal(fake_vm_invariants(vm), "level irqfd without resamplefd");
	irq[0].resample_efd = fake_efd(c);
	fake_efd(c)->refs = 1;
	assert_string_equal(fake_vm_invariants(vm), "level irqfd count wrong");
	vm->nr_level_irqfds = 1;
	assert_null(fake_vm_invariants(vm));
	irq[1] = (struct gzdrv_irqfd){.used = true, .efd = fake_efd(b)};
	fake_efd(b)->refs = 2;
	assert_string_equal(fake_vm_invariants(vm), "two irqfds on one eventfd");
	memset(&irq[1], 0, sizeof(irq[1]));
	fake_efd(a)->refs = fake_efd(b)->refs = fake_efd(c)->refs = 0;
}

static void test_leaks(void **state)
{
	static const struct {
		long *ctr;
		const char *msg;
	} t[] = {
	    {&fake.pages_out, "shared pages not freed"},
	    {&fake.zallocs_out, "allocations not freed"},
	    {&fake.locks_out, "locks not destroyed"},
	    {&fake.pins_out, "pages still pinned"},
	};
	struct gzdrv_vm *v;
	int e;

	(void)state;
	assert_non_null(fake_reset(true));
	assert_null(fake_leaks());
	v = fake_vm_new();
	assert_non_null(v);
	/* A live VM holds its allocations and its lock. */
	assert_non_null(fake_leaks());
	gzdrv_vm_release(v);
	assert_null(fake_leaks());
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		*t[i].ctr = 1;
		assert_string_equal(fake_leaks(), t[i].msg);
		*t[i].ctr = 0;
	}
	fake.pin_error = true;
	assert_string_equal(fake_leaks(), "unpin/put of something not held");
	fake.lock_error = true;
	assert_string_equal(fake_leaks(), "lock misuse");
	fake.lock_error = fake.pin_error = false;
	e = fake_efd_new();
	fake_efd(e)->refs = 1;
	assert_string_equal(fake_leaks(), "eventfd still referenced or watched");
	fake_efd(e)->refs = 0;
	assert_null(fake_leaks());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_slot_invariants, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_eventfd_invariants, setup, teardown),
	    cmocka_unit_test(test_leaks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
