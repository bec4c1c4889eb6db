/* gzvmm with --peer-vm: two VMs in one process, joined by a hypervisor channel (docs/vmm.md
 * "Two VMs and a channel"). Both run on one backend: one /dev/gzvm, or one simulated machine
 * with one simulated gzhyp, which is what lets the sim back end join them at all (each gzvmm
 * process has its own simulator). The channel is made with the same GZVM_CREATE_CHANNEL
 * ioctl on the two VM fds in both worlds, and its id written into both device trees before
 * either VM runs. The second VM runs on a thread of its own and is destroyed as soon as it
 * ends, so the first sees its peer go while it still runs. */
#define _GNU_SOURCE /* pthread_timedjoin_np */
#include "pair.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <arm64/gicv3.h>

#include "fdt_build.h"
#include "layout.h"
#include "msg.h"
#include "setup_stop.h"

#define PEER_MAX_ARGS 64 /* words of --peer-vm, with the 4 put before them */

/* Split @s at blanks into argv after "gzvmm run --backend B" (the first VM's backend: a
 * --backend of the peer's own is then "given twice"); the words live in @buf. */
static int split(const char *s, const char *backend, char *buf, size_t bufsize, char **argv,
		 int *argc)
{
	size_t n = strlen(s);
	char *p;

	if (n >= bufsize)
		return -1;
	memcpy(buf, s, n + 1);
	*argc = 0;
	argv[(*argc)++] = "gzvmm";
	argv[(*argc)++] = "run";
	argv[(*argc)++] = "--backend";
	argv[(*argc)++] = (char *)backend;
	for (p = strtok(buf, " \t"); p; p = strtok(NULL, " \t")) {
		if (*argc >= PEER_MAX_ARGS - 1)
			return -1;
		argv[(*argc)++] = p;
	}
	argv[*argc] = NULL;
	return 0;
}

int vmm_pair_parse(const struct vmm_config *cfg, struct vmm_config *peer, char *buf, size_t bufsize,
		   char *err, size_t errlen)
{
	char *argv[PEER_MAX_ARGS + 2];
	enum vmm_cli_action action;
	char perr[400];
	int argc;

	if (split(cfg->peer_args, cfg->backend == VMM_BACKEND_SIM ? "sim" : "gzvm", buf, bufsize,
		  argv, &argc) != 0)
		return vmm_fail(err, errlen, "--peer-vm: too long or too many arguments");
	if (vmm_cli_parse(argc, argv, peer, &action, perr, sizeof(perr)) != 0)
		return vmm_fail(err, errlen, "--peer-vm: %s", perr);
	if (action != VMM_CLI_RUN)
		return vmm_fail(err, errlen,
				"--peer-vm: --help and --version are not for the peer");
	if (peer->peer_args)
		return vmm_fail(err, errlen, "--peer-vm: the peer cannot have a peer");
	if (peer->sim.slice || peer->sim.wall_clock || peer->max_insns)
		return vmm_fail(err, errlen,
				"--peer-vm: the peer runs on the first VM's backend: no --clock, "
				"--slice or --max-insns of its own");
	if (cfg->dry_run || peer->dry_run)
		return vmm_fail(err, errlen, "--peer-vm and --dry-run exclude each other");
	if (cfg->vsock_cid && peer->vsock_cid == cfg->vsock_cid)
		return vmm_fail(err, errlen, "--peer-vm: both VMs have vsock CID %u",
				cfg->vsock_cid);
	peer->sim = cfg->sim;
	peer->input = VMM_INPUT_NONE; /* stdin is the first VM's */
	return 0;
}

/* The channel's bulk region (--chan-region): owned by @a, at the same IPA in both VMs. */
static int give_region(struct vmm_vm *a, struct vmm_vm *b, uint32_t id)
{
	struct gzvm_create_channel_region r = {
	    .peer_fd = b->vm_fd,
	    .id = id,
	    .size = a->cfg->chan_region,
	    .ipa = VMM_CHAN_REGION_BASE,
	    .peer_ipa = VMM_CHAN_REGION_BASE,
	};
	long ret = a->be.ops->ioctl(&a->be, a->vm_fd, GZVM_CREATE_CHANNEL_REGION, &r);

	if (ret < 0)
		return vmm_report(VMM_EXIT_ERROR, "GZVM_CREATE_CHANNEL_REGION failed: %s",
				  strerror((int)-ret));
	return 0;
}

/* The channel and its id in both device trees (the generated ones have its node; a --dtb of
 * the user's gets nothing written), and its region. */
static int join(struct vmm_vm *a, struct vmm_vm *b)
{
	struct gzvm_create_channel c = {
	    .peer_fd = b->vm_fd,
	    .irq = ARCH_GIC_SPI_BASE + VMM_CHAN_SPI,
	    .peer_irq = ARCH_GIC_SPI_BASE + VMM_CHAN_SPI,
	};
	struct vmm_vm *both[2] = {a, b};
	char err[256];
	long r = a->be.ops->ioctl(&a->be, a->vm_fd, GZVM_CREATE_CHANNEL, &c);

	if (r < 0)
		return vmm_report(VMM_EXIT_ERROR, "GZVM_CREATE_CHANNEL failed: %s",
				  strerror((int)-r));
	if (a->cfg->chan_region && give_region(a, b, c.id) != 0)
		return VMM_EXIT_ERROR;
	for (unsigned i = 0; i < 2; i++) {
		struct vmm_vm *vm = both[i];

		if (vm->cfg->dtb || vmm_fdt_set_channel_id(vm->dtb, c.id) != 0)
			continue;
		if (vmm_write_dtb(&vm->mem, vm->dtb, vm->boot.dtb_size, &vm->boot, err,
				  sizeof(err)))
			return vmm_report(VMM_EXIT_ERROR, "%s", err);
	}
	return 0;
}

#define PEER_GRACE_S 30

/* Join @t if it ends within @seconds of wall time. */
static bool joined_within(pthread_t t, unsigned seconds)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += seconds;
	return pthread_timedjoin_np(t, NULL, &until) == 0;
}

struct peer_run {
	struct vmm_vm *vm, *first;
	int status;
};

/* The peer's whole life after set-up: run, report, destroy (its channel dies with it). */
static void *peer_thread(void *arg)
{
	struct peer_run *p = arg;

	p->status = vmm_vm_run(p->vm);
	/* SIGINT or SIGTERM may reach either VM's signalfd: whichever took it stops both. */
	if (p->status >= VMM_EXIT_SIGNAL_BASE)
		vmm_vm_stop(p->first, p->status);
	if (p->vm->cfg->stats)
		vmm_vm_print_stats(p->vm, stderr);
	vmm_vm_teardown(p->vm);
	return NULL;
}

int vmm_pair_main(const struct vmm_config *cfg, const struct vmm_backend_ops *ops)
{
	static struct vmm_config first, second;
	static struct vmm_vm a, b;
	static char buf[4096];
	struct vmm_backend be = {.ops = ops, .sim = cfg->sim};
	struct peer_run peer = {.vm = &b, .first = &a};
	bool b_setup = false;
	pthread_t t;
	char err[512];
	int rc;

	first = *cfg;
	if (vmm_pair_parse(cfg, &second, buf, sizeof(buf), err, sizeof(err)) != 0) {
		vmm_setup_stop_disarm();
		fprintf(stderr, "gzvmm: %s\n", err);
		return VMM_EXIT_USAGE;
	}
	/* A reset would rebuild one VM without the channel: either reset ends that VM. */
	first.reset_exits = second.reset_exits = true;
	first.channel = second.channel = true;
	second.chan_region = first.chan_region;
	first.chan_region_owner = first.chan_region != 0;
	/* Both VMs with a CID: the channel carries vsock between them. */
	if (first.vsock_cid && second.vsock_cid) {
		first.peer_vsock_cid = second.vsock_cid;
		second.peer_vsock_cid = first.vsock_cid;
	}
	first.shared_be = second.shared_be = &be;
	if (ops->init(&be, vmm_vm_backend_bytes(&first) + vmm_vm_backend_bytes(&second), err,
		      sizeof(err)) != 0) {
		vmm_setup_stop_disarm();
		return vmm_report(VMM_EXIT_ERROR, "%s", err);
	}
	rc = vmm_vm_setup(&a, &first, ops);
	if (!rc) {
		b_setup = true;
		rc = vmm_vm_setup(&b, &second, ops);
	}
	if (!rc)
		rc = join(&a, &b);
	vmm_setup_stop_disarm();
	if (!rc && pthread_create(&t, NULL, peer_thread, &peer) != 0)
		rc = vmm_report(VMM_EXIT_ERROR, "cannot start the peer VM's thread");
	if (rc) {
		if (b_setup) /* vmm_vm_setup makes a VM safe to tear down, whatever failed */
			vmm_vm_teardown(&b);
		vmm_vm_teardown(&a);
		ops->fini(&be);
		return rc;
	}
	rc = vmm_vm_run(&a);
	if (cfg->stats)
		vmm_vm_print_stats(&a, stderr);
	/* The first VM decides: after a power-off the peer has PEER_GRACE_S to end by itself
	 * (a server finishing its last words), otherwise it stops with the first. */
	if (rc != VMM_EXIT_POWEROFF || !joined_within(t, PEER_GRACE_S)) {
		vmm_vm_stop(&b, rc);
		pthread_join(t, NULL);
	}
	if (peer.status != VMM_EXIT_POWEROFF && peer.status != rc)
		fprintf(stderr, "gzvmm: the peer VM ended with status %d\n", peer.status);
	vmm_vm_teardown(&a);
	ops->fini(&be);
	return rc;
}
