/* host_attack: the malicious host's program in the full stack (static aarch64, run as root in
 * the host VM beside gzvmm). Its calls go to gzhyp through gzattack.ko's raw HVC, its reads
 * and writes by physical address through the module's mmap (a fault is SIGBUS: the host's
 * stage 2 refused the page); the PAs of the guest's RAM come from gzvmm's page map.
 *
 *   host_attack attack PID STATE   scan gzvmm PID's guest, forge every call, tell the guest
 *   host_attack scan PID STATE     the scan only
 *   host_attack after STATE WHEN   once the VM is gone: its secret pages read back scrubbed
 * STATE keeps what the scan found for "after". The transcript (stdout) is the simulator's
 * (tests/sim/expected/host_attack*.txt). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "gzattack.h"
#include "hattack.h"

#define GUEST_RAM_SIZE (128ULL << 20) /* the test's gzvmm --mem 128M */
#define GZHYP_TEXT     0x40080000ULL  /* gzhyp's image at QEMU virt's RAM base */

static int dev = -1;
static sigjmp_buf jb;
static volatile sig_atomic_t probing;

static void on_bus(int sig)
{
	(void)sig;
	if (probing)
		siglongjmp(jb, 1);
	_exit(3);
}

static void hvc(void *env, uint64_t a[8])
{
	struct gzattack_hvc h;

	(void)env;
	memcpy(h.a, a, sizeof(h.a));
	if (ioctl(dev, GZATTACK_HVC, &h) != 0) {
		perror("host_attack: GZATTACK_HVC");
		exit(1);
	}
	memcpy(a, h.a, sizeof(h.a));
}

/* One page at @pa mapped, then copied in one direction; -1 if the access faulted. */
static int copy(uint64_t pa, void *buf, size_t len, int write)
{
	volatile uint8_t *p = mmap(NULL, HATTACK_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, dev,
				   (off_t)(pa & ~(uint64_t)(HATTACK_PAGE - 1)));
	int r = 0;

	if (p == MAP_FAILED)
		return -1;
	p += pa & (HATTACK_PAGE - 1);
	probing = 1;
	if (sigsetjmp(jb, 1)) {
		r = -1;
	} else {
		for (size_t i = 0; i < len; i++) {
			if (write)
				p[i] = ((const uint8_t *)buf)[i];
			else
				((uint8_t *)buf)[i] = p[i];
		}
	}
	probing = 0;
	munmap((void *)((uintptr_t)p & ~(uintptr_t)(HATTACK_PAGE - 1)), HATTACK_PAGE);
	return r;
}

static int rd(void *env, uint64_t pa, void *buf)
{
	(void)env;
	return copy(pa, buf, HATTACK_PAGE, 0);
}

static int wr(void *env, uint64_t pa, const void *buf, size_t len)
{
	(void)env;
	return copy(pa, (void *)buf, len, 1);
}

static uint64_t alloc(void *env)
{
	uint64_t pa = 0;

	(void)env;
	return ioctl(dev, GZATTACK_ALLOC, &pa) == 0 ? pa : 0;
}

static const struct hattack_ops ops = {NULL, hvc, rd, wr, alloc};

/* The PA behind each page of gzvmm's guest RAM: the last RAM-sized stretch of its anonymous
 * mapping of at least the RAM's size in /proc/PID/maps (gzvmm maps the RAM first; pvmfw's slot,
 * mapped later the same way, lands just below it and the kernel merges the two into one
 * mapping; a wrong guess finds no mailbox at its own IPA), each page's PFN from
 * /proc/PID/pagemap (0 where none is present). */
static uint64_t *guest_pas(const char *pid, uint64_t *npages)
{
	char path[64], line[512];
	unsigned long long lo, hi, start = 0;
	uint64_t *pa, n = GUEST_RAM_SIZE / HATTACK_PAGE;
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "/proc/%s/maps", pid);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f)) {
		char name[256] = "";

		if (sscanf(line, "%llx-%llx %*s %*s %*s %*s %255s", &lo, &hi, name) >= 2 &&
		    hi - lo >= GUEST_RAM_SIZE && !name[0])
			start = hi - GUEST_RAM_SIZE;
	}
	if (f)
		fclose(f);
	snprintf(path, sizeof(path), "/proc/%s/pagemap", pid);
	fd = open(path, O_RDONLY);
	pa = calloc(n, sizeof(*pa));
	if (!start || fd < 0 || !pa) {
		fprintf(stderr, "host_attack: no guest RAM found in process %s\n", pid);
		exit(1);
	}
	for (uint64_t i = 0; i < n; i++) {
		uint64_t e = 0;

		if (pread(fd, &e, sizeof(e), (off_t)((start / HATTACK_PAGE + i) * sizeof(e))) ==
			sizeof(e) &&
		    (e >> 63) & 1)
			pa[i] = (e & ((1ULL << 55) - 1)) * HATTACK_PAGE;
	}
	close(fd);
	*npages = n;
	return pa;
}

int main(int argc, char **argv)
{
	struct hattack_target t = {0};
	struct hattack_found f;
	FILE *state;

	signal(SIGBUS, on_bus);
	setvbuf(stdout, NULL, _IOLBF, 0);
	dev = open("/dev/gzattack", O_RDWR);
	if (dev < 0) {
		perror("host_attack: /dev/gzattack");
		return 1;
	}
	if (argc == 4 && !strcmp(argv[1], "after")) {
		state = fopen(argv[2], "rb");
		if (!state || fread(&f, sizeof(f), 1, state) != 1) {
			fprintf(stderr, "host_attack: no state in %s\n", argv[2]);
			return 1;
		}
		fclose(state);
		hattack_after(&ops, &f, argv[3], stdout);
		return 0;
	}
	if (argc != 4 || (strcmp(argv[1], "attack") && strcmp(argv[1], "scan"))) {
		fprintf(stderr, "usage: host_attack attack|scan PID STATE | after STATE WHEN\n");
		return 2;
	}
	t.pa = guest_pas(argv[2], &t.npages);
	t.hyp_pa = GZHYP_TEXT;
	if (!hattack_scan(&ops, &t, &f, stdout))
		return 1;
	state = fopen(argv[3], "wb");
	if (!state || fwrite(&f, sizeof(f), 1, state) != 1 || fclose(state)) {
		fprintf(stderr, "host_attack: cannot write %s\n", argv[3]);
		return 1;
	}
	if (!strcmp(argv[1], "attack")) {
		hattack_calls(&ops, &t, &f, stdout);
		hattack_done(&ops, &f, stdout);
	}
	return 0;
}
