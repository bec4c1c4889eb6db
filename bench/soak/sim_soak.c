/* bench/soak's simulator half: one process, one simulated machine, and CYCLES VMs created,
 * run and destroyed in it one after the other through gzvmm's own set-up, run and teardown
 * (src/vmm) on the sim backend, so that whatever a VM's lifetime leaves behind in the
 * hypervisor, the in-process driver or the simulated host adds up across cycles. Each cycle
 * takes the next line of the spec file (guest, vCPUs, MiB of RAM, "protected" or not) and its
 * console must equal the guest's transcript (tests/sim/expected). Every EVERY cycles, and
 * before the first, one "soak:" line gives the counters report.py reads; with SECONDS (not 0)
 * the run ends at the first sample past that much time.
 *   sim_soak GUEST_DIR EXPECTED_DIR SPEC_FILE CYCLES EVERY WORK_DIR [SECONDS]
 * Exit status 0, or 1 when a cycle failed (its line says which). */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <gzsim/driver.h>

#include "backend.h"
#include "cli.h"
#include "vm.h"

#define MAX_SPECS 64

struct spec {
	char guest[32];
	unsigned cpus, mem_mb;
	bool prot;
};

static struct spec specs[MAX_SPECS];
static unsigned nr_specs;
static struct vmm_backend_ops ops; /* the sim backend's, the machine kept across VMs */
static bool machine_up;
static size_t machine_ram;
static struct vmm_config cfg;
static struct vmm_vm vm;

static int soak_init(struct vmm_backend *be, size_t ram_size, char *err, size_t errlen)
{
	(void)ram_size;
	if (machine_up)
		return 0;
	machine_up = vmm_backend_sim->init(be, machine_ram, err, errlen) == 0;
	return machine_up ? 0 : -1;
}

static void soak_fini(struct vmm_backend *be)
{
	(void)be; /* the machine outlives the VM: that is the point */
}

static int read_specs(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[256], prot[32];

	if (!f) {
		perror(path);
		return -1;
	}
	while (fgets(line, sizeof(line), f) && nr_specs < MAX_SPECS) {
		struct spec *s = &specs[nr_specs];
		int n;

		if (line[0] == '#' || line[0] == '\n')
			continue;
		prot[0] = 0;
		n = sscanf(line, "%31s %u %u %31s", s->guest, &s->cpus, &s->mem_mb, prot);
		if (n < 3 || s->cpus < 1 || s->cpus > 8 || !s->mem_mb) {
			fprintf(stderr, "%s: bad spec: %s", path, line);
			fclose(f);
			return -1;
		}
		s->prot = strcmp(prot, "protected") == 0;
		if ((size_t)s->mem_mb << 20 > machine_ram)
			machine_ram = (size_t)s->mem_mb << 20;
		nr_specs++;
	}
	fclose(f);
	return nr_specs ? 0 : -1;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static bool sample(unsigned cycle, double t0)
{
	struct gz_sim_drv_mem m;

	if (gz_sim_drv_mem(&m) != 0) {
		printf("soak: cycle %u: no statistics from the simulator\n", cycle);
		return false;
	}
	printf("soak: cycle %u pinned_pages %llu host_free_bytes %llu pool_used_bytes %llu "
	       "pool_total_bytes %llu table_bytes %llu seconds %.3f pinned_peak %llu\n",
	       cycle, (unsigned long long)m.pinned_pages, (unsigned long long)m.host_free_bytes,
	       (unsigned long long)m.pool_used, (unsigned long long)m.pool_total,
	       (unsigned long long)m.tables, now_s() - t0, (unsigned long long)m.pinned_peak);
	fflush(stdout);
	return true;
}

/* The guest's transcript: GUEST-N.txt for N vCPUs, else GUEST.txt (a guest that uses only
 * its first vCPU prints the same with any number). */
static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static bool transcript_ok(const char *exp_dir, const struct spec *s, const char *out)
{
	char path[4096];
	size_t nexp, nout;
	char *exp, *got;
	bool ok;

	snprintf(path, sizeof(path), "%s/%s-%u.txt", exp_dir, s->guest, s->cpus);
	if (access(path, R_OK) != 0)
		snprintf(path, sizeof(path), "%s/%s.txt", exp_dir, s->guest);
	exp = read_file(path, &nexp);
	got = read_file(out, &nout);
	ok = exp && got && nexp == nout && memcmp(exp, got, nexp) == 0;
	free(exp);
	free(got);
	return ok;
}

static int cycle(const char *guest_dir, const char *exp_dir, const char *work, unsigned i)
{
	const struct spec *s = &specs[i % nr_specs];
	char img[4096], cpus[16], mem[32], con[4200], err[512];
	const char *argv[16] = {"gzvmm",  "run", "--backend", "sim", "--kernel",  img,
				"--cpus", cpus,	 "--mem",     mem,   "--console", con};
	int argc = 12, rc;
	enum vmm_cli_action action;

	snprintf(img, sizeof(img), "%s/%s.bin", guest_dir, s->guest);
	snprintf(cpus, sizeof(cpus), "%u", s->cpus);
	snprintf(mem, sizeof(mem), "%uM", s->mem_mb);
	snprintf(con, sizeof(con), "file:%s/console", work);
	if (s->prot)
		argv[argc++] = "--protected";
	if (vmm_cli_parse(argc, (char *const *)argv, &cfg, &action, err, sizeof(err)) != 0) {
		printf("soak: cycle %u: %s\n", i, err);
		return -1;
	}
	memset(&vm, 0, sizeof(vm));
	rc = vmm_vm_setup(&vm, &cfg, &ops);
	if (rc == 0)
		rc = vmm_vm_run(&vm);
	vmm_vm_teardown(&vm);
	if (rc != 0 || !transcript_ok(exp_dir, s, con + 5)) {
		printf("soak: cycle %u FAILED: %s with %u vCPUs, %u MiB%s: gzvmm status %d%s\n", i,
		       s->guest, s->cpus, s->mem_mb, s->prot ? ", protected" : "", rc,
		       rc ? "" : ", transcript differs");
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	unsigned cycles, every, failed = 0, i;
	struct vmm_backend be = {0};
	double limit;
	char err[512];
	sigset_t set;
	double t0;

	if (argc != 7 && argc != 8) {
		fprintf(stderr, "usage: sim_soak GUEST_DIR EXPECTED_DIR SPEC_FILE CYCLES EVERY "
				"WORK_DIR [SECONDS]\n");
		return 2;
	}
	limit = argc == 8 ? strtod(argv[7], NULL) : 0;
	cycles = (unsigned)strtoul(argv[4], NULL, 0);
	every = (unsigned)strtoul(argv[5], NULL, 0);
	if (!vmm_backend_sim || read_specs(argv[3]) != 0 || !every)
		return 2;
	ops = *vmm_backend_sim;
	ops.init = soak_init;
	ops.fini = soak_fini;
	/* As gzvmm's main: the signals its event loop reads never reach another thread. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, VMM_KICK_SIGNAL);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	t0 = now_s();
	if (soak_init(&be, 0, err, sizeof(err)) != 0) {
		fprintf(stderr, "sim_soak: %s\n", err);
		return 1;
	}
	if (!sample(0, t0))
		return 1;
	for (i = 0; i < cycles; i++) {
		if (cycle(argv[1], argv[2], argv[6], i) != 0)
			failed++;
		if ((i + 1) % every != 0)
			continue;
		if (!sample(i + 1, t0))
			return 1;
		if (limit > 0 && now_s() - t0 >= limit) {
			i++;
			break;
		}
	}
	printf("soak: done, %u cycles, %u failed, %.3f seconds\n", i, failed, now_s() - t0);
	if (machine_up)
		vmm_backend_sim->fini(NULL);
	return failed ? 1 : 0;
}
