/*
 * The lost-kick interleaving (src/hyp/core/run_loop.c, vm.c): another CPU's vGIC kicks a vCPU
 * outside its RUN exactly between the moment a running vCPU's run loop reads the VM's pending
 * host wake-ups and the moment it clears them for its IPI exit. That wake-up must not be
 * lost: it stays pending, and the next exit reports it.
 *
 * The moment is made exact without threads: from the guest's exit on, the page holding the
 * VM's wake_mask is read-only whenever no lock is held (what is written under a lock there,
 * the VM's and the vGIC's, may be written). The run loop's clear of the wake-ups it has read
 * is the first write to it outside a lock; it faults, and the fault handler plays the other
 * CPU (the vGIC's kick callback) before the write is retried.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>

#include "vm_fixture.h"

static struct gz_vm *m;
static uintptr_t page;
static size_t page_size;
static unsigned faults, locks_held;
static void *fault_addr;
static bool armed;

static void protect(bool read_only)
{
	assert_int_equal(
	    mprotect((void *)page, page_size, read_only ? PROT_READ : PROT_READ | PROT_WRITE), 0);
}

static void lock_hook(gz_lock_t *lock, bool acquire, void *arg)
{
	(void)lock, (void)arg;
	locks_held += acquire ? 1 : -1u;
	if (armed)
		protect(locks_held == 0);
}

static void on_fault(int sig, siginfo_t *si, void *uc)
{
	(void)sig, (void)uc;
	armed = false;
	protect(false);
	faults++;
	fault_addr = si->si_addr;
	/* Another CPU: its vGIC makes an interrupt pending for vCPU 2 and kicks it. */
	if (fault_addr == (void *)&m->wake_mask)
		m->vgic.ops->kick(m->vgic.ops_ctx, 2);
}

/* The guest of vCPU 0 (run from inside gz_hal_vcpu_run): while it runs, vCPU 1 is kicked; it
 * then exits with a call the hypervisor answers itself (PSCI_VERSION), and the kicks' page
 * becomes read-only on the way out. */
static void guest_kicks_then_exits(struct gz_cpu_ctx *ctx, void *arg)
{
	(void)arg;
	ctx->pc = 0x80000000;
	ctx->pstate = PSR_MODE_EL1h;
	ctx->x[0] = GZ_PSCI_VERSION;
	m->vgic.ops->kick(m->vgic.ops_ctx, 1);
	armed = true;
	protect(true);
}

static void test_kick_between_read_and_clear(void **state)
{
	struct sigaction sa = {0}, old;
	uint16_t other, vm;
	uint32_t reason;

	(void)state;
	assert_int_equal(vfix_init(), GZ_OK);
	vfix_guest_reset();
	/* A second VM: its control block (vms[1]) is preceded in the table by an idle VM's, not
	 * by memory anything else writes. */
	other = vfix_create_vm();
	vm = vfix_create_vm();
	assert_int_not_equal(other, 0);
	assert_int_not_equal(vm, 0);
	for (uint16_t i = 0; i < 3; i++)
		assert_int_equal(vfix_create_vcpu(vm, i), GZ_OK);
	m = gz_vm_get(vm);
	page_size = (size_t)sysconf(_SC_PAGESIZE);
	page = (uintptr_t)&m->wake_mask & ~(uintptr_t)(page_size - 1);
	/* the page holds the idle VM's tail and this VM's head: nothing else */
	assert_true(page >= (uintptr_t)gz_vm_get(other));

	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGSEGV, &sa, &old), 0);
	fake_hal_set_lock_hook(lock_hook, NULL);
	vfix_push(GZ_EXIT_KIND_SYNC, esr_ec(ESR_EC_HVC64, 0), 0, 0, guest_kicks_then_exits, NULL);
	assert_int_equal(vfix_run(vm, 0, &reason), GZ_OK);
	fake_hal_set_lock_hook(NULL, NULL);
	armed = false;
	protect(false);
	sigaction(SIGSEGV, &old, NULL);

	/* vCPU 1's kick made the IPI exit; the first write after the exit was the clear */
	assert_int_equal(reason, GZVM_EXIT_IPI);
	assert_int_equal(faults, 1);
	assert_ptr_equal(fault_addr, &m->wake_mask);
	assert_int_equal(m->wake_mask & 2, 0);
	/* vCPU 2's kick, made between the read and the clear, is still pending... */
	assert_int_equal(m->wake_mask & 4, 4);
	/* ... and the next exit that comes back to the loop reports it (without it, the guest
	 * would run on to the host interrupt) */
	vfix_push_hvc((uint64_t[]){GZ_PSCI_VERSION, 0, 0, 0});
	vfix_push(GZ_EXIT_KIND_IRQ, 0, 0, 0, NULL, NULL);
	assert_int_equal(vfix_run(vm, 0, &reason), GZ_OK);
	assert_int_equal(reason, GZVM_EXIT_IPI);
	assert_int_equal(m->wake_mask & 4, 0);
	assert_true(vfix_teardown());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_kick_between_read_and_clear),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
