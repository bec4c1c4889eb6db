/* The channel calls of the vendor-hypervisor service (include/gzabi/chan.h), for smccc.c's
 * dispatch: which ids are the channel module's, the FEATURES bits it adds, and the call. */
#ifndef GZ_CHAN_GUEST_H
#define GZ_CHAN_GUEST_H

#include <arm64/types.h>
#include <gzhyp/exit.h>

struct gz_vcpu;

/* Whether @fid is in the channel module's range (GZ_VENDOR_HYP_CHAN_FIRST..LAST). */
bool gz_chan_guest_owns(uint32_t fid);
/* The FEATURES bits of SEND, RECV and STATE. */
uint64_t gz_chan_guest_features(void);
/* Answer channel call @fid: results in x0..x3 (ids of the range that are no call:
 * NOT_SUPPORTED). GZ_EXIT_TO_HOST with a GZ_VENDOR_HYP_CHAN_WAKE hypercall exit when a
 * doorbell rang in another VM, else GZ_EXIT_RESUME. */
enum gz_exit_action gz_chan_guest_call(struct gz_vcpu *v, uint32_t fid);

#endif
