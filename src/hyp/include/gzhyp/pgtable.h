/*
 * The page-table engine: one walker with visitor callbacks over ARMv8-A VMSA tables with a
 * 4 KiB granule, serving map, unmap, protect, translate, split and collapse. The descriptor
 * format (stage 2 of a VM, or gzhyp's own EL2 stage 1) sits behind struct gz_pgt_fmt, so both
 * share the walker. Table pages come only from injected memory ops (the hypervisor's page
 * pool); physical <-> virtual goes through gz_hal_pa_to_va / gz_hal_va_to_pa.
 *
 * Locking: a struct gz_pgt is not locked here; its owner (the VM, the memory module) holds
 * its lock around every call. Translate only reads.
 *
 * Semantics shared by every call:
 *  - addresses and sizes are multiples of 4 KiB, size > 0, and [addr, addr + size) lies
 *    inside the input address range; otherwise GZ_ERR_INVALID_ARGS and nothing changes.
 *  - a call that needs table pages (map, or a split in unmap/protect) first counts them and
 *    allocates them all, then applies the change; when the memory ops run dry it frees what
 *    it took, returns GZ_ERR_NO_MEMORY and the tables are exactly as before.
 *  - every change of a live valid descriptor is break-before-make: write invalid, DSB, TLBI
 *    (by address and level, or the whole VMID when a call would otherwise issue more than
 *    GZ_PGT_TLBI_RANGE_MAX by-address invalidations), DSB, write the new descriptor.
 */
#ifndef GZ_PGTABLE_H
#define GZ_PGTABLE_H

#include <arm64/types.h>

/* Access permissions and memory type of a mapping. R/W/X may be combined freely for stage 2
 * (S2AP none/RO/WO/RW, XN); EL2 stage 1 requires R and rejects W without R. */
#define GZ_PROT_R      (1u << 0)
#define GZ_PROT_W      (1u << 1)
#define GZ_PROT_X      (1u << 2)
#define GZ_PROT_DEVICE (1u << 3) /* device nGnRE (never with X); else normal WB */
#define GZ_PROT_RW     (GZ_PROT_R | GZ_PROT_W)
#define GZ_PROT_RWX    (GZ_PROT_R | GZ_PROT_W | GZ_PROT_X)
#define GZ_PROT_MASK   (GZ_PROT_RWX | GZ_PROT_DEVICE)

/* Sizes the engine maps with: the largest that alignment (of both addresses) and size allow. */
#define GZ_PGT_LEVELS	4 /* levels 0..3 */
#define GZ_PGT_ENTRIES	512
#define GZ_PGT_BLOCK_1G (1ULL << 30)
#define GZ_PGT_BLOCK_2M (1ULL << 21)
/* Above this many by-address TLBIs in one unmap or protect, the call breaks every entry
 * first, issues one TLBI of the whole VMID, then makes them (formats with tlbi_all only).
 * The figure is a judgement, not a measurement (the fake HAL cannot price a TLBI): Linux
 * arm64 gives up on by-address invalidation at 512 operations; a stage-2 VMID flush costs
 * only one guest's refills, so the engine switches earlier. A split invalidates its block
 * by address before making the table. A collapse breaks every qualifying table of one level,
 * flushes the VMID once, then makes the blocks (by address, 512 per table, without
 * tlbi_all). A table freed by unmap is invalidated by address with the level of its table
 * descriptor: a hint at most; a HAL using FEAT_TTL must not turn it into a leaf-level TTL. */
#define GZ_PGT_TLBI_RANGE_MAX 64

/* Where table pages come from. zalloc_page returns one zeroed, 4 KiB-aligned page in the
 * hypervisor's linear map (gz_hal_va_to_pa valid on it), or NULL when the pool is empty.
 * zalloc_contig/free_contig are optional: @nr (2..16, a power of two) zeroed contiguous pages
 * aligned to nr * 4 KiB, for a stage-2 root of concatenated tables. Without them the engine
 * starts one level deeper instead of concatenating. */
struct gz_pgt_mm_ops {
	void *(*zalloc_page)(void *ctx);
	void (*free_page)(void *ctx, void *va);
	void *(*zalloc_contig)(void *ctx, unsigned nr);
	void (*free_contig)(void *ctx, void *va, unsigned nr);
	void *ctx;
};

struct gz_pgt;

/* A descriptor format. Both formats share the VMSA skeleton (valid bit, table/page bit,
 * output address [47:12]); they differ in the attribute bits and in the TLB maintenance. */
struct gz_pgt_fmt {
	const char *name;
	/* Is @prot expressible in this format? */
	bool (*prot_ok)(uint32_t prot);
	/* Attribute bits (everything but valid, type and output address) of a leaf. */
	uint64_t (*leaf_attrs)(uint32_t prot);
	/* GZ_PROT_* of a valid leaf descriptor. */
	uint32_t (*leaf_prot)(uint64_t desc);
	/* Invalidate the TLB entries for @addr whose leaf (or table) sat at @level. */
	void (*tlbi_addr)(const struct gz_pgt *pgt, uint64_t addr, unsigned level);
	/* Invalidate everything of this table (whole VMID); NULL: always by address. */
	void (*tlbi_all)(const struct gz_pgt *pgt);
};

extern const struct gz_pgt_fmt gz_s2pt_fmt;	/* stage 2 of a VM (s2pt.c) */
extern const struct gz_pgt_fmt gz_s1pt_el2_fmt; /* gzhyp's EL2 stage 1 (s1pt_el2.c) */

struct gz_pgt {
	gz_pa_t root_pa;     /* what VTTBR/TTBR0 point at */
	uint64_t *root;	     /* the same, in the hypervisor's linear map */
	uint8_t ia_bits;     /* input address size: IPA (stage 2) or VA (EL2 stage 1) */
	uint8_t pa_bits;     /* output address size */
	uint8_t start_level; /* 0..2 */
	uint8_t nr_roots;    /* concatenated start-level tables: 1, 2, 4, 8 or 16 */
	/* tag for TLB maintenance (stage 2). A guest's changes at VMID rollover while other
	 * vCPUs of it run (gz_s2pt_set_vmid): [atomic] relaxed, every access after init */
	uint16_t vmid;
	const struct gz_pgt_fmt *fmt;
	struct gz_pgt_mm_ops mm; /* copied at init */
	uint64_t nr_table_pages; /* table pages in use, root included */
};

/* Generic init for a format (the s2pt/s1pt_el2 inits call it): validates @ia_bits against
 * the levels and allocates the root. GZ_ERR_INVALID_ARGS, GZ_ERR_NO_MEMORY. */
int gz_pgt_init(struct gz_pgt *pgt, const struct gz_pgt_fmt *fmt, unsigned ia_bits,
		unsigned pa_bits, unsigned start_level, unsigned nr_roots,
		const struct gz_pgt_mm_ops *mm);
/* Free every table page (the root too). Mappings vanish without TLB maintenance: the caller
 * flushes the VMID (or the EL2 TLB) before reusing it. The struct is zeroed. */
void gz_pgt_destroy(struct gz_pgt *pgt);

/* Map [ia, ia + size) to [pa, pa + size) with @prot, using the largest blocks possible.
 * A part already mapped to exactly the same PA with the same prot is left as it is (so two
 * vCPUs faulting on one page both succeed); any other existing mapping in the range fails
 * the whole call with GZ_ERR_ALREADY_EXISTS and changes nothing (unmap or protect first).
 * @pa must be below 2^pa_bits. Errors: GZ_ERR_INVALID_ARGS, GZ_ERR_ALREADY_EXISTS,
 * GZ_ERR_NO_MEMORY. */
int gz_pgt_map(struct gz_pgt *pgt, uint64_t ia, gz_pa_t pa, uint64_t size, uint32_t prot);
/* Unmap whatever is mapped in the range (holes are fine), splitting blocks the range cuts
 * and freeing tables that become empty (never the root). GZ_ERR_INVALID_ARGS,
 * GZ_ERR_NO_MEMORY (a split needed a table page; nothing changed). */
int gz_pgt_unmap(struct gz_pgt *pgt, uint64_t ia, uint64_t size);
/* Set the prot (permissions and memory type) of every valid mapping in the range; holes
 * stay holes. Splits blocks the range cuts. GZ_ERR_INVALID_ARGS, GZ_ERR_NO_MEMORY. */
int gz_pgt_protect(struct gz_pgt *pgt, uint64_t ia, uint64_t size, uint32_t prot);
/* Translate one address: output address (with the page offset of @ia), prot and the level
 * of the leaf. GZ_ERR_NOT_FOUND when unmapped, GZ_ERR_INVALID_ARGS when out of range. Any
 * out pointer may be NULL. */
int gz_pgt_translate(const struct gz_pgt *pgt, uint64_t ia, gz_pa_t *pa, uint32_t *prot,
		     unsigned *level);
/* Turn tables back into blocks wherever a whole, aligned block-sized part of the range is
 * mapped by one table of leaves that are valid, physically contiguous and share one prot
 * (bottom-up, so 4 KiB pages can become a 1 GiB block). Frees the tables. Parts that do not
 * qualify stay as they are. GZ_ERR_INVALID_ARGS only. */
int gz_pgt_collapse(struct gz_pgt *pgt, uint64_t ia, uint64_t size);

/* Told of every change map, unmap, protect, collapse and destroy are about to make, before
 * they make it: the table and the input range (the incremental invariant check of tests and
 * fuzzers, gzhyp/mem_track.h, reads what is still mapped there; none on gzhyp). A call that
 * then fails changes nothing. NULL @fn: none. */
typedef void (*gz_pgt_observer_fn)(struct gz_pgt *pgt, uint64_t ia, uint64_t size, void *arg);
void gz_pgt_set_observer(gz_pgt_observer_fn fn, void *arg);

/* Bytes of table memory in use (the statistics of a VM). */
static inline uint64_t gz_pgt_table_bytes(const struct gz_pgt *pgt)
{
	return pgt->nr_table_pages * GZ_PAGE_SIZE;
}

/* ---- the walker itself, for modules that need to scan tables ------------------------- */

enum gz_pgt_visit_flags {
	GZ_PGT_VISIT_LEAF = 1u << 0,	   /* invalid entries, blocks and pages */
	GZ_PGT_VISIT_TABLE_PRE = 1u << 1,  /* a table descriptor, before its children */
	GZ_PGT_VISIT_TABLE_POST = 1u << 2, /* a table descriptor, after its children */
	/* with LEAF: valid blocks and pages only, for visitors that skip invalid entries (a
	 * whole-space walk of a sparse table would call them for thousands) */
	GZ_PGT_VISIT_VALID_ONLY = 1u << 3,
};

struct gz_pgt_visit {
	struct gz_pgt *pgt;
	uint64_t start, end; /* the walked range */
	uint64_t addr;	     /* first address the entry translates */
	unsigned level;
	uint64_t *ptep; /* the entry; a visitor may rewrite it */
	uint64_t desc;	/* its value when the visitor was called */
	void *arg;
};

/* Called per entry; a non-zero return stops the walk and is returned by gz_pgt_walk. After a
 * LEAF visit that turned the entry into a table, the walker descends into it. */
typedef int (*gz_pgt_visitor_fn)(struct gz_pgt_visit *v, enum gz_pgt_visit_flags flag);

/* Visit every entry that translates part of [start, end) (end exclusive, already checked). */
int gz_pgt_walk(struct gz_pgt *pgt, uint64_t start, uint64_t end, unsigned flags,
		gz_pgt_visitor_fn fn, void *arg);

/* Size an entry at @level translates (level 0: 512 GiB ... level 3: 4 KiB). */
static inline uint64_t gz_pgt_level_size(unsigned level)
{
	return 1ULL << (GZ_PAGE_SHIFT + 9 * (3 - level));
}

#endif
