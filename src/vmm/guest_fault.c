/* SIGBUS/SIGSEGV on guest RAM: report the guest physical address and exit with
 * VMM_EXIT_CRASH (see guest_fault.h). Only async-signal-safe calls in the handler. */
#define _GNU_SOURCE
#include "guest_fault.h"

#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "exitcode.h"

static const struct vmm_mem *fault_mem;

static size_t put(char *buf, size_t len, size_t at, const char *s)
{
	while (*s && at + 1 < len)
		buf[at++] = *s++;
	return at;
}

static size_t put_hex(char *buf, size_t len, size_t at, uint64_t v)
{
	char tmp[19] = "0x";
	int n = 0;

	for (int shift = 60; shift >= 0; shift -= 4) {
		unsigned d = (unsigned)(v >> shift) & 0xf;

		if (d || n || shift == 0)
			tmp[2 + n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
	}
	tmp[2 + n] = '\0';
	return put(buf, len, at, tmp);
}

size_t vmm_guest_fault_message(const struct vmm_mem *m, const void *addr, char *buf, size_t len)
{
	uintptr_t a = (uintptr_t)addr;
	size_t at = 0;

	if (!m || !buf || !len)
		return 0;
	for (unsigned i = 0; i < m->n; i++) {
		const struct vmm_mem_region *r = &m->r[i];
		uintptr_t base = (uintptr_t)r->hva;

		if (a < base || a - base >= r->size)
			continue;
		at = put(buf, len, at, "gzvmm: guest memory at IPA ");
		at = put_hex(buf, len, at, r->gpa + (a - base));
		at = put(buf, len, at,
			 " is not accessible to the host (not shared by the guest); "
			 "stopping the VM\n");
		buf[at] = '\0';
		return at;
	}
	return 0;
}

void (*vmm_guest_fault_exit)(int status) = _exit;

void vmm_guest_fault_report(int sig, const void *addr)
{
	char msg[160];
	size_t n = vmm_guest_fault_message(fault_mem, addr, msg, sizeof(msg));

	if (n) {
		ssize_t w = write(STDERR_FILENO, msg, n);

		(void)w;
		vmm_guest_fault_exit(VMM_EXIT_CRASH);
		return;
	}
	/* Not guest RAM: a bug of gzvmm's own; die of the signal as without the handler. */
	signal(sig, SIG_DFL);
	raise(sig);
}

static void on_fault(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	vmm_guest_fault_report(sig, si->si_addr);
}

int vmm_guest_fault_install(const struct vmm_mem *m)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	fault_mem = m;
	return sigaction(SIGBUS, &sa, NULL);
}
