/*
 * The gdb server's all-stop machinery (gdb_halt.h, gdb.h).
 *
 * A vCPU stops where the in-process driver calls gz_sim_gdb_park, before each RUN hypercall:
 * its registers are then at rest in the core's context, which the server reads and writes
 * directly. To stop everything, each vCPU is marked held and every engine kicked (an IRQ
 * exit, which the driver serves by looping back to RUN, and so to the park); a vCPU asleep
 * in the driver (WFI, powered off) counts as stopped, and parks if it wakes while held.
 * Breakpoints, steps and watchpoints are Unicorn code hooks on the engines, installed by each
 * vCPU itself at its next entry (gz_sim_gdb_enter) when their generation changed: breakpoint
 * hooks cover their own address only; one hook over everything is there only while a
 * watchpoint is set or the vCPU steps. A hook that stops its vCPU stops the engine before the
 * instruction (the PC stays on it) and holds every vCPU. Without --gdb, or with a debugger
 * attached and nothing set, the engines have no hook of the server's.
 */
#include <pthread.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <gzhyp/vcpu.h>
#include <gzhyp/vm.h>
#include "debug.h"
#include "detsched.h"
#include "exec.h"
#include "gdb.h"
#include "gdb_halt.h"
#include "registry.h"
#include "ucreg.h"

#define MAX_CPUS GZ_SIM_GDB_MAX_CPUS
#define MAX_WPS	 16
/* How long a stop waits for every vCPU to come to rest before it reports anyway (a vCPU
 * thread held outside the simulator, in the VMM's device code): far beyond any exit. */
#define QUIET_GIVE_UP_S 30

_Static_assert(GZ_SIM_GDB_MAX_CPUS == GZ_VM_MAX_VCPUS, "one gdb thread per vCPU a VM can have");

atomic_bool gz_sim_gdb_on;

/* AWAY: running, or on its way; the others are at rest (WAITING: for the deterministic
 * scheduler's turn). */
enum cpu_state { CPU_AWAY, CPU_PARKED, CPU_ASLEEP, CPU_WAITING };

struct gdb_cpu {
	enum cpu_state state;
	bool hold;    /* park at the next RUN */
	bool step;    /* stop before the second instruction from here */
	bool stepped; /* the step's one instruction has started */
	bool skip;    /* resumed on a watched access: that one is not matched again */
	uint64_t skip_pc;
	struct gz_sim_gdb_exit_rec exits[GZ_SIM_GDB_EXITS];
	uint64_t nr_exits;
};

struct gdb_wp {
	bool used;
	unsigned type; /* 2 write, 3 read, 4 access */
	uint64_t addr, len;
};

static struct {
	pthread_mutex_t mu; /* everything below */
	pthread_cond_t cv;
	int notify_fd;
	bool quit;
	bool vm_known;
	uint16_t vm_id;
	struct gdb_cpu cpu[MAX_CPUS];
	uint64_t bp[GZ_SIM_GDB_BPS];
	bool bp_used[GZ_SIM_GDB_BPS];
	struct gdb_wp wp[MAX_WPS];
	unsigned nr_wps;
	uint64_t icount; /* the machine's instruction count to stop at; UINT64_MAX: none */
	atomic_uint gen;
	bool dirty; /* hooks to change at the next resume */
	struct gz_sim_gdb_event ev;
} H = {.mu = PTHREAD_MUTEX_INITIALIZER,
       .cv = PTHREAD_COND_INITIALIZER,
       .notify_fd = -1,
       .icount = UINT64_MAX};

void gz_sim_gdb_lock(void)
{
	pthread_mutex_lock(&H.mu);
}

void gz_sim_gdb_unlock(void)
{
	pthread_mutex_unlock(&H.mu);
}

/* ---- the vCPUs' side ------------------------------------------------------------------ */

/* The core's vCPU of an engine's context, when it is one (the HAL is also used alone). */
static const struct gz_vcpu *core_vcpu(const struct gz_cpu_ctx *c)
{
	const struct gz_vcpu *vc =
	    c && c->fast_exits ? GZ_CONTAINER_OF(c, struct gz_vcpu, ctx) : NULL;

	return vc && vc->id < MAX_CPUS ? vc : NULL;
}

/* Hold every vCPU: the stop of @kind on @cpu, unless one is reported already. With the lock. */
static void hold_all(enum gz_sim_gdb_stop kind, unsigned cpu, uint64_t addr, unsigned wtype)
{
	if (H.ev.kind == GZ_SIM_GDB_STOP_NONE)
		H.ev = (struct gz_sim_gdb_event){kind, cpu, wtype, addr};
	for (unsigned i = 0; i < MAX_CPUS; i++)
		H.cpu[i].hold = true;
}

/* From a hook, with the lock: this vCPU stops before the instruction at its PC, and so does
 * every other; the lock is released. */
static void stop_here(struct gz_sim_vcpu *v, uc_engine *uc, unsigned cpu, enum gz_sim_gdb_stop kind,
		      uint64_t pc, uint64_t addr, unsigned wtype)
{
	char c = 1;
	int fd = H.notify_fd;

	hold_all(kind, cpu, addr, wtype);
	pthread_mutex_unlock(&H.mu);
	v->reason = GZ_SIM_STOP_HOSTIRQ;
	uc_emu_stop(uc);
	/* The counts go on from here when it resumes, and so does its turn: a stop at an
	 * instruction leaves a deterministic run as it was, so a later one lands where it would
	 * without the first. */
	gz_sim_exec_uncount(v, pc);
	v->gdb_stopped = true;
	/* In a deterministic run nobody else executes: the others wait for their turn. */
	if (!gz_sim_det_live())
		gz_sim_registry_kick_all();
	if (fd >= 0 && write(fd, &c, 1) < 0)
		return; /* the pipe is full: the server has a wake-up pending anyway */
}

static bool wp_match(uint64_t va, uint64_t size, bool write, unsigned *type, uint64_t *addr)
{
	for (unsigned i = 0; i < MAX_WPS; i++) {
		const struct gdb_wp *w = &H.wp[i];

		if (!w->used || (w->type == 2 && !write) || (w->type == 3 && write))
			continue;
		if (va < w->addr + w->len && w->addr < va + size) {
			*type = w->type;
			*addr = va > w->addr ? va : w->addr;
			return true;
		}
	}
	return false;
}

static void bp_hook(uc_engine *uc, uint64_t pc, uint32_t size, void *arg)
{
	struct gz_sim_vcpu *v = arg;
	const struct gz_vcpu *vc = core_vcpu(v->ctx);

	(void)size;
	if (v->reason != GZ_SIM_STOP_NONE || !vc)
		return;
	pthread_mutex_lock(&H.mu);
	for (unsigned i = 0; i < GZ_SIM_GDB_BPS; i++) {
		if (H.bp_used[i] && H.bp[i] == pc) {
			stop_here(v, uc, vc->id, GZ_SIM_GDB_STOP_BREAK, pc, pc, 0);
			return;
		}
	}
	pthread_mutex_unlock(&H.mu);
}

/* Over every instruction while the vCPU steps, a watchpoint is set or the instruction count
 * to stop at is near. */
static void wide_hook(uc_engine *uc, uint64_t pc, uint32_t size, void *arg)
{
	struct gz_sim_vcpu *v = arg;
	const struct gz_vcpu *vc = core_vcpu(v->ctx);
	struct gdb_cpu *cpu;
	uint64_t va, len, waddr;
	uint32_t insn = 0;
	unsigned wtype;
	bool write, skip;

	(void)size;
	if (v->reason != GZ_SIM_STOP_NONE || !vc)
		return;
	pthread_mutex_lock(&H.mu);
	cpu = &H.cpu[vc->id];
	/* the block hook took the block's instructions at its start (exec.c) */
	if (v->icount_near && v->blk_before + (pc - v->blk_addr) / 4 >= H.icount) {
		v->icount_near = false;
		H.icount = UINT64_MAX;
		atomic_store(&gz_sim_exec_icount_at, UINT64_MAX);
		atomic_fetch_add(&H.gen, 1); /* the wide hook goes at the next entry */
		stop_here(v, uc, vc->id, GZ_SIM_GDB_STOP_ICOUNT, pc, pc, 0);
		return;
	}
	skip = cpu->skip && cpu->skip_pc == pc;
	cpu->skip = false;
	if (cpu->step) {
		if (cpu->stepped) {
			stop_here(v, uc, vc->id, GZ_SIM_GDB_STOP_STEP, pc, pc, 0);
			return;
		}
		cpu->stepped = true;
	}
	if (H.nr_wps && !skip && gz_sim_ucreg_fetch_insn(uc, pc, &insn) &&
	    gz_sim_debug_data_access(uc, insn, &va, &len, &write) &&
	    wp_match(va, len, write, &wtype, &waddr)) {
		cpu->skip_pc = pc;
		stop_here(v, uc, vc->id, GZ_SIM_GDB_STOP_WATCH, pc, waddr, wtype);
		return;
	}
	pthread_mutex_unlock(&H.mu);
}

void gz_sim_gdb_enter(struct gz_sim_vcpu *v)
{
	const struct gz_vcpu *vc = core_vcpu(v->ctx);
	unsigned gen = atomic_load(&H.gen), n = 0;
	bool wide;

	if (v->gdb_gen == gen || !vc)
		return;
	for (unsigned i = 0; i < v->gdb_nr_hooks; i++)
		uc_hook_del(v->uc, v->gdb_hook[i]);
	pthread_mutex_lock(&H.mu);
	for (unsigned i = 0; i < GZ_SIM_GDB_BPS; i++)
		if (H.bp_used[i] && uc_hook_add(v->uc, &v->gdb_hook[n], UC_HOOK_CODE, bp_hook, v,
						H.bp[i], H.bp[i]) == UC_ERR_OK)
			n++;
	wide = H.nr_wps || H.cpu[vc->id].step || v->icount_near;
	pthread_mutex_unlock(&H.mu);
	if (wide &&
	    uc_hook_add(v->uc, &v->gdb_hook[n], UC_HOOK_CODE, wide_hook, v, 1, 0) == UC_ERR_OK)
		n++;
	v->gdb_nr_hooks = n;
	v->gdb_gen = gen;
	uc_ctl_flush_tb(v->uc); /* translations made before would ignore the hooks, or keep them */
}

void gz_sim_gdb_icount_near(struct gz_sim_vcpu *v)
{
	v->icount_near = true;
	v->gdb_gen = atomic_load(&H.gen) - 1; /* hooks again, the wide one with them */
	gz_sim_gdb_enter(v);
}

void gz_sim_gdb_exit(struct gz_sim_vcpu *v, const struct gz_exit_record *exit)
{
	const struct gz_vcpu *vc = core_vcpu(v->ctx);
	struct gdb_cpu *cpu;

	if (!vc)
		return;
	pthread_mutex_lock(&H.mu);
	cpu = &H.cpu[vc->id];
	cpu->exits[cpu->nr_exits++ % GZ_SIM_GDB_EXITS] =
	    (struct gz_sim_gdb_exit_rec){.insns = v->insns, .pc = v->ctx->pc, .rec = *exit};
	pthread_mutex_unlock(&H.mu);
}

static void note_vm(uint16_t vm_id)
{
	H.vm_known = true;
	H.vm_id = vm_id;
}

/* Wait on H.cv for at most @ms. */
static void wait_ms(long ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += ms * 1000 * 1000;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_cond_timedwait(&H.cv, &H.mu, &ts);
}

void gz_sim_gdb_park(uint16_t vm_id, unsigned vcpu, atomic_int *kicked)
{
	struct gdb_cpu *cpu;

	if (!atomic_load_explicit(&gz_sim_gdb_on, memory_order_relaxed) || vcpu >= MAX_CPUS)
		return;
	pthread_mutex_lock(&H.mu);
	note_vm(vm_id);
	cpu = &H.cpu[vcpu];
	if (cpu->hold) {
		cpu->state = CPU_PARKED;
		pthread_cond_broadcast(&H.cv);
		gz_sim_exec_runnable(-1); /* parked: the execution turn does not wait for it */
		/* the VMM stops a thread by a kick, which does not signal H.cv: look every 10 ms */
		while (cpu->hold && !(kicked && atomic_load(kicked)) && !H.quit)
			wait_ms(10);
		gz_sim_exec_runnable(1);
	}
	cpu->state = CPU_AWAY;
	pthread_mutex_unlock(&H.mu);
}

/* vCPU @vcpu comes to rest in @st (asleep, waiting for its turn), or leaves it (@rest false):
 * woken, or given its turn, while held, it stays at rest until it parks before its next RUN. */
static void rest(uint16_t vm_id, unsigned vcpu, enum cpu_state st, bool at_rest)
{
	if (!atomic_load_explicit(&gz_sim_gdb_on, memory_order_relaxed) || vcpu >= MAX_CPUS)
		return;
	pthread_mutex_lock(&H.mu);
	note_vm(vm_id);
	if (at_rest || !H.cpu[vcpu].hold)
		H.cpu[vcpu].state = at_rest ? st : CPU_AWAY;
	pthread_cond_broadcast(&H.cv);
	pthread_mutex_unlock(&H.mu);
}

void gz_sim_gdb_asleep(uint16_t vm_id, unsigned vcpu, bool asleep)
{
	rest(vm_id, vcpu, CPU_ASLEEP, asleep);
}

void gz_sim_gdb_turn(uint16_t vm_id, unsigned vcpu, bool waiting)
{
	rest(vm_id, vcpu, CPU_WAITING, waiting);
}

void gz_sim_gdb_waiting(struct gz_sim_vcpu *v, bool waiting)
{
	const struct gz_vcpu *vc = core_vcpu(v->ctx);
	bool held;

	if (!vc)
		return;
	gz_sim_gdb_turn(vc->vm->id, vc->id, waiting);
	pthread_mutex_lock(&H.mu);
	held = !waiting && H.cpu[vc->id].hold;
	pthread_mutex_unlock(&H.mu);
	if (held) /* its turn came while the debugger holds it: out to the park */
		atomic_store(&v->kick, 1);
}

/* ---- the server's side -------------------------------------------------------------------- */

void gz_sim_gdb_halt_init(int notify_fd, bool hold)
{
	pthread_mutex_lock(&H.mu);
	H.notify_fd = notify_fd;
	H.quit = false;
	H.vm_known = false;
	for (unsigned i = 0; i < MAX_CPUS; i++)
		H.cpu[i] = (struct gdb_cpu){.hold = hold};
	H.ev.kind = GZ_SIM_GDB_STOP_NONE;
	atomic_fetch_add(&H.gen, 1);
	pthread_mutex_unlock(&H.mu);
}

void gz_sim_gdb_halt_quit(void)
{
	pthread_mutex_lock(&H.mu);
	H.quit = true;
	H.notify_fd = -1;
	pthread_cond_broadcast(&H.cv);
	pthread_mutex_unlock(&H.mu);
}

struct gz_vm *gz_sim_gdb_vm(void)
{
	return H.vm_known ? gz_vm_get(H.vm_id) : NULL;
}

unsigned gz_sim_gdb_nr_cpus(void)
{
	struct gz_vm *vm = gz_sim_gdb_vm();
	unsigned n = vm ? vm->nr_vcpus : 0;

	return n < MAX_CPUS ? n : MAX_CPUS;
}

struct gz_cpu_ctx *gz_sim_gdb_ctx(unsigned i)
{
	struct gz_vm *vm = gz_sim_gdb_vm();
	struct gz_vcpu *vc;

	if (!vm || i >= gz_sim_gdb_nr_cpus() || H.cpu[i].state == CPU_AWAY)
		return NULL;
	vc = gz_vcpu_get(vm, i);
	return vc ? &vc->ctx : NULL;
}

const char *gz_sim_gdb_cpu_state(unsigned i)
{
	if (i >= MAX_CPUS)
		return "";
	return H.cpu[i].state == CPU_ASLEEP    ? "asleep"
	       : H.cpu[i].state == CPU_WAITING ? "waiting for its turn"
					       : "";
}

const struct gz_sim_gdb_exit_rec *gz_sim_gdb_exits(unsigned i, uint64_t *nr)
{
	*nr = i < MAX_CPUS ? H.cpu[i].nr_exits : 0;
	return i < MAX_CPUS ? H.cpu[i].exits : NULL;
}

static bool quiet(void)
{
	unsigned n = gz_sim_gdb_nr_cpus();

	if (!n)
		return false;
	for (unsigned i = 0; i < n; i++)
		if (H.cpu[i].state == CPU_AWAY)
			return false;
	return true;
}

/* Every vCPU out of the guest; in a deterministic run only the one that executes, the others
 * wait for their turn (a kick would take them out when it comes: an exit the run had not). */
static void kick(void)
{
	if (gz_sim_det_live())
		gz_sim_registry_kick_executing();
	else
		gz_sim_registry_kick_all();
}

void gz_sim_gdb_stop_all(enum gz_sim_gdb_stop kind, unsigned cpu)
{
	time_t give_up = time(NULL) + QUIET_GIVE_UP_S;

	hold_all(kind, cpu, 0, 0);
	pthread_mutex_unlock(&H.mu);
	kick();
	pthread_mutex_lock(&H.mu);
	while (!quiet() && !H.quit && time(NULL) < give_up) {
		wait_ms(20);
		if (!quiet()) { /* a vCPU that entered the guest after the kick */
			pthread_mutex_unlock(&H.mu);
			kick();
			pthread_mutex_lock(&H.mu);
		}
	}
	if (H.ev.cpu >= MAX_CPUS || (gz_sim_gdb_nr_cpus() && H.ev.cpu >= gz_sim_gdb_nr_cpus()))
		H.ev.cpu = 0;
}

const struct gz_sim_gdb_event *gz_sim_gdb_event(void)
{
	return &H.ev;
}

void gz_sim_gdb_set_run(unsigned i, char op)
{
	if (i >= MAX_CPUS)
		return;
	H.cpu[i].hold = false;
	H.cpu[i].step = op == 's';
}

void gz_sim_gdb_resume(void)
{
	bool changed = H.dirty;

	H.dirty = false;
	for (unsigned i = 0; i < MAX_CPUS; i++) {
		struct gdb_cpu *cpu = &H.cpu[i];
		struct gz_cpu_ctx *c;

		if (cpu->hold)
			continue;
		cpu->stepped = false;
		c = gz_sim_gdb_ctx(i);
		/* a watched access stopped here: let it go once */
		cpu->skip = H.ev.kind == GZ_SIM_GDB_STOP_WATCH && H.ev.cpu == i && c &&
			    c->pc == cpu->skip_pc;
		changed = true; /* steps come and go with resumes */
	}
	if (changed)
		atomic_fetch_add(&H.gen, 1);
	H.ev.kind = GZ_SIM_GDB_STOP_NONE;
	pthread_cond_broadcast(&H.cv);
}

void gz_sim_gdb_release_all(void)
{
	memset(H.bp_used, 0, sizeof(H.bp_used));
	memset(H.wp, 0, sizeof(H.wp));
	H.nr_wps = 0;
	gz_sim_gdb_icount_set(UINT64_MAX);
	H.dirty = true;
	for (unsigned i = 0; i < MAX_CPUS; i++)
		gz_sim_gdb_set_run(i, 'c');
	gz_sim_gdb_resume();
}

static int bp_point(uint64_t addr, bool insert)
{
	int slot = -1;

	for (unsigned i = 0; i < GZ_SIM_GDB_BPS; i++) {
		if (H.bp_used[i] && H.bp[i] == addr) {
			H.bp_used[i] = insert;
			return 0;
		}
		if (!H.bp_used[i] && slot < 0)
			slot = (int)i;
	}
	if (!insert)
		return 0;
	if (slot < 0)
		return -1;
	H.bp[slot] = addr;
	H.bp_used[slot] = true;
	return 0;
}

static int wp_point(unsigned type, uint64_t addr, uint64_t len, bool insert)
{
	int slot = -1;

	if (!len || len > GZ_PAGE_SIZE)
		return -2;
	for (unsigned i = 0; i < MAX_WPS; i++) {
		struct gdb_wp *w = &H.wp[i];

		if (w->used && w->addr == addr && w->len == len && w->type == type) {
			if (!insert) {
				w->used = false;
				H.nr_wps--;
			}
			return 0;
		}
		if (!w->used && slot < 0)
			slot = (int)i;
	}
	if (!insert)
		return 0;
	if (slot < 0)
		return -1;
	H.wp[slot] = (struct gdb_wp){true, type, addr, len};
	H.nr_wps++;
	return 0;
}

int gz_sim_gdb_point(unsigned type, uint64_t addr, uint64_t len, bool insert)
{
	int r = type <= 1 ? bp_point(addr, insert) : wp_point(type, addr, len, insert);

	if (!r)
		H.dirty = true;
	return r;
}

void gz_sim_gdb_icount_set(uint64_t n)
{
	H.icount = n;
	atomic_store(&gz_sim_exec_icount_at, n);
	H.dirty = true;
}

uint64_t gz_sim_gdb_icount(void)
{
	return H.icount;
}
