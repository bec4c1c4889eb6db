/* The simulator's in-process gzvm driver: the user ABI of include/uapi/linux/gzvm.h as
 * function calls (an fd table stands for /dev/gzvm, VM and vCPU fds), implemented by the
 * portable driver logic (src/driver/common, gzdrv) over the core's host-call dispatcher,
 * with the core running on the simulator's HAL. gzvmm's "sim" backend uses it.
 *
 * Threads: any thread may issue ioctls; a thread that issues GZVM_RUN becomes one of the
 * machine's physical CPUs (its own GIC virtual interface) for as long as it lives. */
#ifndef GZSIM_DRIVER_H
#define GZSIM_DRIVER_H

#include <pthread.h>
#include <gzsim/sim.h>

struct gz_sim_drv_config {
	struct gz_sim_config machine; /* for gz_sim_init */
	uint64_t hyp_mem;	      /* hypervisor working memory, bytes (0: 32 MiB) */
	/* the platform's trusted key for pvmfw (gzhyp/pvmfw.h), as a secure boot gives it to
	 * the hypervisor before the host runs; NULL: none */
	const uint8_t *pvmfw_key;
	/* the platform's attestation root (an Ed25519 seed) that certifies the attestation key
	 * at start, as a secure boot gives it to gzhyp (gz.attest_root); NULL: not certified */
	const uint8_t *attest_root;
	/* VMs fault their RAM in one 4 KiB page at a time, as gzvm.ko with block_paging = 0 */
	bool page_paging;
};

/* Bring up machine, core (gz_core_init) and driver (PROBE handshake). 0 or -errno. */
int gz_sim_drv_init(const struct gz_sim_drv_config *cfg);
void gz_sim_drv_fini(void);

/* open("/dev/gzvm"): an fd, or -errno (-ENODEV before gz_sim_drv_init). */
int gz_sim_open(void);
/* ioctl(2) in place: >= 0 result or -errno. */
long gz_sim_ioctl(int fd, unsigned long req, void *arg);
/* close(2): 0 or -EBADF. A VM goes away when its fd and all its vCPU fds are closed. */
int gz_sim_close(int fd);

/* Make a GZVM_RUN in progress on thread t return -EINTR soon (a signal's work). */
void gz_sim_kick_thread(pthread_t t);

/* What a soak run watches for leaks across VM lifetimes (bench/soak): pages the driver
 * holds pinned for all VMs (and the most at once since gz_sim_drv_init), the simulated
 * host's free memory, and the hypervisor's own (GET_STATISTICS of VM 0: its pool in use and
 * in all, its own tables). 0 or -errno. */
struct gz_sim_drv_mem {
	uint64_t pinned_pages, pinned_peak, host_free_bytes;
	uint64_t pool_used, pool_total, tables;
	uint64_t s2_blocks; /* 2 MiB stage-2 blocks gzhyp made for the VMs released so far */
};
int gz_sim_drv_mem(struct gz_sim_drv_mem *m);

/* The simulated platform's attestation public key (gzhyp/attest.h), as gzhyp's boot log
 * publishes it in the full stack; after gz_sim_drv_init. */
void gz_sim_attest_key(uint8_t out[32]);
/* Its certificate (gzcrypto/cert.h, 144 bytes); false without an attestation root. */
bool gz_sim_attest_cert(uint8_t out[144]);

/* Guest RAM for memslots: simulated physical memory in huge pages where it can
 * (gz_sim_host_alloc_huge): whole 2 MiB blocks of it become stage-2 block mappings. */
void *gz_sim_ram_alloc(size_t size);
void gz_sim_ram_free(void *p, size_t size);

#endif
