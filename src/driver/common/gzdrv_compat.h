/* SPDX-License-Identifier: GPL-2.0 */
/* The few environment facts the portable driver logic needs, for both worlds: the Linux
 * kernel (Kbuild defines __KERNEL__) and a host build (tests, fuzzers, the simulator's
 * in-process driver). Types, errno values and the memory primitives only; everything with
 * side effects goes through struct gzdrv_ops.
 */
#ifndef GZDRV_COMPAT_H
#define GZDRV_COMPAT_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/errno.h>
#include <linux/string.h>
#include <linux/kernel.h>
#include <asm/byteorder.h>
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

/* Little-endian fields of the shared hwstate page. */
#ifdef __KERNEL__
#define gzdrv_le32(x) le32_to_cpu(x)
#define gzdrv_le64(x) le64_to_cpu(x)
#else
#define gzdrv_le32(x) ((uint32_t)(x))
#define gzdrv_le64(x) ((uint64_t)(x))
#endif

#ifdef __KERNEL__
#define GZDRV_ARRAY_SIZE(a) ARRAY_SIZE(a)
#else
#define GZDRV_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

#define GZDRV_U64_MAX (~(uint64_t)0)

/* A flag one caller at a time claims (true if it was free; acquire) and lets go (release). */
#ifdef __KERNEL__
#include <linux/atomic.h>
#define gzdrv_flag_claim(p)   (!xchg_acquire((p), true))
#define gzdrv_flag_release(p) smp_store_release((p), false)
#else
#define gzdrv_flag_claim(p)   (!__atomic_exchange_n((p), true, __ATOMIC_ACQUIRE))
#define gzdrv_flag_release(p) __atomic_store_n((p), false, __ATOMIC_RELEASE)
#endif

#define GZDRV_PAGE_SHIFT 12
#define GZDRV_PAGE_SIZE	 (1ULL << GZDRV_PAGE_SHIFT)

#endif
