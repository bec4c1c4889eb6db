/* The simulator's host view and its stage 2 (sim/hostview.c, sim/phys.c): a page the
 * page-state store takes from the host faults in the host's view and nowhere else, the fault
 * asks the core and becomes SIGBUS at that address when the host may not use the page, and
 * comes back by itself when it may again; a page given back opens again; faults outside the
 * host view go to the handler that was there before. test-libs: gzsim_internal gzsim gzcore
 * gzlib */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>
#include <cmocka.h>
#include <gzabi/status.h>
#include <gzhyp/hostcall.h>
#include <gzhyp/mem.h>
#include <gzhyp/pgstate.h>
#include <gzsim/sim.h>
#include <hal.h>

#include "machine.h"
#include "phys.h"

#define WORK_SIZE (8ULL << 20)

static sigjmp_buf jb;
static volatile int bus_seen, segv_seen;
static void *volatile bus_addr;

static void on_bus(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	bus_seen = sig;
	bus_addr = si->si_addr;
	siglongjmp(jb, 1);
}

/* A plain handler (no SA_SIGINFO), the one before the simulator's. */
static void on_segv_before(int sig)
{
	segv_seen = sig;
	siglongjmp(jb, 1);
}

static volatile uint8_t *page;
static gz_pa_t page_pa;

/* One byte read from the host view; true when it faulted (SIGBUS or SIGSEGV). */
static bool host_read_faults(volatile uint8_t *p)
{
	bus_seen = segv_seen = 0;
	bus_addr = NULL;
	if (sigsetjmp(jb, 1))
		return true;
	(void)*p;
	return false;
}

/* The test's own handlers, set in each test body: CMocka takes SIGSEGV for itself before each
 * test, as a VMM's set-up would before the simulator's handler goes in over it. */
static void handlers(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_bus;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	assert_int_equal(sigaction(SIGBUS, &sa, NULL), 0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_segv_before;
	sa.sa_flags = SA_NODEFER;
	assert_int_equal(sigaction(SIGSEGV, &sa, NULL), 0);
}

static int setup(void **state)
{
	struct gz_core_config core = {0};
	void *work;

	(void)state;
	assert_int_equal(
	    gz_sim_init(&(struct gz_sim_config){.phys_size = 32 << 20, .cpu_model = -1}), 0);
	gz_sim_set_cpu_id(0);
	work = gz_sim_host_alloc(WORK_SIZE);
	assert_non_null(work);
	core.mem.work_base = gz_hal_va_to_pa(work);
	core.mem.work_size = WORK_SIZE;
	assert_int_equal(gz_core_init(&core), GZ_OK);
	page = gz_sim_host_alloc(GZ_PAGE_SIZE);
	assert_non_null((void *)page);
	page_pa = gz_hal_va_to_pa((const void *)page);

	return 0;
}

static int teardown(void **state)
{
	(void)state;
	signal(SIGSEGV, SIG_DFL);
	signal(SIGBUS, SIG_DFL);
	gz_sim_fini();
	return 0;
}

static void test_two_views_one_memory(void **state)
{
	volatile uint8_t *machine = gz_hal_pa_to_va(page_pa);

	(void)state;
	assert_ptr_equal(gz_sim_host_view(page_pa), (void *)page);
	assert_ptr_not_equal((void *)machine, (void *)page);
	page[5] = 0x77;
	assert_int_equal(machine[5], 0x77);
	assert_int_equal(gz_hal_va_to_pa((const void *)machine), page_pa);
	assert_true(gz_sim_phys_contains((const void *)page, GZ_PAGE_SIZE));
	assert_true(gz_sim_phys_contains((const void *)machine, GZ_PAGE_SIZE));
	assert_false(gz_sim_phys_contains((const void *)(page + 1), 32 << 20));
	assert_null(gz_sim_host_view(gz_sim_m.cfg.phys_base - GZ_PAGE_SIZE));
}

/* Taken from the host: its reads fault as SIGBUS at the address, the machine's do not. */
static void test_taken_page_is_sigbus(void **state)
{
	volatile uint8_t *machine = gz_hal_pa_to_va(page_pa);

	(void)state;
	handlers();
	page[9] = 0x42;
	gz_pgstate_set(page_pa, 1, GZ_OWNER_VM(1), GZ_PAGE_OWNED);
	assert_true(host_read_faults(page + 9));
	assert_int_equal(bus_seen, SIGBUS);
	assert_ptr_equal(bus_addr, (void *)(page + 9));
	assert_int_equal(machine[9], 0x42); /* the guest's side still reads it */
	/* shared back by its owner: the host reads it again */
	gz_pgstate_set(page_pa, 1, GZ_OWNER_VM(1), GZ_PAGE_SHARED_OWNED);
	assert_false(host_read_faults(page + 9));
	gz_pgstate_set(page_pa, 1, GZ_OWNER_HOST, GZ_PAGE_OWNED);
	assert_false(host_read_faults(page + 9));
}

/* The host view closed while the store already says the host may use the page (a change the
 * view has not caught up with): the fault asks the core, which maps it, and the read goes on. */
static void test_fault_asks_the_core(void **state)
{
	(void)state;
	handlers();
	gz_hal_host_access(page_pa, 1, false);
	assert_false(host_read_faults(page));
	assert_int_equal(bus_seen, 0);
	assert_int_equal(segv_seen, 0);
}

/* Faults outside the host view are not the simulator's: the handler before it gets them. */
static void test_other_faults_pass_on(void **state)
{
	volatile uint8_t *none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	(void)state;
	handlers();
	assert_true(none != MAP_FAILED);
	gz_hal_host_access(page_pa, 1, false); /* the simulator's handler is in place */
	assert_true(host_read_faults(none));
	assert_int_equal(segv_seen, SIGSEGV);
	assert_int_equal(bus_seen, 0);
	munmap((void *)none, 4096);
	/* outside simulated RAM, nothing to open or close */
	gz_hal_host_access(gz_sim_m.cfg.phys_base + (64ULL << 20), 1, false);
	gz_hal_host_access(page_pa, 0, false);
	gz_hal_host_access(page_pa, 1, true);
	assert_false(host_read_faults(page));
}

/* A page the host allocates is its own again, whatever its view was. */
static void test_alloc_opens(void **state)
{
	void *p;

	(void)state;
	handlers();
	gz_sim_host_free((void *)page, GZ_PAGE_SIZE);
	gz_hal_host_access(page_pa, 1, false);
	gz_sim_m.next_hint = 0; /* first fit: the page just freed */
	p = gz_sim_host_alloc(GZ_PAGE_SIZE);
	assert_ptr_equal(p, (void *)page);
	assert_false(host_read_faults(page));
	assert_int_equal(page[0], 0); /* handed out zeroed */
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_two_views_one_memory), T(test_taken_page_is_sigbus), T(test_fault_asks_the_core),
	    T(test_other_faults_pass_on), T(test_alloc_opens),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
