/* The record file of a deterministic run (--record / --replay): what the run cannot derive
 * from its command line, one item a line, as text:
 *
 *     gzvmm-record 1
 *     seed 0                      the scheduler's seed
 *     epoch 1767225600            the guest's wall-clock time (s) at counter 0
 *     cpus 2
 *     input-device pl011          pl011, virtio or none
 *     image 0123456789abcdef      FNV-1a 64 of the kernel (or firmware) file
 *     disk 0 0123456789abcdef     FNV-1a 64 of each disk's contents at the start
 *     input 41 1234567 6869a0     console input: scheduling point, instructions, bytes (hex)
 *
 * Parsing is separate from the files (and fuzzed: fuzz/fuzz_vmm_record.c). */
#ifndef VMM_RECORD_H
#define VMM_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "layout.h"

#define VMM_RECORD_MAGIC     "gzvmm-record 1"
#define VMM_RECORD_MAX_INPUT 4096 /* bytes on one input line */
#define VMM_RECORD_MAX_FILE  (64U << 20)

struct vmm_record_input {
	uint64_t step, insns;
	uint32_t len;
	uint8_t *data;
};

struct vmm_record {
	uint64_t seed, epoch;
	unsigned cpus;
	char input_dev[8];
	uint64_t image_hash;
	unsigned ndisks;
	uint64_t disk_hash[VMM_MAX_DISKS];
	struct vmm_record_input *in;
	size_t nin, cap;
};

/* Parses len bytes of text. 0, or -1 with a one-line message naming the line in err (r is
 * then freed). */
int vmm_record_parse(const char *text, size_t len, struct vmm_record *r, char *err, size_t errlen);
void vmm_record_free(struct vmm_record *r);

/* FNV-1a 64, continued from h (start with VMM_FNV_INIT). */
#define VMM_FNV_INIT 0xcbf29ce484222325ULL
uint64_t vmm_fnv1a(uint64_t h, const void *data, size_t len);

#endif
