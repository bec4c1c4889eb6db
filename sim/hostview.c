/* The host's stage 2 on the build machine (gz_hal_host_access). The simulator's host VM is its
 * own process: gzvmm and the in-process driver reach simulated memory through the host view
 * (phys.c), so without this a VMM could read a protected guest's private pages that gzhyp
 * keeps from it. Every change of the page-state store opens or closes the host view of its
 * range: pages the host may not use are PROT_NONE there. A host access to one raises SIGSEGV,
 * which asks the core as gzhyp's host stage-2 fault does (gz_host_s2_handle_fault, for a page
 * that came back meanwhile) and otherwise becomes SIGBUS at that address, as a stage-2 abort on
 * a host access does in the full stack (gzvmm names the guest address); a system call on such
 * a page fails with EFAULT, as the host kernel's would. Faults elsewhere go to whatever
 * handled SIGSEGV before. */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <gzabi/status.h>
#include <gzhyp/mem.h>
#include <hal.h>
#include "machine.h"
#include "phys.h"

static struct sigaction prev_segv;
static pthread_mutex_t install_mu = PTHREAD_MUTEX_INITIALIZER;

static void call(const struct sigaction *sa, int sig, siginfo_t *si, void *uc)
{
	if (sa->sa_flags & SA_SIGINFO) {
		sa->sa_sigaction(sig, si, uc);
	} else if (sa->sa_handler != SIG_DFL && sa->sa_handler != SIG_IGN) {
		sa->sa_handler(sig);
	} else {
		/* the access faults again and takes the default action */
		signal(SIGSEGV, SIG_DFL);
	}
}

/* What the full stack does with a host access its stage 2 refuses: the host kernel takes the
 * abort and the process gets SIGBUS at that address. */
static void stage2_abort(siginfo_t *si, void *uc)
{
	struct sigaction bus;
	siginfo_t b = *si;

	b.si_signo = SIGBUS;
	b.si_code = BUS_ADRERR;
	if (sigaction(SIGBUS, NULL, &bus) != 0 ||
	    (!(bus.sa_flags & SA_SIGINFO) && bus.sa_handler == SIG_DFL)) {
		signal(SIGSEGV, SIG_DFL);
		raise(SIGBUS);
		return;
	}
	call(&bus, SIGBUS, &b, uc);
}

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	uint8_t *a = si->si_addr;

	if (gz_sim_m.host && a >= gz_sim_m.host && a < gz_sim_m.host + gz_sim_m.cfg.phys_size) {
		uint64_t off = GZ_ALIGN_DOWN((uint64_t)(a - gz_sim_m.host), GZ_PAGE_SIZE);

		if (gz_host_s2_handle_fault(gz_sim_m.cfg.phys_base + off) == GZ_OK &&
		    mprotect(gz_sim_m.host + off, GZ_PAGE_SIZE, PROT_READ | PROT_WRITE) == 0)
			return;
		stage2_abort(si, uc);
		return;
	}
	call(&prev_segv, sig, si, uc);
}

/* In place whenever the host loses pages, over whatever handled SIGSEGV before (gzvmm's at
 * its set-up, a test harness's), and again if someone replaced it since. */
static void install(void)
{
	struct sigaction sa, cur;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_segv;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	pthread_mutex_lock(&install_mu);
	if (sigaction(SIGSEGV, NULL, &cur) != 0 ||
	    !((cur.sa_flags & SA_SIGINFO) && cur.sa_sigaction == on_segv)) {
		if (sigaction(SIGSEGV, &sa, &prev_segv) != 0)
			gz_hal_panic("hostview: cannot take SIGSEGV");
	}
	pthread_mutex_unlock(&install_mu);
}

void gz_hal_host_access(gz_pa_t pa, uint64_t nr, bool accessible)
{
	uint8_t *h = gz_sim_host_view(pa);

	if (!h || !nr || !gz_sim_host_view(pa + (nr << GZ_PAGE_SHIFT) - 1))
		return; /* not simulated RAM: nothing of the host's */
	if (!accessible)
		install();
	if (mprotect(h, nr << GZ_PAGE_SHIFT, accessible ? PROT_READ | PROT_WRITE : PROT_NONE) != 0)
		gz_hal_panic("hostview: mprotect failed");
}
