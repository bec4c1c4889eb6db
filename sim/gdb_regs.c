/* The gdb server's register file (gdb_regs.h). Numbers 0-67 are gdb's own aarch64 layout
 * (x0-x30, sp, pc, cpsr, v0-v31, fpsr, fpcr), so gdb's unwinder and its $sp/$pc work as with
 * any aarch64 target; the system registers follow in one feature of their own. */
#include <stdio.h>
#include <string.h>
#include <arm64/sysreg.h>
#include "gdb_regs.h"

#define CTX_SYS(r) (offsetof(struct gz_cpu_ctx, sys) + 8 * (r))

struct sysreg_desc {
	const char *name;
	size_t off; /* in struct gz_cpu_ctx */
	bool ro;
};

static const struct sysreg_desc sysregs[] = {
    {"sctlr_el1", CTX_SYS(GZ_SYS_SCTLR_EL1), false},
    {"actlr_el1", CTX_SYS(GZ_SYS_ACTLR_EL1), false},
    {"cpacr_el1", CTX_SYS(GZ_SYS_CPACR_EL1), false},
    {"ttbr0_el1", CTX_SYS(GZ_SYS_TTBR0_EL1), false},
    {"ttbr1_el1", CTX_SYS(GZ_SYS_TTBR1_EL1), false},
    {"tcr_el1", CTX_SYS(GZ_SYS_TCR_EL1), false},
    {"mair_el1", CTX_SYS(GZ_SYS_MAIR_EL1), false},
    {"amair_el1", CTX_SYS(GZ_SYS_AMAIR_EL1), false},
    {"vbar_el1", CTX_SYS(GZ_SYS_VBAR_EL1), false},
    {"esr_el1", CTX_SYS(GZ_SYS_ESR_EL1), false},
    {"far_el1", CTX_SYS(GZ_SYS_FAR_EL1), false},
    {"afsr0_el1", CTX_SYS(GZ_SYS_AFSR0_EL1), false},
    {"afsr1_el1", CTX_SYS(GZ_SYS_AFSR1_EL1), false},
    {"elr_el1", offsetof(struct gz_cpu_ctx, elr_el1), false},
    {"spsr_el1", offsetof(struct gz_cpu_ctx, spsr_el1), false},
    {"sp_el0", offsetof(struct gz_cpu_ctx, sp_el0), false},
    {"sp_el1", offsetof(struct gz_cpu_ctx, sp_el1), false},
    {"contextidr_el1", CTX_SYS(GZ_SYS_CONTEXTIDR_EL1), false},
    {"tpidr_el0", CTX_SYS(GZ_SYS_TPIDR_EL0), false},
    {"tpidrro_el0", CTX_SYS(GZ_SYS_TPIDRRO_EL0), false},
    {"tpidr_el1", CTX_SYS(GZ_SYS_TPIDR_EL1), false},
    {"par_el1", CTX_SYS(GZ_SYS_PAR_EL1), false},
    {"cntkctl_el1", CTX_SYS(GZ_SYS_CNTKCTL_EL1), false},
    {"csselr_el1", CTX_SYS(GZ_SYS_CSSELR_EL1), false},
    {"cntv_ctl_el0", CTX_SYS(GZ_SYS_CNTV_CTL_EL0), false},
    {"cntv_cval_el0", CTX_SYS(GZ_SYS_CNTV_CVAL_EL0), false},
    /* the guest's own MDSCR_EL1 (the core emulates the debug registers) */
    {"mdscr_el1", offsetof(struct gz_cpu_ctx, dbg.mdscr), true},
    /* what the hypervisor chose for this vCPU: to look at, not to change from a debugger */
    {"hcr_el2", offsetof(struct gz_cpu_ctx, hcr_el2), true},
    {"vttbr_el2", offsetof(struct gz_cpu_ctx, vttbr_el2), true},
    {"vtcr_el2", offsetof(struct gz_cpu_ctx, vtcr_el2), true},
    {"vmpidr_el2", offsetof(struct gz_cpu_ctx, vmpidr_el2), true},
    {"cntvoff_el2", offsetof(struct gz_cpu_ctx, cntvoff_el2), true},
};

#define NR_SYSREGS (sizeof(sysregs) / sizeof(sysregs[0]))

unsigned gz_sim_gdb_nr_regs(void)
{
	return GZ_GDB_REG_SYS0 + (unsigned)NR_SYSREGS;
}

size_t gz_sim_gdb_reg_size(unsigned n)
{
	if (n == GZ_GDB_REG_CPSR || n == GZ_GDB_REG_FPSR || n == GZ_GDB_REG_FPCR)
		return 4;
	if (n >= GZ_GDB_REG_V0 && n < GZ_GDB_REG_V0 + 32)
		return 16;
	return n < gz_sim_gdb_nr_regs() ? 8 : 0;
}

/* The SP the guest uses now: SP_EL1 in EL1h, SP_EL0 in EL1t and EL0t. */
static uint64_t *cur_sp(struct gz_cpu_ctx *c)
{
	return (c->pstate & PSR_MODE_MASK) == PSR_MODE_EL1h ? &c->sp_el1 : &c->sp_el0;
}

static uint64_t *reg64(struct gz_cpu_ctx *c, unsigned n)
{
	if (n < 31)
		return &c->x[n];
	if (n == GZ_GDB_REG_SP)
		return cur_sp(c);
	if (n == GZ_GDB_REG_PC)
		return &c->pc;
	if (n >= GZ_GDB_REG_SYS0 && n < gz_sim_gdb_nr_regs())
		return (uint64_t *)((char *)c + sysregs[n - GZ_GDB_REG_SYS0].off);
	return NULL;
}

static void put_le(uint8_t *out, uint64_t v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		out[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *in, size_t n)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++)
		v |= (uint64_t)in[i] << (8 * i);
	return v;
}

size_t gz_sim_gdb_reg_read(const struct gz_cpu_ctx *c, unsigned n, uint8_t *out)
{
	/* reg64 hands out pointers into the context only to read them here */
	struct gz_cpu_ctx *w = (struct gz_cpu_ctx *)c;
	size_t size = gz_sim_gdb_reg_size(n);
	const uint64_t *p;

	if (n == GZ_GDB_REG_CPSR)
		put_le(out, c->pstate, 4);
	else if (n == GZ_GDB_REG_FPSR)
		put_le(out, c->fp.fpsr, 4);
	else if (n == GZ_GDB_REG_FPCR)
		put_le(out, c->fp.fpcr, 4);
	else if (size == 16) {
		put_le(out, c->fp.v[n - GZ_GDB_REG_V0][0], 8);
		put_le(out + 8, c->fp.v[n - GZ_GDB_REG_V0][1], 8);
	} else if ((p = reg64(w, n)))
		put_le(out, *p, 8);
	return size;
}

bool gz_sim_gdb_reg_write(struct gz_cpu_ctx *c, unsigned n, const uint8_t *in)
{
	uint64_t *p;

	if (n == GZ_GDB_REG_CPSR) {
		uint64_t v = get_le(in, 4);

		if ((v ^ c->pstate) & PSR_MODE_MASK)
			return false;
		c->pstate = (c->pstate & ~0xffffffffULL) | v;
		return true;
	}
	if (n == GZ_GDB_REG_FPSR || n == GZ_GDB_REG_FPCR) {
		*(n == GZ_GDB_REG_FPSR ? &c->fp.fpsr : &c->fp.fpcr) = (uint32_t)get_le(in, 4);
		return true;
	}
	if (n >= GZ_GDB_REG_V0 && n < GZ_GDB_REG_V0 + 32) {
		c->fp.v[n - GZ_GDB_REG_V0][0] = get_le(in, 8);
		c->fp.v[n - GZ_GDB_REG_V0][1] = get_le(in + 8, 8);
		return true;
	}
	if (n >= GZ_GDB_REG_SYS0 && n < gz_sim_gdb_nr_regs() && sysregs[n - GZ_GDB_REG_SYS0].ro)
		return false;
	p = reg64(c, n);
	if (!p)
		return false;
	*p = get_le(in, 8);
	return true;
}

/* ---- the target description ----------------------------------------------------------- */

static const char tdesc_head[] =
    "<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
    "<target version=\"1.0\">\n<architecture>aarch64</architecture>\n"
    "<feature name=\"org.gnu.gdb.aarch64.core\">\n"
    "<flags id=\"cpsr_flags\" size=\"4\">"
    "<field name=\"SP\" start=\"0\" end=\"0\"/><field name=\"EL\" start=\"2\" end=\"3\"/>"
    "<field name=\"nRW\" start=\"4\" end=\"4\"/><field name=\"F\" start=\"6\" end=\"6\"/>"
    "<field name=\"I\" start=\"7\" end=\"7\"/><field name=\"A\" start=\"8\" end=\"8\"/>"
    "<field name=\"D\" start=\"9\" end=\"9\"/><field name=\"SS\" start=\"21\" end=\"21\"/>"
    "<field name=\"V\" start=\"28\" end=\"28\"/><field name=\"C\" start=\"29\" end=\"29\"/>"
    "<field name=\"Z\" start=\"30\" end=\"30\"/><field name=\"N\" start=\"31\" end=\"31\"/>"
    "</flags>\n";

static const char tdesc_fpu_types[] =
    "<feature name=\"org.gnu.gdb.aarch64.fpu\">\n"
    "<vector id=\"v2d\" type=\"ieee_double\" count=\"2\"/>"
    "<vector id=\"v2u\" type=\"uint64\" count=\"2\"/>"
    "<vector id=\"v2i\" type=\"int64\" count=\"2\"/>"
    "<vector id=\"v4f\" type=\"ieee_single\" count=\"4\"/>"
    "<vector id=\"v4u\" type=\"uint32\" count=\"4\"/>"
    "<vector id=\"v4i\" type=\"int32\" count=\"4\"/>"
    "<vector id=\"v8u\" type=\"uint16\" count=\"8\"/>"
    "<vector id=\"v8i\" type=\"int16\" count=\"8\"/>"
    "<vector id=\"v16u\" type=\"uint8\" count=\"16\"/>"
    "<vector id=\"v16i\" type=\"int8\" count=\"16\"/>"
    "<vector id=\"v1u\" type=\"uint128\" count=\"1\"/>"
    "<vector id=\"v1i\" type=\"int128\" count=\"1\"/>\n"
    "<union id=\"vnd\"><field name=\"f\" type=\"v2d\"/><field name=\"u\" type=\"v2u\"/>"
    "<field name=\"s\" type=\"v2i\"/></union>"
    "<union id=\"vns\"><field name=\"f\" type=\"v4f\"/><field name=\"u\" type=\"v4u\"/>"
    "<field name=\"s\" type=\"v4i\"/></union>"
    "<union id=\"vnh\"><field name=\"u\" type=\"v8u\"/><field name=\"s\" type=\"v8i\"/></union>"
    "<union id=\"vnb\"><field name=\"u\" type=\"v16u\"/><field name=\"s\" type=\"v16i\"/>"
    "</union>"
    "<union id=\"vnq\"><field name=\"u\" type=\"v1u\"/><field name=\"s\" type=\"v1i\"/></union>"
    "<union id=\"aarch64v\"><field name=\"d\" type=\"vnd\"/><field name=\"s\" type=\"vns\"/>"
    "<field name=\"h\" type=\"vnh\"/><field name=\"b\" type=\"vnb\"/>"
    "<field name=\"q\" type=\"vnq\"/></union>\n";

static char tdesc[16384];
static size_t tdesc_len;

#define TDESC_ADD(...)                                                                             \
	(o += (size_t)snprintf(tdesc + o, o < sizeof(tdesc) ? sizeof(tdesc) - o : 0, __VA_ARGS__))

static void tdesc_build(void)
{
	size_t o = 0;

	TDESC_ADD("%s", tdesc_head);
	for (unsigned i = 0; i < 31; i++)
		TDESC_ADD("<reg name=\"x%u\" bitsize=\"64\" type=\"int\" regnum=\"%u\"/>\n", i, i);
	TDESC_ADD("<reg name=\"sp\" bitsize=\"64\" type=\"data_ptr\" regnum=\"%d\"/>\n"
		  "<reg name=\"pc\" bitsize=\"64\" type=\"code_ptr\" regnum=\"%d\"/>\n"
		  "<reg name=\"cpsr\" bitsize=\"32\" type=\"cpsr_flags\" regnum=\"%d\"/>\n"
		  "</feature>\n%s",
		  GZ_GDB_REG_SP, GZ_GDB_REG_PC, GZ_GDB_REG_CPSR, tdesc_fpu_types);
	for (unsigned i = 0; i < 32; i++)
		TDESC_ADD("<reg name=\"v%u\" bitsize=\"128\" type=\"aarch64v\" regnum=\"%u\"/>\n",
			  i, GZ_GDB_REG_V0 + i);
	TDESC_ADD("<reg name=\"fpsr\" bitsize=\"32\" type=\"int\" regnum=\"%d\"/>\n"
		  "<reg name=\"fpcr\" bitsize=\"32\" type=\"int\" regnum=\"%d\"/>\n</feature>\n"
		  "<feature name=\"org.opengz.aarch64.sysregs\">\n",
		  GZ_GDB_REG_FPSR, GZ_GDB_REG_FPCR);
	for (unsigned i = 0; i < NR_SYSREGS; i++)
		TDESC_ADD("<reg name=\"%s\" bitsize=\"64\" type=\"uint64\" regnum=\"%u\" "
			  "group=\"system\"/>\n",
			  sysregs[i].name, GZ_GDB_REG_SYS0 + i);
	TDESC_ADD("</feature>\n</target>\n");
	tdesc_len = o < sizeof(tdesc) ? o : sizeof(tdesc) - 1;
}

const char *gz_sim_gdb_tdesc(const char *annex, size_t *len)
{
	if (strcmp(annex, "target.xml"))
		return NULL;
	if (!tdesc_len)
		tdesc_build();
	*len = tdesc_len;
	return tdesc;
}
