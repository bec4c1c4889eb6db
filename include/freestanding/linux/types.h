/* Freestanding stand-in for the kernel's <linux/types.h>, so that include/uapi/linux/gzvm.h
 * builds inside the hypervisor core with no system headers. It defines exactly what the
 * kernel's uapi header defines, under the same include guards, so including the real header
 * as well (before or after this one) is harmless. */
#ifndef _LINUX_TYPES_H
#define _LINUX_TYPES_H

#ifndef _ASM_GENERIC_INT_LL64_H
#define _ASM_GENERIC_INT_LL64_H
typedef __signed__ char __s8;
typedef unsigned char __u8;
typedef __signed__ short __s16;
typedef unsigned short __u16;
typedef __signed__ int __s32;
typedef unsigned int __u32;
__extension__ typedef __signed__ long long __s64;
__extension__ typedef unsigned long long __u64;
#endif

#ifndef __bitwise
#define __bitwise
#endif
#ifndef __bitwise__
#define __bitwise__ __bitwise
#endif

typedef __u16 __bitwise __le16;
typedef __u16 __bitwise __be16;
typedef __u32 __bitwise __le32;
typedef __u32 __bitwise __be32;
typedef __u64 __bitwise __le64;
typedef __u64 __bitwise __be64;
typedef __u16 __bitwise __sum16;
typedef __u32 __bitwise __wsum;

#define __aligned_u64  __u64 __attribute__((aligned(8)))
#define __aligned_be64 __be64 __attribute__((aligned(8)))
#define __aligned_le64 __le64 __attribute__((aligned(8)))

typedef unsigned __bitwise __poll_t;

#endif
