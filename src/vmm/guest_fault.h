/* A fault on guest RAM inside gzvmm: with the gzvm backend the hypervisor takes the pages of
 * a protected VM away from the host (a normal VM's are only lent: the host keeps them), and
 * gzvmm's read of one the guest did not share (a virtqueue, a buffer) ends in SIGBUS. That is
 * the guest's doing, so gzvmm reports the IPA and ends with VMM_EXIT_CRASH instead of dying
 * of the signal. */
#ifndef VMM_GUEST_FAULT_H
#define VMM_GUEST_FAULT_H

#include "guest_mem.h"

/* Catch SIGBUS on the regions of @m (kept by pointer: it must outlive the VM's
 * run); a fault elsewhere still kills the process with the signal. 0, or -1 with errno. */
int vmm_guest_fault_install(const struct vmm_mem *m);
/* Format "gzvmm: ... IPA 0x..." for a fault at @addr into @buf (async-signal-safe); returns
 * the length, 0 if @addr is not in guest RAM. */
size_t vmm_guest_fault_message(const struct vmm_mem *m, const void *addr, char *buf, size_t len);
/* The handler's work: for an address in guest RAM write the message and end through
 * vmm_guest_fault_exit(VMM_EXIT_CRASH) (_exit; tests put their own); otherwise restore
 * the default action of @sig and raise it. */
void vmm_guest_fault_report(int sig, const void *addr);
extern void (*vmm_guest_fault_exit)(int status);

#endif
