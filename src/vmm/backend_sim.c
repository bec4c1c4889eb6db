/* The sim backend: the simulator's in-process gzvm driver (sim/include/gzsim/driver.h) in
 * place of /dev/gzvm. The ABI is the same, ioctl(2) becomes gz_sim_ioctl(); guest RAM lives
 * in the simulator's physical memory so the core can map it into the guest's stage 2. */
#include "backend.h"

#include <gzsim/driver.h>
#include <gzabi/pvmfw.h>
#include <gzcrypto/ct.h>
#include <gzcrypto/hex.h>
#include <gzsim/gdb.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Simulated physical memory beyond guest RAM: hypervisor working memory (32 MiB by default),
 * page tables, the driver's shared pages. */
#define SIM_PHYS_SLACK (96ULL << 20)

/* A gz-sign key file (32 bytes as hex on one line) for option @opt. */
static int read_key(const char *opt, const char *path, uint8_t key[32], char *err, size_t errlen)
{
	char text[130];
	size_t n;
	FILE *f = fopen(path, "r");

	if (!f) {
		snprintf(err, errlen, "cannot open %s '%s': %s", opt, path, strerror(errno));
		return -1;
	}
	n = fread(text, 1, sizeof(text), f);
	fclose(f);
	if (!gzcrypto_hex_decode(key, 32, text, n)) {
		snprintf(err, errlen, "%s '%s' is not a %s key (64 hex digits)", opt, path,
			 strcmp(opt, "--sim-attest-root") ? "public" : "secret");
		return -1;
	}
	return 0;
}

/* --sim-attest-key, --sim-attest-cert: what the simulated platform publishes, hex on one
 * line. */
static int write_hex(const char *opt, const char *path, const uint8_t *b, size_t n, char *err,
		     size_t errlen)
{
	FILE *f = fopen(path, "w");
	int ok = f != NULL;

	for (size_t i = 0; ok && i < n; i++)
		ok = fprintf(f, "%02x", b[i]) == 2;
	ok = ok && fputc('\n', f) != EOF;
	if ((f && fclose(f) != 0) || !ok) {
		snprintf(err, errlen, "cannot write %s '%s': %s", opt, path, strerror(errno));
		return -1;
	}
	return 0;
}

static int publish(const struct vmm_backend *be, char *err, size_t errlen)
{
	uint8_t key[32], cert[GZ_ATTEST_CERT_SIZE];

	gz_sim_attest_key(key);
	if (be->sim.attest_key &&
	    write_hex("--sim-attest-key", be->sim.attest_key, key, sizeof(key), err, errlen))
		return -1;
	if (!be->sim.attest_cert)
		return 0;
	if (!gz_sim_attest_cert(cert)) {
		snprintf(err, errlen, "--sim-attest-cert needs --sim-attest-root");
		return -1;
	}
	return write_hex("--sim-attest-cert", be->sim.attest_cert, cert, sizeof(cert), err, errlen);
}

static int sim_init(struct vmm_backend *be, size_t ram_size, char *err, size_t errlen)
{
	struct gz_sim_drv_config cfg;
	uint8_t key[32], root[32];
	int r;

	memset(&cfg, 0, sizeof(cfg));
	cfg.machine.phys_size = ram_size + SIM_PHYS_SLACK;
	cfg.machine.cpu_model = -1;
	cfg.machine.clock = be->sim.wall_clock ? GZ_SIM_CLOCK_WALL : GZ_SIM_CLOCK_INSNS;
	cfg.machine.slice = be->sim.slice;
	cfg.machine.deterministic = be->sim.deterministic;
	cfg.machine.seed = be->sim.seed;
	cfg.machine.epoch = be->sim.epoch;
	if (be->sim.pvmfw_key) {
		if (read_key("--sim-pvmfw-key", be->sim.pvmfw_key, key, err, errlen) != 0)
			return -1;
		cfg.pvmfw_key = key;
	}
	if (be->sim.attest_root) {
		if (read_key("--sim-attest-root", be->sim.attest_root, root, err, errlen) != 0)
			return -1;
		cfg.attest_root = root;
	}
	r = gz_sim_drv_init(&cfg);
	gzcrypto_wipe(root, sizeof(root));
	if (r < 0) {
		snprintf(err, errlen, "simulator start-up failed: %s", strerror(-r));
		return -1;
	}
	return publish(be, err, errlen);
}

static int sim_open_dev(struct vmm_backend *be, char *err, size_t errlen)
{
	int fd = gz_sim_open();

	(void)be;
	if (fd < 0)
		snprintf(err, errlen, "cannot open the simulator's gzvm device: %s", strerror(-fd));
	return fd < 0 ? -1 : fd;
}

static long sim_ioctl(struct vmm_backend *be, int fd, unsigned long req, void *arg)
{
	(void)be;
	return gz_sim_ioctl(fd, req, arg);
}

static void sim_close_fd(struct vmm_backend *be, int fd)
{
	(void)be;
	gz_sim_close(fd);
}

static void *sim_ram_alloc(struct vmm_backend *be, size_t size)
{
	(void)be;
	return gz_sim_ram_alloc(size);
}

static void sim_ram_free(struct vmm_backend *be, void *p, size_t size)
{
	(void)be;
	gz_sim_ram_free(p, size);
}

static void sim_kick(struct vmm_backend *be, pthread_t t)
{
	(void)be;
	gz_sim_kick_thread(t);
}

static void sim_fini(struct vmm_backend *be)
{
	(void)be;
	gz_sim_drv_fini();
}

static uint64_t sim_insns(struct vmm_backend *be)
{
	(void)be;
	return gz_sim_insns();
}

static int sim_debug_start(struct vmm_backend *be, const struct vmm_debug_hooks *h, char *err,
			   size_t errlen)
{
	struct gz_sim_gdb_config cfg = {
	    .port = be->sim.gdb_port,
	    .wait = be->sim.gdb_wait,
	    .ipa_ptr = h->ipa_ptr,
	    .kill = h->kill,
	    .arg = h->arg,
	};

	return gz_sim_gdb_start(&cfg, err, errlen);
}

static void sim_debug_stop(struct vmm_backend *be, int status)
{
	(void)be;
	gz_sim_gdb_stop(status);
}

static void sim_sched_hook(struct vmm_backend *be, vmm_sched_hook_fn fn, void *arg)
{
	(void)be;
	gz_sim_set_sched_hook(fn, arg);
}

static void sim_sched_poke(struct vmm_backend *be)
{
	(void)be;
	gz_sim_sched_poke();
}

static uint64_t sim_virtual_ns(struct vmm_backend *be)
{
	(void)be;
	return gz_sim_ticks_to_ns(gz_hal_cntpct());
}

static int sim_trace_open(struct vmm_backend *be, const char *path, uint64_t max_bytes)
{
	(void)be;
	return gz_sim_trace_open(path, max_bytes);
}

static void sim_trace_close(struct vmm_backend *be)
{
	(void)be;
	gz_sim_trace_close();
}

static void sim_trace_handled(struct vmm_backend *be, uint32_t exit_reason, const char *device)
{
	(void)be;
	gz_sim_trace_handled("vmm", exit_reason, device);
}

static const struct vmm_backend_ops sim_ops = {
    .name = "sim",
    .init = sim_init,
    .open_dev = sim_open_dev,
    .ioctl = sim_ioctl,
    .close_fd = sim_close_fd,
    .ram_alloc = sim_ram_alloc,
    .ram_free = sim_ram_free,
    .kick = sim_kick,
    .fini = sim_fini,
    .insns = sim_insns,
    .debug_start = sim_debug_start,
    .debug_stop = sim_debug_stop,
    .sched_hook = sim_sched_hook,
    .sched_poke = sim_sched_poke,
    .virtual_ns = sim_virtual_ns,
    .trace_open = sim_trace_open,
    .trace_close = sim_trace_close,
    .trace_handled = sim_trace_handled,
};

const struct vmm_backend_ops *const vmm_backend_sim = &sim_ops;
