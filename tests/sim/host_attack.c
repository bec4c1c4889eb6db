/* The malicious host in the simulator: gzvmm's VM (the protected guest pvm_secret, built by
 * gzvmm's own set-up on the sim backend) runs on its thread while this program, the host,
 * issues gzhyp's host calls directly with forged arguments (tests/qemu/gzattack/hattack.c,
 * the full stack's list) and reads and writes the guest's pages by physical address through
 * the host's view of memory, where the host's stage 2 holds (sim/hostview.c: SIGBUS).
 *
 *   host_attack attack GUEST.elf OUTDIR EXPECTED_ATTACK EXPECTED_CONSOLE [DISK]
 *     the attacks while the guest runs, "done" through its mailbox, the guest's end; then the
 *     VM destroyed and its pages read back (scrubbed)
 *   host_attack kill GUEST.elf OUTDIR EXPECTED_ATTACK - [DISK]
 *     the scan, then the VMM stops the VM mid-run (the guest never hears "done") and the VM
 *     is destroyed as a killed VMM's is: its pages read back scrubbed
 * DISK: a fresh 64 KiB disk made there (sector 0 names it) for gzvmm --disk.
 * Arguments after "--" go to gzvmm's command line as well (a Linux guest's --initrd, --append
 * and own --disk: tests/sim/pvm_linux.sh).
 * The attacker's transcript and the guest's console must equal the expected files ("-": the
 * console is the caller's to check). */
#define _GNU_SOURCE
#include <gzabi/hvc.h>
#include <gzhyp/hostcall.h>
#include <gzhyp/pgstate.h>
#include <gzsim/sim.h>
#include <hal.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../qemu/gzattack/hattack.h"
#include "backend.h"
#include "cli.h"
#include "exitcode.h"
#include "phys.h"
#include "vm.h"

/* The host's own physical CPU for its calls: no vCPU thread plays it. */
#define HOST_CPU 63

static struct vmm_config cfg;
static struct vmm_vm vm;
static int run_status;
static sigjmp_buf jb;
static volatile sig_atomic_t probing;
static struct sigaction vmm_bus;

static void *run_vm(void *arg)
{
	(void)arg;
	run_status = vmm_vm_run(&vm);
	return NULL;
}

/* A fault while this program probes a page is an answer; any other goes to gzvmm's handler. */
static void on_bus(int sig, siginfo_t *si, void *uc)
{
	if (probing)
		siglongjmp(jb, 1);
	if (vmm_bus.sa_flags & SA_SIGINFO)
		vmm_bus.sa_sigaction(sig, si, uc);
}

static void host_hvc(void *env, uint64_t a[8])
{
	struct gz_smccc_regs r;

	(void)env;
	memcpy(r.a, a, sizeof(r.a));
	gz_hostcall_dispatch(&r);
	memcpy(a, r.a, sizeof(r.a));
}

static int host_copy(void *dst, const void *src, size_t len)
{
	if (!dst || !src)
		return -1;
	probing = 1;
	if (sigsetjmp(jb, 1)) {
		probing = 0;
		return -1;
	}
	for (size_t i = 0; i < len; i++)
		((volatile uint8_t *)dst)[i] = ((const volatile uint8_t *)src)[i];
	probing = 0;
	return 0;
}

static int host_read(void *env, uint64_t pa, void *buf)
{
	(void)env;
	return host_copy(buf, gz_sim_host_view(pa), HATTACK_PAGE);
}

static int host_write(void *env, uint64_t pa, const void *buf, size_t len)
{
	(void)env;
	return host_copy(gz_sim_host_view(pa), buf, len);
}

static uint64_t host_alloc(void *env)
{
	void *p = gz_sim_host_alloc(2 * HATTACK_PAGE);

	(void)env;
	return p ? gz_hal_va_to_pa(p) : 0;
}

static const struct hattack_ops ops = {NULL, host_hvc, host_read, host_write, host_alloc};

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0;

	if (!f)
		return NULL;
	if (getdelim(&buf, &len, '\0', f) < 0) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* Waits up to 300 s of host time for @line in the guest's console. */
static bool wait_console(const char *path, const char *line)
{
	for (unsigned i = 0; i < 3000; i++) {
		char *s = slurp(path);
		bool found = s && strstr(s, line);

		free(s);
		if (found)
			return true;
		sleep_ms(100);
	}
	return false;
}

/* A fresh disk of 128 sectors whose sector 0 says what it is. */
static int make_disk(const char *path)
{
	static char disk[128 * 512];
	FILE *f = fopen(path, "wb");

	snprintf(disk, sizeof(disk), "opengz bounce disk, sector 0\n");
	if (!f || fwrite(disk, sizeof(disk), 1, f) != 1 || fclose(f)) {
		fprintf(stderr, "host_attack: cannot write %s\n", path);
		return -1;
	}
	return 0;
}

static bool same(const char *what, const char *got, const char *exp_path)
{
	char *exp = slurp(exp_path);
	bool ok = exp && got && strcmp(exp, got) == 0;

	if (!ok)
		fprintf(stderr, "FAIL: %s differs from %s:\n--- expected\n%s--- got\n%s", what,
			exp_path, exp ? exp : "(unreadable)\n", got ? got : "(nothing)\n");
	free(exp);
	return ok;
}

int main(int argc, char **argv)
{
	char console[4096], err[512], *log = NULL, *con;
	size_t loglen = 0;
	enum vmm_cli_action action;
	struct hattack_target t = {0};
	struct hattack_found f;
	struct sigaction sa;
	pthread_t th;
	sigset_t set;
	FILE *out;
	bool kill_mode, ok = true;
	int nfixed;
	uint64_t *pas;

	for (nfixed = 1; nfixed < argc && strcmp(argv[nfixed], "--"); nfixed++)
		;
	if ((nfixed != 6 && nfixed != 7) ||
	    (strcmp(argv[1], "attack") && strcmp(argv[1], "kill"))) {
		fprintf(stderr, "usage: host_attack attack|kill GUEST.elf OUTDIR EXPECTED_ATTACK "
				"EXPECTED_CONSOLE|- [DISK] [-- GZVMM-ARGS...]\n");
		return 2;
	}
	kill_mode = !strcmp(argv[1], "kill");
	{
		const char *g = strrchr(argv[2], '/');

		snprintf(console, sizeof(console), "file:%s/%s-%s-console.txt", argv[3],
			 g ? g + 1 : argv[2], argv[1]);
	}
	if (nfixed == 7 && make_disk(argv[6]))
		return 1;
	{
		char *args[64] = {"gzvmm",	 "run",	      "--backend", "sim",
				  "--protected", "--kernel",  argv[2],	   "--mem",
				  "128M",	 "--console", console};
		int n = 11;

		if (nfixed == 7) {
			args[n++] = "--disk";
			args[n++] = argv[6];
		}
		for (int i = nfixed + 1; i < argc && n < 63; i++)
			args[n++] = argv[i];
		if (vmm_cli_parse(n, args, &cfg, &action, err, sizeof(err))) {
			fprintf(stderr, "host_attack: %s\n", err);
			return 2;
		}
	}
	/* As gzvmm's main: the stop signals go to its event loop, never to another thread. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, VMM_KICK_SIGNAL);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (vmm_vm_setup(&vm, &cfg, vmm_backend_sim))
		return 1;
	if (pthread_create(&th, NULL, run_vm, NULL))
		return 1;
	out = open_memstream(&log, &loglen);
	/* (a Linux guest's console ends its lines with CR LF) */
	if (!out || !wait_console(console + 5, "waiting for the host")) {
		fprintf(stderr, "FAIL: the guest never waited for the host\n");
		return 1;
	}

	/* The host's view of the guest's RAM: the PA behind each page of gzvmm's mapping; a
	 * page inside gzhyp (its working memory). */
	gz_sim_set_cpu_id(HOST_CPU);
	t.npages = vm.ram_size / HATTACK_PAGE;
	pas = calloc(t.npages, sizeof(*pas));
	for (uint64_t i = 0; i < t.npages; i++)
		pas[i] = gz_hal_va_to_pa((uint8_t *)vm.ram + i * HATTACK_PAGE);
	t.pa = pas;
	for (uint64_t pa = gz_sim_config()->phys_base; !t.hyp_pa; pa += HATTACK_PAGE)
		if (gz_pgstate_owner(pa) == GZ_OWNER_HYP)
			t.hyp_pa = pa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_bus;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigaction(SIGBUS, &sa, &vmm_bus);

	if (!hattack_scan(&ops, &t, &f, out)) {
		ok = false;
	} else if (!kill_mode) {
		hattack_calls(&ops, &t, &f, out);
		hattack_done(&ops, &f, out);
	}
	if (kill_mode || !ok)
		vmm_vm_stop(&vm, VMM_EXIT_SIGNAL_BASE + SIGKILL);
	pthread_join(th, NULL);
	if (!kill_mode)
		fprintf(out, "gzvmm: exit status %d\n", run_status);
	/* The VM goes as gzvm.ko's release of a VMM's descriptors makes it go (also when the
	 * VMM was killed): vCPUs first, then the VM; its memory is still the VMM's mapping. */
	for (unsigned i = 0; i < vm.ncpus; i++) {
		if (vm.vcpus[i].fd >= 0)
			vm.be.ops->close_fd(&vm.be, vm.vcpus[i].fd);
		vm.vcpus[i].fd = -1;
	}
	vm.be.ops->close_fd(&vm.be, vm.vm_fd);
	vm.vm_fd = -1;
	if (ok)
		hattack_after(&ops, &f,
			      kill_mode ? "after the VMM was killed" : "after the VM ended", out);
	sigaction(SIGBUS, &vmm_bus, NULL);
	fclose(out);
	fputs(log, stdout);
	con = slurp(console + 5);
	printf("--- the guest's console\n%s", con ? con : "");
	ok = same("the attacker's transcript", log, argv[4]) && ok;
	if (strcmp(argv[5], "-"))
		ok = same("the guest's console", con, argv[5]) && ok;
	vmm_vm_teardown(&vm);
	free(con);
	free(log);
	free(pas);
	puts(ok ? "PASS" : "FAIL");
	return ok ? 0 : 1;
}
