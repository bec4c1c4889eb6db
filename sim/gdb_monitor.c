/* The gdb server's `monitor` commands (gdb_monitor.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arm64/decode.h>
#include <arm64/esr.h>
#include <arm64/ich.h>
#include <gzabi/status.h>
#include <gzhyp/pgstate.h>
#include <gzhyp/vm.h>
#include <gzsim/sim.h>
#include "gdb_halt.h"
#include "gdb_monitor.h"
#include "machine.h"
#include "registry.h"

#define IPA_DUMP_MAX 4096

struct out {
	char *p;
	size_t cap, len;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->len + 1 >= o->cap)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->p + o->len, o->cap - o->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len = GZ_MIN(o->len + (size_t)n, o->cap - 1);
}

/* The next whitespace-separated number (C syntax: 0x.. hex, else decimal). */
static bool number(const char **s, uint64_t *v)
{
	char *end;

	while (**s == ' ')
		(*s)++;
	if (!**s || **s == '-')
		return false;
	*v = strtoull(*s, &end, 0);
	if (end == *s || (*end && *end != ' '))
		return false;
	*s = end;
	return true;
}

static bool word(const char **s, const char *w)
{
	size_t n = strlen(w);

	while (**s == ' ')
		(*s)++;
	if (strncmp(*s, w, n) || ((*s)[n] && (*s)[n] != ' '))
		return false;
	*s += n;
	return true;
}

static void help(struct out *o)
{
	put(o,
	    "opengz simulator monitor commands (the current thread's vCPU):\n"
	    "  ipa ADDR [LEN]   read guest memory by IPA (at most %u bytes; default 64)\n"
	    "  va ADDR          translate a virtual address: stage 1, then stage 2\n"
	    "  s2 ADDR          the stage-2 mapping of an IPA\n"
	    "  owner PA         owner and state of a physical page (page-state store)\n"
	    "  exits            the vCPU's recent exits (oldest first)\n"
	    "  lrs              the vCPU's list registers and pending/active interrupts\n"
	    "  icount           instructions executed: by the machine and by the vCPU\n"
	    "  break-icount N   stop the machine before the instruction its count N names\n"
	    "                   (the count of --stats, the trace's insns, a recording's);\n"
	    "                   without N: the one set; 'off': none\n",
	    IPA_DUMP_MAX);
}

static void dump(struct out *o, uint64_t addr, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i += 16) {
		put(o, "%016llx:", (unsigned long long)(addr + i));
		for (size_t j = i; j < i + 16 && j < n; j++)
			put(o, " %02x", b[j]);
		put(o, "\n");
	}
}

static void ipa_cmd(const struct gz_sim_gdb_mon_env *env, const char *a, struct out *o)
{
	static uint8_t buf[IPA_DUMP_MAX];
	uint64_t addr, len = 64;
	size_t n;

	if (!number(&a, &addr) || (*a && !number(&a, &len)) || !len || len > IPA_DUMP_MAX) {
		put(o, "usage: ipa ADDR [LEN], LEN 1..%u\n", IPA_DUMP_MAX);
		return;
	}
	n = gz_sim_gdb_mem_read(&env->mem, env->ctx, false, addr, buf, (size_t)len);
	if (!n)
		put(o, "IPA 0x%llx: not guest memory (no stage-2 mapping, no memslot)\n",
		    (unsigned long long)addr);
	dump(o, addr, buf, n);
}

static void s2_line(struct out *o, const struct gz_cpu_ctx *c, uint64_t ipa)
{
	struct gz_sim_s2_result r;

	if (!gz_sim_s2_walk(c->vttbr_el2, c->vtcr_el2, ipa, &r)) {
		if (r.level == 0xff)
			put(o, "stage 2: no table (VTTBR %#llx)\n",
			    (unsigned long long)c->vttbr_el2);
		else
			put(o, "stage 2: IPA 0x%llx not mapped (translation fault, level %u)\n",
			    (unsigned long long)ipa, r.level);
		return;
	}
	put(o,
	    "stage 2: IPA 0x%llx -> PA 0x%llx (level %u, %llu KiB leaf, %s%s%s, MemAttr %#llx%s)\n",
	    (unsigned long long)ipa, (unsigned long long)r.pa, r.level,
	    (unsigned long long)(r.size >> 10), r.r ? "R" : "-", r.w ? "W" : "-", r.x ? "X" : "-",
	    (unsigned long long)r.attr, r.af_fault ? ", access flag clear" : "");
}

static void va_cmd(const struct gz_sim_gdb_mon_env *env, const char *a, struct out *o)
{
	uint64_t va, ipa;

	if (!number(&a, &va)) {
		put(o, "usage: va ADDR\n");
		return;
	}
	if (!gz_sim_gdb_va_to_ipa(env->ctx, va, &ipa)) {
		put(o, "stage 1: VA 0x%llx not mapped by the guest's tables\n",
		    (unsigned long long)va);
		return;
	}
	put(o, "stage 1: VA 0x%llx -> IPA 0x%llx%s\n", (unsigned long long)va,
	    (unsigned long long)ipa, env->ctx->sys[GZ_SYS_SCTLR_EL1] & 1 ? "" : " (MMU off)");
	s2_line(o, env->ctx, ipa);
}

static const char *state_name(enum gz_page_state st)
{
	static const char *const names[] = {"owned",
					    "shared (owner)",
					    "shared (borrower)",
					    "donated",
					    "no access",
					    "lent",
					    "lent, shared",
					    "borrowed",
					    "shared by two VMs",
					    "borrowed from a VM"};

	return (unsigned)st < sizeof(names) / sizeof(names[0]) ? names[st] : "?";
}

static void owner_name(struct out *o, gz_owner_t w)
{
	if (w == GZ_OWNER_HOST)
		put(o, "host");
	else if (w == GZ_OWNER_HYP)
		put(o, "hypervisor");
	else if (GZ_OWNER_IS_VM(w) && w != GZ_OWNER_NONE)
		put(o, "VM %u", GZ_OWNER_VM_ID(w));
	else
		put(o, "none");
}

static void owner_cmd(const char *a, struct out *o)
{
	uint64_t pa;
	gz_owner_t lent;

	if (!number(&a, &pa)) {
		put(o, "usage: owner PA\n");
		return;
	}
	if (!gz_pgstate_managed(pa)) {
		put(o, "PA 0x%llx: not memory the hypervisor manages\n", (unsigned long long)pa);
		return;
	}
	put(o, "PA 0x%llx: owner ", (unsigned long long)pa);
	owner_name(o, gz_pgstate_owner(pa));
	put(o, ", %s", state_name(gz_pgstate_state(pa)));
	lent = gz_pgstate_lent_to(pa);
	if (lent != GZ_OWNER_NONE) {
		put(o, " (to ");
		owner_name(o, lent);
		put(o, ")");
	}
	put(o, "\n");
}

static void exits_cmd(const struct gz_sim_gdb_mon_env *env, struct out *o)
{
	static const char *const kinds[] = {"sync", "irq", "serror", "fail-entry"};
	uint64_t first = env->nr_exits > GZ_SIM_GDB_EXITS ? env->nr_exits - GZ_SIM_GDB_EXITS : 0;

	put(o, "vCPU %u: %llu exits since the server started, the last %llu:\n", env->vcpu,
	    (unsigned long long)env->nr_exits, (unsigned long long)(env->nr_exits - first));
	for (uint64_t i = first; i < env->nr_exits; i++) {
		const struct gz_sim_gdb_exit_rec *e = &env->exits[i % GZ_SIM_GDB_EXITS];
		struct gz_exit_desc d;

		put(o, "  #%llu insns=%llu pc=0x%llx %s", (unsigned long long)i,
		    (unsigned long long)e->insns, (unsigned long long)e->pc,
		    (unsigned)e->rec.kind < 4 ? kinds[e->rec.kind] : "?");
		if (e->rec.kind == GZ_EXIT_KIND_SYNC) {
			arm64_exit_decode(&e->rec, &d);
			put(o, " %s ESR=%#llx FAR=%#llx HPFAR=%#llx", arm64_exit_type_name(d.type),
			    (unsigned long long)e->rec.esr, (unsigned long long)e->rec.far,
			    (unsigned long long)e->rec.hpfar);
		}
		put(o, "\n");
	}
}

static void icount_cmd(const struct gz_sim_gdb_mon_env *env, struct out *o)
{
	put(o, "machine: %llu instructions\n", (unsigned long long)atomic_load(&gz_sim_m.insns));
	if (env->ctx)
		put(o, "vCPU %u: %llu instructions\n", env->vcpu,
		    (unsigned long long)gz_sim_vcpu_insns(env->ctx));
}

/* Works before the VM exists too: a stop set before the guest's first instruction. */
static void break_icount_cmd(const char *a, struct out *o)
{
	uint64_t n, now = atomic_load(&gz_sim_m.insns);

	while (*a == ' ')
		a++;
	if (!*a) {
		if (gz_sim_gdb_icount() == UINT64_MAX)
			put(o, "no instruction count to stop at\n");
		else
			put(o, "the machine stops at instruction %llu (now at %llu)\n",
			    (unsigned long long)gz_sim_gdb_icount(), (unsigned long long)now);
		return;
	}
	if (word(&a, "off")) {
		gz_sim_gdb_icount_set(UINT64_MAX);
		put(o, "no instruction count to stop at\n");
		return;
	}
	if (!number(&a, &n) || *a || n == UINT64_MAX) {
		put(o, "usage: break-icount N | off\n");
		return;
	}
	if (n < now) {
		put(o, "instruction %llu has run: the machine is at %llu\n", (unsigned long long)n,
		    (unsigned long long)now);
		return;
	}
	gz_sim_gdb_icount_set(n);
	put(o, "the machine stops at instruction %llu (now at %llu)\n", (unsigned long long)n,
	    (unsigned long long)now);
}

static void lrs_cmd(const struct gz_sim_gdb_mon_env *env, struct out *o)
{
	static const char *const states[] = {"invalid", "pending", "active", "pending+active"};
	unsigned nr = 0;
	const uint64_t *lr = gz_vgic_lrs(&env->vm->vgic, env->vcpu, &nr);

	put(o, "vCPU %u: %u list registers at its last run\n", env->vcpu, nr);
	for (unsigned i = 0; lr && i < nr; i++) {
		uint64_t v = lr[i];
		unsigned st = (unsigned)GZ_FIELD_GET(ARCH_ICH_LR_STATE, v);

		put(o, "  LR%u = %#018llx", i, (unsigned long long)v);
		if (st)
			put(o, ": INTID %llu %s, priority %#llx, group %u%s%s",
			    (unsigned long long)GZ_FIELD_GET(ARCH_ICH_LR_VINTID, v), states[st],
			    (unsigned long long)GZ_FIELD_GET(ARCH_ICH_LR_PRIORITY, v),
			    (v & ARCH_ICH_LR_GROUP) ? 1 : 0, (v & ARCH_ICH_LR_HW) ? ", HW" : "",
			    (v & ARCH_ICH_LR_EOI) ? ", EOI maintenance" : "");
		put(o, "\n");
	}
	put(o, "interrupts pending or active for vCPU %u:\n", env->vcpu);
	for (uint32_t id = 0; id < 32 + GZ_VM_NR_SPIS; id++) {
		struct gz_vgic_irq_info info;

		if (gz_vgic_irq_info(&env->vm->vgic, env->vcpu, id, &info) != GZ_OK ||
		    !(info.pending || info.active) || (id >= 32 && info.target != env->vcpu))
			continue;
		put(o, "  INTID %u:%s%s %s, %s, priority %#x, group %u%s\n", id,
		    info.pending ? " pending" : "", info.active ? " active" : "",
		    info.enabled ? "enabled" : "disabled", info.edge ? "edge" : "level",
		    info.priority, info.group1 ? 1 : 0, info.line ? ", line high" : "");
	}
}

void gz_sim_gdb_monitor(const struct gz_sim_gdb_mon_env *env, const char *cmd, char *out,
			size_t cap)
{
	struct out o = {out, cap, 0};
	const char *a = cmd;

	if (cap)
		out[0] = 0;
	if (word(&a, "owner")) {
		owner_cmd(a, &o);
		return;
	}
	if (word(&a, "help") || !*a) {
		help(&o);
		return;
	}
	if (word(&a, "break-icount")) {
		break_icount_cmd(a, &o);
		return;
	}
	if (word(&a, "icount")) {
		icount_cmd(env, &o);
		return;
	}
	if (!env->vm || !env->ctx) {
		put(&o, "no vCPU at rest to look at (the VM has not started)\n");
		return;
	}
	if (word(&a, "ipa"))
		ipa_cmd(env, a, &o);
	else if (word(&a, "va"))
		va_cmd(env, a, &o);
	else if (word(&a, "s2")) {
		uint64_t ipa;

		if (number(&a, &ipa))
			s2_line(&o, env->ctx, ipa);
		else
			put(&o, "usage: s2 ADDR\n");
	} else if (word(&a, "exits"))
		exits_cmd(env, &o);
	else if (word(&a, "lrs"))
		lrs_cmd(env, &o);

	else {
		put(&o, "unknown monitor command '%s'\n", cmd);
		help(&o);
	}
}
