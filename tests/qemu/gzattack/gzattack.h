/* The ioctls of gzattack.ko (/dev/gzattack), the malicious host's test-only module: raw host
 * calls to gzhyp with whatever arguments the caller forges, and pages of the host's own. Its
 * mmap maps any physical page at the offset (the PFN's address), as /dev/mem would without
 * STRICT_DEVMEM. Loaded by tests/qemu/host_attack_test.sh only. */
#ifndef GZATTACK_H
#define GZATTACK_H

#include <linux/ioctl.h>
#include <linux/types.h>

struct gzattack_hvc {
	__u64 a[8]; /* in: a[0] function id, a[1..7]; out: a[0] status, a[1..3] results */
};

#define GZATTACK_HVC _IOWR('G', 0xa0, struct gzattack_hvc)
/* Two zeroed pages of the host's own, physically contiguous: their PA in the __u64. */
#define GZATTACK_ALLOC _IOR('G', 0xa1, __u64)

#endif
