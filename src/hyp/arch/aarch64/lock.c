/* Ticket lock on LDAXR/STLR: FIFO fairness between physical CPUs. A waiter sleeps in WFE
 * with the exclusive monitor armed on the owner field; the unlocking store-release clears
 * that monitor and so wakes it. (Before mmu.c turns the MMU on, memory is Device-typed: QEMU
 * implements exclusives there, real cores need the normal cacheable memory of the EL2 map.) */
#include <hal.h>

void gz_hal_lock(gz_lock_t *lock)
{
	uint32_t ticket, owner;

	ticket = __atomic_fetch_add(&lock->next, 1U, __ATOMIC_RELAXED);
	__asm__ volatile("sevl\n"
			 "1:	wfe\n\t"
			 "	ldaxr	%w[o], [%[own]]\n\t"
			 "	cmp	%w[o], %w[t]\n\t"
			 "	b.ne	1b"
			 : [o] "=&r"(owner)
			 : [own] "r"(&lock->owner), [t] "r"(ticket)
			 : "cc", "memory");
}

void gz_hal_unlock(gz_lock_t *lock)
{
	__atomic_store_n(&lock->owner, lock->owner + 1U, __ATOMIC_RELEASE);
}
