/* The malicious host's attacks on a running protected VM (the guest pvm_secret), one list for
 * both worlds: the simulator's test program (tests/sim/host_attack.c) issues gzhyp's host
 * calls in-process, the full stack's tool (host_attack.c) through the test-only module
 * gzattack.ko, which issues them with HVC as gzvm.ko would but with forged arguments. Each
 * world says how to make a call, read or write host memory by physical address (the way
 * /dev/mem would: a fault is an answer, not a crash) and allocate a page of its own; the
 * attacks and the transcript they print are the same. */
#ifndef GZ_HATTACK_H
#define GZ_HATTACK_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define HATTACK_PAGE	     4096
#define HATTACK_GUEST_RAM    0x40000000ULL /* gzvmm's guest RAM base (IPA) */
#define HATTACK_SECRET_MAGIC 0x5ec2e75eU   /* high word of every secret word */
#define HATTACK_MAILBOX	     0x31584f424c49414dULL
#define HATTACK_DONE	     0xd0e
/* The mailbox's words (tests/guests/common/secret.h) */
enum {
	HATTACK_MB_MAGIC,
	HATTACK_MB_SELF,
	HATTACK_MB_SECRET,
	HATTACK_MB_PAGES,
	HATTACK_MB_BOUNCE, /* the bounce pool's IPA and pages: 0 without one */
	HATTACK_MB_BOUNCE_PAGES,
	HATTACK_MB_DONE = 8
};

struct hattack_ops {
	void *env;
	/* a[0] = function id, a[1..7] arguments; out: a[0] status, a[1..3] results */
	void (*hvc)(void *env, uint64_t a[8]);
	/* One page at @pa: 0, or -1 when the access faulted (nothing copied or written). */
	int (*read)(void *env, uint64_t pa, void *buf);
	int (*write)(void *env, uint64_t pa, const void *buf, size_t len);
	/* A zeroed page the attacker owns: its physical address, 0 when none is left. */
	uint64_t (*alloc)(void *env);
};

/* What the attacker knows of the victim: the PA behind each page of its RAM as the VMM
 * mapped it (0 where the VMM's mapping has none), a PA inside gzhyp. */
struct hattack_target {
	const uint64_t *pa;
	uint64_t npages;
	uint64_t hyp_pa;
};

struct hattack_found {
	uint16_t vm;	  /* the victim's VM id */
	uint64_t mailbox; /* PA of its mailbox */
	uint64_t secret[64];
	unsigned nsecret;
	uint64_t bounce, bounce_pages; /* IPA and size of its bounce pool, if any */
};

const char *hattack_status(int64_t st);
/* The scan while the guest runs: finds the mailbox (the one readable page holding its magic)
 * and the secret pages it names, reads and writes every page, and every page of the bounce
 * pool the mailbox names. Prints its findings; false if the mailbox cannot be found (nothing
 * else to attack then). */
bool hattack_scan(const struct hattack_ops *o, const struct hattack_target *t,
		  struct hattack_found *f, FILE *out);
/* Every forged host call against the victim VM and a second VM of the attacker's. */
void hattack_calls(const struct hattack_ops *o, const struct hattack_target *t,
		   const struct hattack_found *f, FILE *out);
/* Tells the guest the attacks are over (through its mailbox). */
void hattack_done(const struct hattack_ops *o, const struct hattack_found *f, FILE *out);
/* After the VM is gone: the secret's pages came back to the host scrubbed. */
void hattack_after(const struct hattack_ops *o, const struct hattack_found *f, const char *when,
		   FILE *out);

#endif
