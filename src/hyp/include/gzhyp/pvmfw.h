/*
 * Booting a protected VM through pvmfw (include/gzabi/pvmfw.h): the platform's trusted key,
 * which gzhyp gets from its own boot and never from the host; each VM's firmware as
 * SET_PVMFW_GPA took it (where, how big, its SHA-256); the redirection of the VM's first
 * vCPU into the firmware; and the firmware's guest calls (KEY, REFUSE, RAM; HANDOVER and
 * ATTEST go on to gzhyp/attest.h).
 */
#ifndef GZ_PVMFW_CORE_H
#define GZ_PVMFW_CORE_H

#include <arm64/types.h>
#include <gzhyp/exit.h>

struct gz_vm;
struct gz_vcpu;

/* One VM's firmware, in struct gz_vm under its lock. size 0: the VM boots without one. */
struct gz_pvmfw {
	gz_ipa_t gpa;	    /* the image's first byte */
	uint64_t size;	    /* image bytes (the header's image_size), what was measured */
	uint64_t entry;	    /* IPA of its entry point */
	uint8_t sha256[32]; /* of the image's bytes as gzhyp read them, the host locked out */
	bool entered;	    /* a vCPU was started in it */
	uint32_t refused;   /* the REFUSE code the firmware reported, 0 if none */
	gz_ipa_t dice;	    /* the DICE handover page: the slot's last */
	bool handed_over;   /* HANDOVER done: measure[] holds kernel, initrd, configuration */
	uint8_t measure[3][32];
};

/* The platform's trusted Ed25519 public key (gzhyp's boot configuration: the EL2 port's
 * command line, the simulator's platform option), set before the host runs; NULL forgets
 * it. Never reachable from a host call. */
void gz_pvmfw_set_platform_key(const uint8_t key[32]);
/* Copies it to @out: false when the platform has none. */
bool gz_pvmfw_platform_key(uint8_t out[32]);

/* SET_PVMFW_GPA(@gpa) on a VM in CREATED (the VM's lock NOT held): @gpa page aligned, in the
 * IPA space, inside a PROTECT_FW memslot whose pages are all mapped in the VM (the driver
 * populates it first); the image's header valid (gzabi/pvmfw.h) and the image inside the
 * slot. Then the VM becomes protected (gz_vm_set_kind: the host loses the firmware's pages),
 * the image is read again and measured from the VM's own memory, and the first RUN enters
 * it. GZ_OK; GZ_ERR_INVALID_ARGS (place, header), GZ_ERR_NOT_FOUND (a page of the image not
 * mapped), GZ_ERR_BAD_STATE (the VM ran, or has a firmware already). A refusal before the VM
 * became protected changes nothing. */
int gz_pvmfw_set_gpa(struct gz_vm *vm, gz_ipa_t gpa);
/* GET_PVMFW_SIZE: the image's size, 0 before SET_PVMFW_GPA. */
uint64_t gz_pvmfw_size(struct gz_vm *vm);

/* The VM's first RUN, on the vCPU @v that makes it RUNNING, the VM's lock held: with a
 * firmware, reset @v into its entry (x0 kept, x1 = the PC the host set). */
void gz_pvmfw_first_run(struct gz_vm *vm, struct gz_vcpu *v);

/* Guest calls GZ_VENDOR_HYP_PVMFW_FIRST..LAST. */
bool gz_pvmfw_guest_owns(uint32_t fid);
uint64_t gz_pvmfw_guest_features(void);
enum gz_exit_action gz_pvmfw_guest_call(struct gz_vcpu *v, uint32_t fid);

#endif
