/* Interrupts gzhyp handles without the host (src/hyp/core/vcpu.c, vm.c): an IRQ exit the HAL
 * consumed (the vCPU's own timer, maintenance, a kick) re-enters the vCPU at once, any other
 * IRQ exit still goes to the host; the vGIC's kick of a vCPU that is running asks the HAL to
 * interrupt it (gz_hal_vcpu_kick with that vCPU's context), of one that is not does not. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "vm_fixture.h"

static uint16_t vm;
static struct gz_vcpu *v0, *v1;

static int setup(void **state)
{
	(void)state;
	vm = vfix_setup_vm(2);
	assert_int_not_equal(vm, 0);
	v0 = vfix_vcpu(vm, 0);
	v1 = vfix_vcpu(vm, 1);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	v1->running = false; /* a failed check must not leave a VM that cannot be destroyed */
	assert_int_equal(fake_hal_locks_held(), 0);
	vfix_destroy_all();
	fake_hal_teardown();
	return 0;
}

static void guest_at(struct gz_cpu_ctx *ctx)
{
	ctx->pc = 0x80000000;
	ctx->pstate = PSR_MODE_EL1h;
}

/* The HAL's answer for the exit this step plays. */
static void consumed(struct gz_cpu_ctx *ctx, void *arg)
{
	guest_at(ctx);
	fake_hal_set_irq_consumed(arg != NULL);
}

static void test_consumed_irq_reenters(void **state)
{
	uint32_t reason;
	uint64_t exits = v0->nr_exits;

	(void)state;
	/* two IRQs gzhyp handled itself, then one for the host */
	vfix_push(GZ_EXIT_KIND_IRQ, 0, 0, 0, consumed, v0);
	vfix_push(GZ_EXIT_KIND_IRQ, 0, 0, 0, consumed, v0);
	vfix_push(GZ_EXIT_KIND_IRQ, 0, 0, 0, consumed, NULL);
	assert_int_equal(vfix_run(vm, 0, &reason), GZ_OK);
	assert_int_equal(reason, GZVM_EXIT_IRQ);
	assert_int_equal(vfix_guest.entries, 3);
	assert_int_equal(v0->nr_exits, exits + 3);
	assert_int_equal(fake_hal_count_ops(FAKE_OP_VCPU_RUN), 3);
}

/* The HAL's flag says nothing about an exit that is not an IRQ: a trap stays a trap. */
static void test_consumed_ignored_for_traps(void **state)
{
	uint32_t reason;

	(void)state;
	fake_hal_set_irq_consumed(true);
	vfix_push(GZ_EXIT_KIND_SERROR, 0, 0, 0, NULL, NULL);
	assert_int_equal(vfix_run(vm, 0, &reason), GZ_OK);
	assert_int_not_equal(reason, GZVM_EXIT_IRQ);
	assert_int_equal(vfix_guest.entries, 1);
}

/* The vGIC's callback as it runs when it made an interrupt pending for vCPU @arg. */
static void vgic_kicks(struct gz_cpu_ctx *ctx, void *arg)
{
	struct gz_vgic *g = &gz_vm_get(vm)->vgic;

	guest_at(ctx);
	g->ops->kick(g->ops_ctx, (unsigned)(uintptr_t)arg);
}

static size_t kicks_of(const struct gz_cpu_ctx *ctx)
{
	size_t n = 0;

	for (size_t i = fake_hal_find_op(FAKE_OP_VCPU_KICK, 0); i != (size_t)-1;
	     i = fake_hal_find_op(FAKE_OP_VCPU_KICK, i + 1))
		if (fake_hal_op(i)->a == (uint64_t)(uintptr_t)ctx)
			n++;
	return n;
}

static void test_kick_running_target(void **state)
{
	uint32_t reason;

	(void)state;
	/* vCPU 1 is in its own RUN on another CPU: the HAL is asked to interrupt it */
	v1->running = true;
	fake_hal_clear_ops();
	vfix_push(GZ_EXIT_KIND_IRQ, 0, 0, 0, vgic_kicks, (void *)1);
	assert_int_equal(vfix_run(vm, 0, &reason), GZ_OK);
	assert_int_equal(kicks_of(&v1->ctx), 1);
	assert_int_equal(kicks_of(&v0->ctx), 0);
	v1->running = false;

	/* not running: nothing to interrupt, the IPI exit wakes its host thread */
	fake_hal_clear_ops();
	vfix_push(GZ_EXIT_KIND_IRQ, 0, 0, 0, vgic_kicks, (void *)1);
	assert_int_equal(vfix_run(vm, 0, &reason), GZ_OK);
	assert_int_equal(fake_hal_count_ops(FAKE_OP_VCPU_KICK), 0);

	/* a vCPU index the VM does not have: no context to name */
	vfix_push(GZ_EXIT_KIND_IRQ, 0, 0, 0, vgic_kicks, (void *)(uintptr_t)(GZ_VM_MAX_VCPUS + 1));
	assert_int_equal(vfix_run(vm, 0, &reason), GZ_OK);
	assert_int_equal(fake_hal_count_ops(FAKE_OP_VCPU_KICK), 0);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(test_consumed_irq_reenters),
	    T(test_consumed_ignored_for_traps),
	    T(test_kick_running_target),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
