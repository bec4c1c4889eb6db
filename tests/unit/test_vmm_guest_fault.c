/* gzvmm's SIGBUS handler on guest RAM: the message names the guest physical address (every
 * region, truncation, addresses outside RAM), a fault on guest RAM ends the process with
 * VMM_EXIT_CRASH and that message, and a fault elsewhere still kills it with SIGBUS (real
 * faults in child processes; the same paths in this process through the exit hook). */
/* test-libs: gzvmm_lib */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exitcode.h"
#include "guest_fault.h"

/* one array: RAM 0 is its first 0x3000 bytes, RAM 1 its last 0x1000, a gap between */
static uint8_t ram[0x5000];
#define ram0 ram
#define ram1 (ram + 0x4000)

static void two_regions(struct vmm_mem *m)
{
	memset(m, 0, sizeof(*m));
	assert_int_equal(vmm_mem_add(m, 0x40000000, 0x3000, ram0), 0);
	assert_int_equal(vmm_mem_add(m, 0x80000000, 0x1000, ram1), 0);
}

static void test_message(void **state)
{
	static const struct {
		const void *addr;
		const char *ipa; /* NULL: not guest RAM */
	} cases[] = {
	    {ram0, "IPA 0x40000000 "},
	    {ram0 + 0x1234, "IPA 0x40001234 "},
	    {ram0 + 0x2fff, "IPA 0x40002fff "},
	    {ram1 + 8, "IPA 0x80000008 "},
	    {ram0 + 0x3000, NULL},
	    {ram1 - 1, NULL},
	    {ram + sizeof(ram), NULL},
	    {&cases, NULL},
	};
	struct vmm_mem m;
	char buf[200];

	(void)state;
	two_regions(&m);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = vmm_guest_fault_message(&m, cases[i].addr, buf, sizeof(buf));

		if (!cases[i].ipa) {
			assert_int_equal(n, 0);
			continue;
		}
		assert_int_equal(n, strlen(buf));
		assert_non_null(strstr(buf, cases[i].ipa));
		assert_non_null(strstr(buf, "not shared by the guest"));
	}
	/* a short buffer is cut, never overrun, and stays a string */
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(vmm_guest_fault_message(&m, ram0, buf, 10), 9);
	assert_int_equal(buf[9], '\0');
	assert_int_equal(buf[10], 'x');
	assert_int_equal(vmm_guest_fault_message(NULL, ram0, buf, sizeof(buf)), 0);
	assert_int_equal(vmm_guest_fault_message(&m, ram0, NULL, sizeof(buf)), 0);
	assert_int_equal(vmm_guest_fault_message(&m, ram0, buf, 0), 0);
}

/* In a child: guest RAM of two pages backed by a one-page file, so reading the second page
 * (or @outside, a file page not in guest RAM) raises SIGBUS as gzhyp's refusal does. */
static void fault_child(bool in_ram, int out_fd)
{
	static struct vmm_mem m;
	long pg = sysconf(_SC_PAGESIZE);
	int fd = memfd_create("guest", 0);
	uint8_t *ram, *other;

	if (fd < 0 || ftruncate(fd, pg) != 0)
		_exit(90);
	ram = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	other = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (ram == MAP_FAILED || other == MAP_FAILED)
		_exit(91);
	memset(&m, 0, sizeof(m));
	if (vmm_mem_add(&m, 0x40000000, 2 * pg, ram) != 0 || vmm_guest_fault_install(&m) != 0)
		_exit(92);
	if (dup2(out_fd, STDERR_FILENO) < 0)
		_exit(93);
	ram[0] = 1; /* backed: no fault */
	if (in_ram)
		(void)*(volatile uint8_t *)(ram + pg + 16);
	else
		(void)*(volatile uint8_t *)(other + pg);
	_exit(94); /* the read must not succeed */
}

static void run_child(bool in_ram, int *wstatus, char *out, size_t outlen)
{
	int p[2];
	pid_t pid;
	ssize_t n;

	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(p[0]);
		fault_child(in_ram, p[1]);
	}
	close(p[1]);
	n = read(p[0], out, outlen - 1);
	out[n > 0 ? n : 0] = '\0';
	close(p[0]);
	assert_int_equal(waitpid(pid, wstatus, 0), pid);
}

static void test_fault_on_guest_ram_is_a_crash(void **state)
{
	char out[256];
	int ws;

	(void)state;
	run_child(true, &ws, out, sizeof(out));
	assert_true(WIFEXITED(ws));
	assert_int_equal(WEXITSTATUS(ws), VMM_EXIT_CRASH);
	assert_non_null(strstr(out, "gzvmm: guest memory at IPA 0x40001010 is not accessible"));
}

static void test_fault_elsewhere_still_kills(void **state)
{
	char out[256];
	int ws;

	(void)state;
	run_child(false, &ws, out, sizeof(out));
	assert_true(WIFSIGNALED(ws));
	assert_int_equal(WTERMSIG(ws), SIGBUS);
	assert_string_equal(out, "");
}

static jmp_buf exit_jump;
static int exit_status;

static void test_exit(int status)
{
	exit_status = status;
	longjmp(exit_jump, 1);
}

/* The handler's work in this process: guest RAM ends through the exit hook with status 4
 * and the message on stderr; another address restores the default action and raises (a
 * signal whose default is to be ignored, so this process goes on). */
static void test_report_in_process(void **state)
{
	static struct vmm_mem m;
	char out[256];
	int p[2], saved;
	ssize_t n;

	(void)state;
	two_regions(&m);
	assert_int_equal(vmm_guest_fault_install(&m), 0);
	assert_int_equal(pipe(p), 0);
	saved = dup(STDERR_FILENO);
	assert_true(saved >= 0);
	assert_true(dup2(p[1], STDERR_FILENO) >= 0);
	vmm_guest_fault_exit = test_exit;
	exit_status = -1;
	if (setjmp(exit_jump) == 0)
		vmm_guest_fault_report(SIGBUS, ram1 + 0x10);
	vmm_guest_fault_exit = _exit;
	assert_true(dup2(saved, STDERR_FILENO) >= 0);
	close(saved);
	close(p[1]);
	n = read(p[0], out, sizeof(out) - 1);
	close(p[0]);
	out[n > 0 ? n : 0] = '\0';
	assert_int_equal(exit_status, VMM_EXIT_CRASH);
	assert_non_null(strstr(out, "guest memory at IPA 0x80000010 is not accessible"));

	assert_int_equal(signal(SIGURG, SIG_IGN), SIG_DFL);
	vmm_guest_fault_report(SIGURG, ram + 0x3800); /* the gap: not guest RAM */
	assert_int_equal(signal(SIGURG, SIG_DFL), SIG_DFL);
	signal(SIGBUS, SIG_DFL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_message),
	    cmocka_unit_test(test_fault_on_guest_ram_is_a_crash),
	    cmocka_unit_test(test_fault_elsewhere_still_kills),
	    cmocka_unit_test(test_report_in_process),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
