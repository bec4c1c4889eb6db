/* The few environment facts the portable driver logic needs, for both worlds: the Linux
 * kernel (Kbuild defines __KERNEL__) and a host build (tests, fuzzers, the simulator's
 * in-process driver). Types, errno values and the memory primitives only; everything with
 * side effects goes through struct gzdrv_ops. */
#ifndef GZDRV_COMPAT_H
#define GZDRV_COMPAT_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/errno.h>
#include <linux/string.h>
#else
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <errno.h>
/* Kernel-internal errno values that user space never sees under these names. */
#ifndef ERESTARTSYS
#define ERESTARTSYS 512
#endif
#endif

#define GZDRV_PAGE_SHIFT 12
#define GZDRV_PAGE_SIZE	 (1ULL << GZDRV_PAGE_SHIFT)

#endif
