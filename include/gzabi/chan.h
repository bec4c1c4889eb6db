/*
 * Hypervisor channels between two VMs (an opengz extension, docs/abi.md "Channels"): the
 * host call that creates one, the guest calls (SMCCC vendor-hypervisor service, SMC64) that
 * send, receive and ask for the state, their return codes and the limits every end can rely
 * on. Shared by gzhyp, the driver, the VMM and the test guests.
 */
#ifndef GZ_CHAN_H
#define GZ_CHAN_H

/* ---- limits ------------------------------------------------------------------------------ */
/* One direction's queue is one hypervisor page: GZ_CHAN_DEPTH slots of GZ_CHAN_MSG_MAX bytes
 * (the pool hands out single pages; a copy of at most 256 bytes keeps a guest call short). */
#define GZ_CHAN_MSG_MAX 256
#define GZ_CHAN_DEPTH	16
/* Channels in the hypervisor at once, and channel ends one VM may hold. */
#define GZ_CHAN_MAX	   32
#define GZ_CHAN_MAX_PER_VM 8

/* ---- host call (driver -> gzhyp), SMC64 fast call of the MTK owner (include/gzabi/hvc.h) -- */
/* CHAN_CREATE(x1 = vm_a, x2 = vm_b, x3 = doorbell INTID in vm_a, x4 = doorbell INTID in vm_b):
 * x1 = the channel id (1..GZ_CHAN_MAX), which both guests use. Function number 0x40: far
 * from gzvm's 0..19, so a later GenieZone call cannot collide with it. */
#define GZ_HVC_FN_CHAN_CREATE 0x40U
#define GZ_HVC_CHAN_CREATE    0xfb001040U

/* CHAN_REGION(x1 = vm_a, x2 = vm_b, x3 = channel id, x4 = PA, x5 = pages, x6 = IPA in vm_a,
 * x7 = IPA in vm_b): the channel's bulk region, host pages [PA, PA + pages) that leave the
 * host and are mapped read/write (never executable) in both VMs, owned by vm_a and borrowed
 * by vm_b, until either VM is destroyed (docs/abi.md "A channel's bulk region"). */
#define GZ_HVC_FN_CHAN_REGION 0x41U
#define GZ_HVC_CHAN_REGION    0xfb001041U
/* Most pages of one region (2 MiB), and regions per channel. */
#define GZ_CHAN_REGION_PAGES_MAX 512

/* ---- guest calls (vendor-hypervisor service, owner 6, SMC64) ------------------------------ */
/* SEND(x1 = channel, x2 = buffer IPA, x3 = length): x0 = status, x1 = messages now queued.
 * RECV(x1 = channel, x2 = buffer IPA, x3 = buffer size): x0 = status, x1 = the message's
 *   length (also with TOO_BIG: the message stays queued), x2 = messages still queued.
 * STATE(x1 = channel): x0 = SUCCESS or PEER_GONE, x1 = messages waiting to be received,
 *   x2 = free slots to send into, x3 = GZ_CHAN_DEPTH << 16 | GZ_CHAN_MSG_MAX.
 * Each is advertised in the vendor FEATURES bitmap (bit = the low 16 bits of the id). */
#define GZ_VENDOR_HYP_CHAN_SEND	 0xc6000030U
#define GZ_VENDOR_HYP_CHAN_RECV	 0xc6000031U
#define GZ_VENDOR_HYP_CHAN_STATE 0xc6000032U
/* Not a guest call: the exit (GZVM_EXIT_HYPERCALL, args[0]) by which gzhyp asks the host to
 * wake the vCPUs of VM args[1], whose doorbell it just rang; the guest's own result is
 * final, nothing is copied back. A guest that issues this id gets NOT_SUPPORTED. */
#define GZ_VENDOR_HYP_CHAN_WAKE 0xc6000033U
/* The id range the channel module answers (function numbers 0x30..0x3f). */
#define GZ_VENDOR_HYP_CHAN_FIRST 0xc6000030U
#define GZ_VENDOR_HYP_CHAN_LAST	 0xc600003fU

/* Return codes in x0 (SMCCC's 0 / -1 / -3 keep their meaning). */
#define GZ_CHAN_RET_SUCCESS	0
#define GZ_CHAN_RET_BUSY	(-4) /* SEND: the queue is full; nothing was sent */
#define GZ_CHAN_RET_EMPTY	(-5) /* RECV: nothing queued */
#define GZ_CHAN_RET_PEER_GONE	(-6) /* the other VM was destroyed; the channel is dead */
#define GZ_CHAN_RET_BAD_CHANNEL (-7) /* no such channel, or the caller is not one of its ends */
#define GZ_CHAN_RET_BAD_ADDRESS                                                                    \
	(-8)			 /* a buffer byte outside the caller's RAM, not its own, not       \
				  * mapped yet, or (RECV) not writable */
#define GZ_CHAN_RET_TOO_BIG (-9) /* SEND: length > GZ_CHAN_MSG_MAX; RECV: buffer too small */

#define GZ_CHAN_STATE_LIMITS ((GZ_CHAN_DEPTH << 16) | GZ_CHAN_MSG_MAX)

#endif
