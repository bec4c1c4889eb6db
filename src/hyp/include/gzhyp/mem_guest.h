/*
 * Copies between the hypervisor and a guest's RAM by IPA, for calls whose data the
 * hypervisor carries itself (inter-VM channels, gzhyp/chan.h): the host never sees the
 * bytes, even those of a protected VM. Every page of the range must be mapped in the VM's
 * stage 2 and held by the VM (owned, shared by it, or lent to it); a copy into the guest also
 * needs the page writable there (not a read-only memslot). The whole range is checked before
 * one byte moves, under the memory lock, so a failed copy changes nothing.
 */
#ifndef GZ_MEM_GUEST_H
#define GZ_MEM_GUEST_H

#include <arm64/types.h>
#include <gzhyp/mem.h>

/* Copy @len bytes at guest IPA @ipa into @dst (read) or from @src (write). GZ_OK;
 * GZ_ERR_OUT_OF_RANGE (the range wraps or leaves the IPA space), GZ_ERR_NOT_FOUND (a page is
 * not mapped), GZ_ERR_ACCESS_DENIED (a page read-only to the guest, for a write),
 * GZ_ERR_NOT_ALLOWED (the VM is being destroyed). @len 0 is GZ_OK and touches nothing. */
int gz_mem_guest_read(struct gz_vm_mem *m, gz_ipa_t ipa, void *dst, uint64_t len);
int gz_mem_guest_write(struct gz_vm_mem *m, gz_ipa_t ipa, const void *src, uint64_t len);

#endif
