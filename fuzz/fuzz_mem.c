/*
 * Fuzz target: memory ownership. The input is a sequence of operations on the checked
 * transition API (host<->hyp donate/return/share/unshare, host stage-2 faults, host->guest
 * lending to normal VMs and donation to protected ones by run, by 2 MiB block and by page
 * list, a normal VM made protected, guest share/unshare/relinquish, batched VM destroy,
 * hypervisor pool use), decoded and checked by the reference model of
 * tests/unit/mem_model.h. Invariants after every step: the store (owner, state, borrower)
 * and every VM's stage-2 equal the model; an operation succeeds exactly when it is legal
 * (table memory aside) and a refused one changes nothing; donated pages returned to the host
 * are zero, lent ones as the guest left them; no page is writable by two owners unless
 * shared or lent, a lent page is lent to one VM only and the host never maps a page a VM
 * owns; nothing is mapped in a VM's stage-2 that it was not given. After the input: every
 * VM destroyed, the pool back at its baseline.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* A pool of 1 MiB: its 250-odd pages hold every table the model's VMs and the host need,
 * and draining it (op 14) or handing it back at the end costs a third of the default's. */
#define MM_WORK_SIZE (1ULL << 20)

#include "../tests/unit/mem_model.h"
#include "harness/cross_check.h"

/* Bound the steps so an input stays fast. */
#define MAX_STEPS 64

static struct mm model;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* One machine's memory for every input: set up again on it, no page faults (mm_run
	 * leaves it as a fresh one). */
	fake_hal_keep_phys(true);
	if (!mm_run_checked(&model, data, size, MAX_STEPS, fuzz_full_checks(data, size))) {
		fprintf(stderr, "fuzz_mem: step %u: %s\n", model.steps, model.err);
		abort();
	}
	return 0;
}
