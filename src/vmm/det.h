/* gzvmm's side of a deterministic run (--deterministic, --record, --replay): everything
 * that would otherwise happen at a host-timed moment happens at a scheduling point of the
 * simulator's deterministic scheduler (sim/detsched.c), on the thread that holds the turn:
 * console input (from stdin, kept meanwhile, or from the recording), the RTC's match and
 * virtio queue work (done by the notifying vCPU's thread, not the event loop). The RTC and
 * the PTP call count from a fixed epoch in virtual time, virtio-rng draws from the seed. */
#ifndef VMM_DET_H
#define VMM_DET_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "record.h"

/* The guest's wall clock at counter 0 in a deterministic run: 2026-01-01 00:00:00 UTC. */
#define VMM_DET_EPOCH 1767225600ULL

struct vmm_vm;

struct vmm_det {
	bool on;
	pthread_mutex_t lock; /* pending */
	uint8_t pending[4096];
	size_t npending;
	FILE *rec; /* --record */
	bool replaying;
	struct vmm_record replay;
	size_t next; /* the next recorded input */
};

/* Before the backend starts: the recording read and checked against this run (seed and
 * epoch taken from it), or the record file created. 0, or the exit status after a one-line
 * message (VMM_EXIT_USAGE for a bad or mismatched file). */
int vmm_det_prepare(struct vmm_vm *vm);
/* The backend is up: the hook installed, the RTC on virtual time. */
void vmm_det_start(struct vmm_vm *vm);
void vmm_det_close(struct vmm_vm *vm);
/* Console input from stdin (event loop): kept until the next scheduling point. */
size_t vmm_det_input_space(struct vmm_vm *vm);
void vmm_det_input(struct vmm_vm *vm, const uint8_t *buf, size_t n);
/* After an exit, on the vCPU's thread: the virtio queues it notified. */
void vmm_det_devices(struct vmm_vm *vm);

#endif
