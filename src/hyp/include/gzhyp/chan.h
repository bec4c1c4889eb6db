/*
 * Inter-VM channels (include/gzabi/chan.h has the ABI): a fixed table of channels in the
 * hypervisor's memory, each joining two VMs with one bounded queue per direction. A queue is
 * one pool page of GZ_CHAN_DEPTH slots; the hypervisor copies each message from the sender's
 * RAM into a slot and from the slot into the receiver's RAM (gzhyp/mem_guest.h), so the
 * host never handles the bytes. Each end has a doorbell SPI in its VM, pulsed when its
 * incoming queue becomes non-empty and when its outgoing queue stops being full.
 *
 *   FREE --gz_chan_create--> OPEN --either VM destroyed--> DEAD --the other destroyed--> FREE
 *
 * DEAD: the queues are scrubbed and their pages back in the pool, the region (if the host
 * gave the channel one) unmapped from both VMs and scrubbed back to the host, the surviving
 * end gets PEER_GONE from every call and one doorbell. Only the host creates channels; guests only
 * use the ends they were given.
 *
 * Locking: one lock for the table, taken by every call below and held while a message is
 * copied and a doorbell rung. Order: channel lock -> memory lock, and channel lock -> a
 * VM's vGIC lock -> that VM's lock (the doorbell's kick). Nothing calls in here holding
 * any of those.
 */
#ifndef GZ_CHAN_CORE_H
#define GZ_CHAN_CORE_H

#include <arm64/types.h>
#include <gzabi/chan.h>

struct gz_vm;

/* The outcome of a guest call: x0..x3 for the guest, and a VM whose doorbell rang (0: none)
 * and whose sleeping vCPUs the host should wake. */
struct gz_chan_result {
	int64_t ret;
	uint64_t r[3];
	uint16_t wake_vm;
};

/* Empty the table (gz_core_init). */
void gz_chan_table_init(void);
/* CHAN_CREATE: a channel between @a and @b (distinct live VMs, not being destroyed) with
 * doorbell INTIDs @intid_a in @a and @intid_b in @b (SPIs of the VMs' vGIC, each not the
 * doorbell of another channel end the VM holds). GZ_OK and *@id; GZ_ERR_INVALID_ARGS,
 * GZ_ERR_BAD_STATE (a VM being destroyed), GZ_ERR_ALREADY_EXISTS (doorbell taken),
 * GZ_ERR_NO_RESOURCES (table full, a VM holds GZ_CHAN_MAX_PER_VM ends, or a queue page would
 * pass its sending VM's quota: each is charged to that VM), GZ_ERR_NO_MEMORY (pool empty);
 * nothing kept either way. */
int gz_chan_create(struct gz_vm *a, struct gz_vm *b, uint64_t intid_a, uint64_t intid_b,
		   uint32_t *id);
/* CHAN_REGION: the bulk region of channel @id, which joins @a and @b: host pages [pa, pa + nr
 * pages) owned by @a and borrowed by @b, mapped at @ipa_a in @a and @ipa_b in @b (the
 * two-VM share of gzhyp/mem.h, pair slot = the channel's index). GZ_OK; GZ_ERR_INVALID_ARGS
 * (@a is @b, @nr 0 or over GZ_CHAN_REGION_PAGES_MAX, an unaligned address),
 * GZ_ERR_NOT_FOUND (no channel @id between @a and @b), GZ_ERR_BAD_STATE (a VM being
 * destroyed), GZ_ERR_NO_RESOURCES (the channel has its region already),
 * GZ_ERR_ALREADY_EXISTS (an IPA range meets a memslot, the vGIC's frames, another region or
 * anything mapped), and gz_mem_host_give_pair's page and range errors; nothing kept. */
int gz_chan_region(struct gz_vm *a, struct gz_vm *b, uint64_t id, gz_pa_t pa, uint64_t nr,
		   gz_ipa_t ipa_a, gz_ipa_t ipa_b);
/* @vm is being destroyed (DESTROY_VM's first call): every channel it holds dies (queues
 * scrubbed and freed, its region unmapped from both VMs and scrubbed back to the host, the
 * peer's doorbell rung) or, already dead, is freed. */
void gz_chan_vm_gone(struct gz_vm *vm);

/* The guest calls of GZ_VENDOR_HYP_CHAN_* for @vm (include/gzabi/chan.h). */
void gz_chan_send(struct gz_vm *vm, uint64_t id, gz_ipa_t ipa, uint64_t len,
		  struct gz_chan_result *res);
void gz_chan_recv(struct gz_vm *vm, uint64_t id, gz_ipa_t ipa, uint64_t size,
		  struct gz_chan_result *res);
void gz_chan_state(struct gz_vm *vm, uint64_t id, struct gz_chan_result *res);

/* For invariant checks: channels not FREE, pool pages the queues hold, and host pages the
 * regions hold. */
unsigned gz_chan_count(void);
uint64_t gz_chan_pages(void);
uint64_t gz_chan_region_pages(void);

#endif
