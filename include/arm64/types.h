/* Basic types and helpers of the Arm layer: only compiler-provided headers, or in the Linux
 * kernel (gzvm.ko includes the register layouts too) the kernel's own types. */
#ifndef GZ_TYPES_H
#define GZ_TYPES_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#endif

typedef uint64_t gz_pa_t;  /* physical address (what the MMU outputs) */
typedef uint64_t gz_ipa_t; /* intermediate physical address (guest "physical") */

#define GZ_PAGE_SHIFT 12
#define GZ_PAGE_SIZE  (1UL << GZ_PAGE_SHIFT)
#define GZ_PAGE_MASK  (~(GZ_PAGE_SIZE - 1))

#define GZ_BIT(n)			 (1UL << (n))
#define GZ_GENMASK(hi, lo)		 ((~0UL >> (63 - (hi))) & (~0UL << (lo)))
#define GZ_FIELD_GET(mask, v)		 (((v) & (mask)) >> __builtin_ctzl(mask))
#define GZ_FIELD_PREP(mask, v)		 (((uint64_t)(v) << __builtin_ctzl(mask)) & (mask))
#define GZ_ALIGN_DOWN(x, a)		 ((x) & ~((uint64_t)(a)-1))
#define GZ_ALIGN_UP(x, a)		 (((x) + ((uint64_t)(a)-1)) & ~((uint64_t)(a)-1))
#define GZ_IS_ALIGNED(x, a)		 (((x) & ((uint64_t)(a)-1)) == 0)
#define GZ_ARRAY_SIZE(a)		 (sizeof(a) / sizeof((a)[0]))
#define GZ_MIN(a, b)			 ((a) < (b) ? (a) : (b))
#define GZ_MAX(a, b)			 ((a) > (b) ? (a) : (b))
#define GZ_CONTAINER_OF(p, type, member) ((type *)((char *)(p) - __builtin_offsetof(type, member)))
#define GZ_UNUSED			 __attribute__((unused))
#define GZ_PACKED			 __attribute__((packed))
#define GZ_STATIC_ASSERT(c, m)		 _Static_assert(c, m)

/* Overflow-checked range end: false when base + size wraps. */
static inline bool gz_range_end(uint64_t base, uint64_t size, uint64_t *end)
{
	return !__builtin_add_overflow(base, size, end);
}

#endif
