/* The malicious host's attacks on a running protected VM, for both worlds (hattack.h). Every
 * line it prints is the same in the simulator and the full stack: statuses by name, counts,
 * never an address. */
#include "hattack.h"

#include <gzabi/hvc.h>
#include <gzabi/status.h>
#include <string.h>
#include <uapi/linux/gzvm.h>

#define SLOT_PAGES 16
#define VM2_GPA	   0x80000000ULL
#define BLOCK_SIZE (2ULL << 20) /* gzhyp's demand-paging block (GZVM_CAP_QUERY_HYP_BATCH_PAGES) */

const char *hattack_status(int64_t st)
{
	static const struct {
		int64_t st;
		const char *name;
	} names[] = {
	    {GZ_OK, "OK"},
	    {GZ_ERR_GENERIC, "GENERIC"},
	    {GZ_ERR_NOT_FOUND, "NOT_FOUND"},
	    {GZ_ERR_NO_MEMORY, "NO_MEMORY"},
	    {GZ_ERR_INVALID_ARGS, "INVALID_ARGS"},
	    {GZ_ERR_ALREADY_EXISTS, "ALREADY_EXISTS"},
	    {GZ_ERR_NOT_ALLOWED, "NOT_ALLOWED"},
	    {GZ_ERR_NOT_SUPPORTED, "NOT_SUPPORTED"},
	    {GZ_ERR_BAD_STATE, "BAD_STATE"},
	    {GZ_ERR_BUSY, "BUSY"},
	    {GZ_ERR_OUT_OF_RANGE, "OUT_OF_RANGE"},
	    {GZ_ERR_FAULT, "FAULT"},
	    {GZ_ERR_NO_RESOURCES, "NO_RESOURCES"},
	    {GZ_ERR_ACCESS_DENIED, "ACCESS_DENIED"},
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].st == st)
			return names[i].name;
	return "UNKNOWN";
}

static int64_t call(const struct hattack_ops *o, uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3,
		    uint64_t a4, uint64_t a5, uint64_t *res)
{
	uint64_t a[8] = {fn, a1, a2, a3, a4, a5, 0, 0};

	o->hvc(o->env, a);
	if (res)
		*res = a[1];
	return (int64_t)a[0];
}

static void report(FILE *out, const char *what, int64_t st)
{
	fprintf(out, "%s: %s\n", what, hattack_status(st));
}

/* The PA behind the victim's IPA, 0 if the VMM's mapping has none. */
static uint64_t ipa_pa(const struct hattack_target *t, uint64_t ipa)
{
	uint64_t i = (ipa - HATTACK_GUEST_RAM) / HATTACK_PAGE;

	if (ipa < HATTACK_GUEST_RAM || i >= t->npages)
		return 0;
	return t->pa[i];
}

static bool holds_secret(const uint64_t *w)
{
	for (unsigned i = 0; i < HATTACK_PAGE / 8; i++)
		if ((uint32_t)(w[i] >> 32) == HATTACK_SECRET_MAGIC)
			return true;
	return false;
}

bool hattack_scan(const struct hattack_ops *o, const struct hattack_target *t,
		  struct hattack_found *f, FILE *out)
{
	static uint64_t page[HATTACK_PAGE / 8];
	unsigned readable_secret = 0, written = 0, holding = 0, mailboxes = 0;
	uint64_t junk = 0x4141414141414141ULL, res;

	memset(f, 0, sizeof(*f));
	for (uint16_t id = 1; id < 256 && !f->vm; id++)
		if (call(o, GZ_HVC_GET_STATISTICS, id, 0, 0, 0, 0, &res) == GZ_OK)
			f->vm = id;
	fprintf(out, "scan: the victim VM %s\n", f->vm ? "found" : "NOT FOUND");
	/* Every page of its RAM: the mailbox is the one readable page with its own address in
	 * it; no readable page may hold a word of the secret. */
	for (uint64_t i = 0; i < t->npages; i++) {
		if (!t->pa[i] || o->read(o->env, t->pa[i], page))
			continue;
		if (page[HATTACK_MB_MAGIC] == HATTACK_MAILBOX &&
		    page[HATTACK_MB_SELF] == HATTACK_GUEST_RAM + i * HATTACK_PAGE) {
			mailboxes++;
			f->mailbox = t->pa[i];
			f->nsecret = (unsigned)page[HATTACK_MB_PAGES];
			if (f->nsecret > 64)
				f->nsecret = 64;
			for (unsigned p = 0; p < f->nsecret; p++)
				f->secret[p] =
				    ipa_pa(t, page[HATTACK_MB_SECRET] + (uint64_t)p * HATTACK_PAGE);
			f->bounce = page[HATTACK_MB_BOUNCE];
			f->bounce_pages = page[HATTACK_MB_BOUNCE_PAGES];
		}
		holding += holds_secret(page);
	}
	fprintf(out, "scan: mailbox pages readable: %u\n", mailboxes);
	if (mailboxes != 1 || !f->vm)
		return false;
	fprintf(out, "scan: the mailbox names %u secret pages\n", f->nsecret);
	fprintf(out, "scan: readable pages holding the secret: %u\n", holding);
	for (unsigned p = 0; p < f->nsecret; p++) {
		readable_secret += f->secret[p] && !o->read(o->env, f->secret[p], page);
		written += f->secret[p] && !o->write(o->env, f->secret[p], &junk, sizeof(junk));
	}
	fprintf(out, "scan: secret pages read: %u of %u\n", readable_secret, f->nsecret);
	fprintf(out, "scan: secret pages written: %u of %u\n", written, f->nsecret);
	if (f->bounce_pages) {
		uint64_t bounce_read = 0;

		for (uint64_t p = 0; p < f->bounce_pages; p++) {
			uint64_t pa = ipa_pa(t, f->bounce + p * HATTACK_PAGE);

			bounce_read += pa && !o->read(o->env, pa, page);
		}
		fprintf(out, "scan: bounce pool pages read: %llu of %llu\n",
			(unsigned long long)bounce_read, (unsigned long long)f->bounce_pages);
	}
	return true;
}

/* A memory-region descriptor in a page of the attacker's: @npages at @gpa of slot 0, made of
 * @nc constituents. */
static uint64_t region(const struct hattack_ops *o, uint64_t gpa, uint64_t npages,
		       const uint64_t *pas, unsigned nc)
{
	static uint8_t buf[HATTACK_PAGE];
	struct gzvm_memory_region_ranges *r = (void *)buf;
	uint64_t pa = o->alloc(o->env);

	memset(buf, 0, sizeof(buf));
	r->slot = 0;
	r->constituent_cnt = nc;
	r->total_pages = npages;
	r->gpa = gpa;
	for (unsigned i = 0; i < nc; i++)
		r->constituents[i] = (struct mem_region_addr_range){pas[i], 1, 0};
	if (pa)
		o->write(o->env, pa, buf, sizeof(buf));
	return pa;
}

static int64_t destroy(const struct hattack_ops *o, uint64_t vm)
{
	int64_t st;
	unsigned n = 0;

	do
		st = call(o, GZ_HVC_DESTROY_VM, vm, 0, 0, 0, 0, NULL);
	while (st == GZ_ERR_BUSY && ++n < 100000);
	return st;
}

void hattack_calls(const struct hattack_ops *o, const struct hattack_target *t,
		   const struct hattack_found *f, FILE *out)
{
	const uint64_t victim = f->vm, secret = f->secret[0], hyp = t->hyp_pa;
	const uint64_t vcpu0 = gz_hvc_tuple(f->vm, 0);
	uint64_t vm2 = 0, vm3 = 0, res = 0, own[4], pfns[2];
	const uint64_t victim_gfn = (HATTACK_GUEST_RAM >> 12) + 0x6000; /* 96 MiB in: untouched */
	int64_t st;

	for (unsigned i = 0; i < 4; i++)
		own[i] = o->alloc(o->env);
	/* the protected vCPU's registers, while it runs */
	st = call(o, GZ_HVC_GET_ONE_REG, vcpu0, GZVM_REG_CORE_PC, 0, 0, 0, &res);
	report(out, "GET_ONE_REG of the running protected vCPU", st);
	fprintf(out, "  value returned: %s\n", res ? "SOMETHING" : "nothing");
	report(out, "SET_ONE_REG of its pc",
	       call(o, GZ_HVC_SET_ONE_REG, vcpu0, GZVM_REG_CORE_PC, 0x40000000, 0, 0, NULL));
	report(
	    out, "GET_ONE_REG of a vCPU it does not have",
	    call(o, GZ_HVC_GET_ONE_REG, gz_hvc_tuple(f->vm, 7), GZVM_REG_CORE_PC, 0, 0, 0, NULL));
	report(out, "SET_PROTECTED_VM on it again",
	       call(o, GZ_HVC_ENABLE_CAP, victim, GZVM_CAP_PROTECTED_VM,
		    GZVM_CAP_PVM_SET_PROTECTED_VM, 0, 0, NULL));

	/* its private pages given again: to itself at another IPA, to a second VM */
	report(out, "MAP_GUEST of a secret page into the victim at another IPA",
	       call(o, GZ_HVC_MAP_GUEST, victim, 0, secret >> 12, victim_gfn, 1, NULL));
	report(out, "MAP_GUEST of gzhyp's memory into the victim",
	       call(o, GZ_HVC_MAP_GUEST, victim, 0, hyp >> 12, victim_gfn, 1, NULL));
	st = call(o, GZ_HVC_CREATE_VM, 0, 0, 0, 0, 0, &vm2);
	report(out, "CREATE_VM of a second VM", st);
	if (st != GZ_OK)
		return;
	report(out, "  its demand paging",
	       call(o, GZ_HVC_ENABLE_CAP, vm2, GZVM_CAP_ENABLE_DEMAND_PAGING, 0, 0, 0, NULL));
	report(out, "  its slot of 16 pages",
	       call(o, GZ_HVC_SET_MEMREGION, vm2, HATTACK_PAGE,
		    region(o, VM2_GPA, SLOT_PAGES, NULL, 0), 0, 0, NULL));
	report(out, "MAP_GUEST of a secret page into the second VM",
	       call(o, GZ_HVC_MAP_GUEST, vm2, 0, secret >> 12, VM2_GPA >> 12, 1, NULL));
	report(out, "MAP_GUEST of the mailbox (shared) into the second VM",
	       call(o, GZ_HVC_MAP_GUEST, vm2, 0, f->mailbox >> 12, VM2_GPA >> 12, 1, NULL));
	report(out, "MAP_GUEST of gzhyp's memory into the second VM",
	       call(o, GZ_HVC_MAP_GUEST, vm2, 0, hyp >> 12, VM2_GPA >> 12, 1, NULL));
	/* double donation: a page of the host's own, lent once, given again */
	report(out, "MAP_GUEST of a page of its own into the second VM",
	       call(o, GZ_HVC_MAP_GUEST, vm2, 0, own[0] >> 12, VM2_GPA >> 12, 1, NULL));
	report(out, "  the same page again at another IPA",
	       call(o, GZ_HVC_MAP_GUEST, vm2, 0, own[0] >> 12, (VM2_GPA >> 12) + 1, 1, NULL));
	report(out, "  the same page into the victim",
	       call(o, GZ_HVC_MAP_GUEST, victim, 0, own[0] >> 12, victim_gfn, 1, NULL));
	report(out, "  the same page as a vCPU's run page",
	       call(o, GZ_HVC_CREATE_VCPU, gz_hvc_tuple((uint16_t)vm2, 3), own[0], 0, 0, 0, NULL));
	/* block demand paging with a forged PFN list */
	report(out, "  its PFN buffer for block mapping",
	       call(o, GZ_HVC_ENABLE_CAP, vm2, GZVM_CAP_BLOCK_BASED_DEMAND_PAGING, BLOCK_SIZE,
		    own[1], 0, NULL));
	pfns[0] = secret >> 12;
	pfns[1] = secret >> 12;
	o->write(o->env, own[1], pfns, sizeof(pfns));
	report(out, "MAP_GUEST_BLOCK with a PFN list naming a secret page",
	       call(o, GZ_HVC_MAP_GUEST_BLOCK, vm2, 0, (VM2_GPA >> 12) + 2, 1, 0, NULL));
	pfns[0] = hyp >> 12;
	o->write(o->env, own[1], pfns, sizeof(pfns));
	report(out, "MAP_GUEST_BLOCK with a PFN list pointing into gzhyp",
	       call(o, GZ_HVC_MAP_GUEST_BLOCK, vm2, 0, (VM2_GPA >> 12) + 2, 1, 0, NULL));
	pfns[0] = own[3] >> 12;
	o->write(o->env, own[1], pfns, sizeof(pfns));
	report(out, "  a PFN list naming a page of its own",
	       call(o, GZ_HVC_MAP_GUEST_BLOCK, vm2, 0, (VM2_GPA >> 12) + 4, 1, 0, NULL));
	report(out, "a PFN buffer in gzhyp",
	       call(o, GZ_HVC_ENABLE_CAP, vm2, GZVM_CAP_BLOCK_BASED_DEMAND_PAGING, BLOCK_SIZE, hyp,
		    0, NULL));
	report(out, "a PFN buffer on a secret page",
	       call(o, GZ_HVC_ENABLE_CAP, vm2, GZVM_CAP_BLOCK_BASED_DEMAND_PAGING, BLOCK_SIZE,
		    secret, 0, NULL));

	/* a third VM's memory region made of the victim's pages, or read from gzhyp */
	st = call(o, GZ_HVC_CREATE_VM, 0, 0, 0, 0, 0, &vm3);
	report(out, "CREATE_VM of a third VM", st);
	if (st == GZ_OK) {
		report(out, "SET_MEMREGION over a secret page",
		       call(o, GZ_HVC_SET_MEMREGION, vm3, HATTACK_PAGE,
			    region(o, VM2_GPA, 1, &secret, 1), 0, 0, NULL));
		report(out, "SET_MEMREGION over gzhyp's memory",
		       call(o, GZ_HVC_SET_MEMREGION, vm3, HATTACK_PAGE,
			    region(o, VM2_GPA, 1, &hyp, 1), 0, 0, NULL));
		report(out, "SET_MEMREGION with its descriptor in gzhyp",
		       call(o, GZ_HVC_SET_MEMREGION, vm3, HATTACK_PAGE, hyp, 0, 0, NULL));
		report(out, "SET_MEMREGION with its descriptor on a secret page",
		       call(o, GZ_HVC_SET_MEMREGION, vm3, HATTACK_PAGE, secret, 0, 0, NULL));
		report(out, "DESTROY_VM of the third VM", destroy(o, vm3));
	}

	/* host -> hypervisor shares (a vCPU's run page) out of order */
	report(out, "CREATE_VCPU with its run page on a secret page",
	       call(o, GZ_HVC_CREATE_VCPU, gz_hvc_tuple((uint16_t)vm2, 0), secret, 0, 0, 0, NULL));
	report(out, "CREATE_VCPU with its run page in gzhyp",
	       call(o, GZ_HVC_CREATE_VCPU, gz_hvc_tuple((uint16_t)vm2, 0), hyp, 0, 0, 0, NULL));
	report(
	    out, "CREATE_VCPU with its run page on the mailbox",
	    call(o, GZ_HVC_CREATE_VCPU, gz_hvc_tuple((uint16_t)vm2, 0), f->mailbox, 0, 0, 0, NULL));
	report(out, "CREATE_VCPU with a run page of its own",
	       call(o, GZ_HVC_CREATE_VCPU, gz_hvc_tuple((uint16_t)vm2, 0), own[2], 0, 0, 0, NULL));
	report(out, "  a second vCPU on the same run page",
	       call(o, GZ_HVC_CREATE_VCPU, gz_hvc_tuple((uint16_t)vm2, 1), own[2], 0, 0, 0, NULL));
	report(out, "  that page lent to the second VM",
	       call(o, GZ_HVC_MAP_GUEST, vm2, 0, own[2] >> 12, (VM2_GPA >> 12) + 3, 1, NULL));
	report(out, "DESTROY_VCPU of a vCPU never created",
	       call(o, GZ_HVC_DESTROY_VCPU, gz_hvc_tuple((uint16_t)vm2, 5), 0, 0, 0, 0, NULL));
	report(out, "DESTROY_VCPU of its vCPU",
	       call(o, GZ_HVC_DESTROY_VCPU, gz_hvc_tuple((uint16_t)vm2, 0), 0, 0, 0, 0, NULL));
	report(out, "  again (unshared twice)",
	       call(o, GZ_HVC_DESTROY_VCPU, gz_hvc_tuple((uint16_t)vm2, 0), 0, 0, 0, 0, NULL));
	report(out, "DESTROY_VCPU of a vCPU of another VM's id",
	       call(o, GZ_HVC_DESTROY_VCPU, gz_hvc_tuple(0xfff0, 0), 0, 0, 0, 0, NULL));
	report(out, "DESTROY_VM of an id never given",
	       call(o, GZ_HVC_DESTROY_VM, 0xfff0, 0, 0, 0, 0, NULL));
	report(out, "DESTROY_VM with a batch past the limit",
	       call(o, GZ_HVC_DESTROY_VM, victim, 1ULL << 40, 0, 0, 0, NULL));
	report(out, "DESTROY_VM of the second VM", destroy(o, vm2));
	report(out, "  a call on it afterwards",
	       call(o, GZ_HVC_MAP_GUEST, vm2, 0, own[3] >> 12, VM2_GPA >> 12, 1, NULL));
}

void hattack_done(const struct hattack_ops *o, const struct hattack_found *f, FILE *out)
{
	uint64_t done = HATTACK_DONE;

	fprintf(out, "tell the guest: %s\n",
		o->write(o->env, f->mailbox + HATTACK_MB_DONE * 8, &done, sizeof(done))
		    ? "REFUSED"
		    : "written to the mailbox");
}

void hattack_after(const struct hattack_ops *o, const struct hattack_found *f, const char *when,
		   FILE *out)
{
	static uint64_t page[HATTACK_PAGE / 8];
	unsigned readable = 0, holding = 0;

	for (unsigned p = 0; p < f->nsecret; p++) {
		if (!f->secret[p] || o->read(o->env, f->secret[p], page))
			continue;
		readable++;
		holding += holds_secret(page);
	}
	fprintf(out, "%s: secret pages read: %u of %u, holding the secret: %u\n", when, readable,
		f->nsecret, holding);
}
