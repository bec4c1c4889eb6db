/* The simulator's gdb server (sim/gdb_stub.c): the GDB remote serial protocol on a TCP port
 * of 127.0.0.1, one thread per vCPU of the VM the in-process driver runs, all-stop. gzvmm's
 * sim backend starts it for --gdb (docs/debugging.md). */
#ifndef GZSIM_GDB_H
#define GZSIM_GDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct gz_sim_gdb_config {
	uint16_t port;
	bool wait; /* the vCPUs wait for the debugger before their first instruction */
	/* The VMM's view of guest memory, for IPAs stage 2 does not map (yet): a host pointer
	 * and the bytes valid from it, or NULL. May be NULL. */
	void *(*ipa_ptr)(void *arg, uint64_t ipa, uint64_t *avail);
	/* The debugger killed the guest ('k'): end the VM. */
	void (*kill)(void *arg);
	void *arg;
};

/* Listen and serve. 0, or -1 with a one-line message (port in use...). A second call only
 * takes the new callbacks (a VM built again after a reset). */
int gz_sim_gdb_start(const struct gz_sim_gdb_config *cfg, char *err, size_t errlen);
/* The VM ended with exit @status: a connected debugger is told (W packet), the server stops. */
void gz_sim_gdb_stop(int status);

#endif
