/*
 * Atomic accesses of the core's shared fields, each naming its memory order. A field that
 * is read or written outside the lock that guards it is accessed through these and only
 * these (never a plain or volatile access), and its rule, written next to it, says which.
 * Freestanding: the compiler's __atomic builtins, inline on every target (the EL2 build has
 * -mno-outline-atomics: LDXR/STXR loops, no library calls).
 *
 *   relaxed  the access itself is atomic, nothing is ordered around it
 *   acquire  later accesses of this CPU see what the CPU that released did before
 *   release  earlier accesses of this CPU are seen by whoever acquires this value
 */
#ifndef GZ_ATOMIC_H
#define GZ_ATOMIC_H

#define gz_atomic_load(p)	      __atomic_load_n((p), __ATOMIC_RELAXED)
#define gz_atomic_load_acquire(p)     __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define gz_atomic_store(p, v)	      __atomic_store_n((p), (v), __ATOMIC_RELAXED)
#define gz_atomic_store_release(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)
/* Read-modify-write, relaxed; the old value is discarded. */
#define gz_atomic_or(p, v)  ((void)__atomic_fetch_or((p), (v), __ATOMIC_RELAXED))
#define gz_atomic_and(p, v) ((void)__atomic_fetch_and((p), (v), __ATOMIC_RELAXED))
/* Read-modify-write, sequentially consistent: ordered with every access of this CPU before
 * and after it, for a handshake in which each side stores and then loads what the other
 * stores (one of them is sure to see the other's store). */
#define gz_atomic_or_seq_cst(p, v) ((void)__atomic_fetch_or((p), (v), __ATOMIC_SEQ_CST))

#endif
