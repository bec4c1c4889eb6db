/*
 * The simulator's gdb server (gzsim/gdb.h, gdb.h): a thread that listens on 127.0.0.1 and
 * speaks the GDB remote serial protocol (gdb_proto.c) with one debugger at a time.
 *
 * All-stop. A vCPU stops where the in-process driver calls gz_sim_gdb_park, before each RUN
 * hypercall: its registers are then at rest in the core's context, which the server reads
 * and writes directly. To stop everything, each vCPU is marked held and every engine kicked
 * (an IRQ exit, which the driver serves by looping back to RUN, and so to the park); a vCPU
 * asleep in the driver (WFI, powered off) counts as stopped, and parks if it wakes while held.
 * Breakpoints, steps and watchpoints are Unicorn code hooks on the engines, installed by each
 * vCPU itself at its next entry (gz_sim_gdb_enter) when their generation changed: breakpoint
 * hooks cover their own address only; one hook over everything is there only while a
 * watchpoint is set or the vCPU steps. A hook that stops its vCPU stops the engine before the
 * instruction (the PC stays on it) and holds every vCPU. Without --gdb, or with a debugger
 * attached and nothing set, the engines have no hook of the server's.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <gzhyp/vcpu.h>
#include <gzhyp/vm.h>
#include <gzsim/gdb.h>
#include "debug.h"
#include "exec.h"
#include "gdb.h"
#include "gdb_mem.h"
#include "gdb_monitor.h"
#include "gdb_proto.h"
#include "gdb_regs.h"
#include "registry.h"
#include "ucreg.h"

#define MAX_CPUS GZ_VM_MAX_VCPUS
#define MAX_WPS	 16
/* How long a stop waits for every vCPU to come to rest before it reports anyway (a vCPU
 * thread held outside the simulator, in the VMM's device code): far beyond any exit. */
#define QUIET_GIVE_UP_S 30

atomic_bool gz_sim_gdb_on;

enum cpu_state { CPU_AWAY, CPU_PARKED, CPU_ASLEEP };
enum stop_kind { STOP_NONE, STOP_INITIAL, STOP_BREAK, STOP_STEP, STOP_WATCH, STOP_INTR };

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
	bool started;
	struct gz_sim_gdb_config cfg;
	int lfd, cfd;
	int ev[2]; /* stop events and the end, for the server's poll */
	pthread_t thread;
	bool quit, exited;
	int exit_status;
	bool vm_known;
	uint16_t vm_id;
	struct gdb_cpu cpu[MAX_CPUS];
	uint64_t bp[GZ_SIM_GDB_BPS];
	bool bp_used[GZ_SIM_GDB_BPS];
	struct gdb_wp wp[MAX_WPS];
	unsigned nr_wps;
	atomic_uint gen;
	bool dirty; /* hooks to change at the next resume */
	/* the stop being reported */
	enum stop_kind ev_kind;
	unsigned ev_cpu, ev_wtype;
	uint64_t ev_addr;
	/* the session */
	bool running;
	unsigned g_cpu, c_cpu;
	unsigned next_thread; /* qsThreadInfo */
} G = {.mu = PTHREAD_MUTEX_INITIALIZER,
       .cv = PTHREAD_COND_INITIALIZER,
       .lfd = -1,
       .cfd = -1,
       .ev = {-1, -1}};

static struct gz_gdb_rx rx;
static char reply[GZ_GDB_PKT_MAX + 1];
static char frame[2 * GZ_GDB_PKT_MAX + 8], last_frame[2 * GZ_GDB_PKT_MAX + 8];
static size_t last_len;

/* ---- the vCPUs' side ------------------------------------------------------------------ */

/* The core's vCPU of an engine's context, when it is one (the HAL is also used alone). */
static const struct gz_vcpu *core_vcpu(const struct gz_cpu_ctx *c)
{
	return c && c->fast_exits ? GZ_CONTAINER_OF(c, struct gz_vcpu, ctx) : NULL;
}

static void poke_server(void)
{
	char c = 1;

	if (G.ev[1] >= 0 && write(G.ev[1], &c, 1) < 0)
		return; /* the pipe is full: the server has a wake-up pending anyway */
}

/* Hold every vCPU and make the running ones leave the guest. Called with G.mu held. */
static void hold_all(enum stop_kind kind, unsigned cpu, uint64_t addr, unsigned wtype)
{
	if (G.ev_kind == STOP_NONE) {
		G.ev_kind = kind;
		G.ev_cpu = cpu;
		G.ev_addr = addr;
		G.ev_wtype = wtype;
	}
	for (unsigned i = 0; i < MAX_CPUS; i++)
		G.cpu[i].hold = true;
}

/* From a hook: this vCPU stops before the instruction at its PC, and so does every other. */
static void stop_here(struct gz_sim_vcpu *v, uc_engine *uc, unsigned cpu, enum stop_kind kind,
		      uint64_t addr, unsigned wtype)
{
	hold_all(kind, cpu, addr, wtype);
	pthread_mutex_unlock(&G.mu);
	v->reason = GZ_SIM_STOP_HOSTIRQ;
	uc_emu_stop(uc);
	gz_sim_registry_kick_all();
	poke_server();
}

static bool wp_match(uint64_t va, uint64_t size, bool write, unsigned *type, uint64_t *addr)
{
	for (unsigned i = 0; i < MAX_WPS; i++) {
		const struct gdb_wp *w = &G.wp[i];

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
	if (v->reason != GZ_SIM_STOP_NONE || !vc || vc->id >= MAX_CPUS)
		return;
	pthread_mutex_lock(&G.mu);
	for (unsigned i = 0; i < GZ_SIM_GDB_BPS; i++) {
		if (G.bp_used[i] && G.bp[i] == pc) {
			stop_here(v, uc, vc->id, STOP_BREAK, pc, 0);
			return;
		}
	}
	pthread_mutex_unlock(&G.mu);
}

/* Over every instruction while the vCPU steps or a watchpoint is set. */
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
	if (v->reason != GZ_SIM_STOP_NONE || !vc || vc->id >= MAX_CPUS)
		return;
	pthread_mutex_lock(&G.mu);
	cpu = &G.cpu[vc->id];
	skip = cpu->skip && cpu->skip_pc == pc;
	cpu->skip = false;
	if (cpu->step) {
		if (cpu->stepped) {
			stop_here(v, uc, vc->id, STOP_STEP, pc, 0);
			return;
		}
		cpu->stepped = true;
	}
	if (G.nr_wps && !skip && gz_sim_ucreg_fetch_insn(uc, pc, &insn) &&
	    gz_sim_debug_data_access(uc, insn, &va, &len, &write) &&
	    wp_match(va, len, write, &wtype, &waddr)) {
		cpu->skip_pc = pc;
		stop_here(v, uc, vc->id, STOP_WATCH, waddr, wtype);
		return;
	}
	pthread_mutex_unlock(&G.mu);
}

void gz_sim_gdb_enter(struct gz_sim_vcpu *v)
{
	const struct gz_vcpu *vc = core_vcpu(v->ctx);
	unsigned gen = atomic_load(&G.gen), n = 0;
	bool wide;

	if (v->gdb_gen == gen || !vc || vc->id >= MAX_CPUS)
		return;
	for (unsigned i = 0; i < v->gdb_nr_hooks; i++)
		uc_hook_del(v->uc, v->gdb_hook[i]);
	pthread_mutex_lock(&G.mu);
	for (unsigned i = 0; i < GZ_SIM_GDB_BPS; i++)
		if (G.bp_used[i] && uc_hook_add(v->uc, &v->gdb_hook[n], UC_HOOK_CODE, bp_hook, v,
						G.bp[i], G.bp[i]) == UC_ERR_OK)
			n++;
	wide = G.nr_wps || G.cpu[vc->id].step;
	pthread_mutex_unlock(&G.mu);
	if (wide &&
	    uc_hook_add(v->uc, &v->gdb_hook[n], UC_HOOK_CODE, wide_hook, v, 1, 0) == UC_ERR_OK)
		n++;
	v->gdb_nr_hooks = n;
	v->gdb_gen = gen;
	uc_ctl_flush_tb(v->uc); /* translations made before would ignore the hooks, or keep them */
}

void gz_sim_gdb_exit(struct gz_sim_vcpu *v, const struct gz_exit_record *exit)
{
	const struct gz_vcpu *vc = core_vcpu(v->ctx);
	struct gdb_cpu *cpu;

	if (!vc || vc->id >= MAX_CPUS)
		return;
	pthread_mutex_lock(&G.mu);
	cpu = &G.cpu[vc->id];
	cpu->exits[cpu->nr_exits++ % GZ_SIM_GDB_EXITS] =
	    (struct gz_sim_gdb_exit_rec){.insns = v->insns, .pc = v->ctx->pc, .rec = *exit};
	pthread_mutex_unlock(&G.mu);
}

static void note_vm(uint16_t vm_id)
{
	if (!G.vm_known || G.vm_id != vm_id) {
		G.vm_known = true;
		G.vm_id = vm_id;
	}
}

void gz_sim_gdb_park(uint16_t vm_id, unsigned vcpu, atomic_int *kicked)
{
	struct gdb_cpu *cpu;

	if (!atomic_load_explicit(&gz_sim_gdb_on, memory_order_relaxed) || vcpu >= MAX_CPUS)
		return;
	pthread_mutex_lock(&G.mu);
	note_vm(vm_id);
	cpu = &G.cpu[vcpu];
	if (cpu->hold) {
		cpu->state = CPU_PARKED;
		pthread_cond_broadcast(&G.cv);
		gz_sim_exec_runnable(-1); /* parked: the execution turn does not wait for it */
		while (cpu->hold && !(kicked && atomic_load(kicked)) && !G.quit) {
			struct timespec ts;

			/* the VMM stops a thread by a kick, which does not signal G.cv */
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += 10 * 1000 * 1000;
			if (ts.tv_nsec >= 1000000000L) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000L;
			}
			pthread_cond_timedwait(&G.cv, &G.mu, &ts);
		}
		gz_sim_exec_runnable(1);
	}
	cpu->state = CPU_AWAY;
	pthread_mutex_unlock(&G.mu);
}

void gz_sim_gdb_asleep(uint16_t vm_id, unsigned vcpu, bool asleep)
{
	if (!atomic_load_explicit(&gz_sim_gdb_on, memory_order_relaxed) || vcpu >= MAX_CPUS)
		return;
	pthread_mutex_lock(&G.mu);
	note_vm(vm_id);
	/* woken while held: still at rest until it parks, before its next RUN */
	if (asleep || !G.cpu[vcpu].hold)
		G.cpu[vcpu].state = asleep ? CPU_ASLEEP : CPU_AWAY;
	pthread_cond_broadcast(&G.cv);
	pthread_mutex_unlock(&G.mu);
}

/* ---- the server's view of the VM -------------------------------------------------------- */

static struct gz_vm *cur_vm(void)
{
	return G.vm_known ? gz_vm_get(G.vm_id) : NULL;
}

static unsigned nr_cpus(void)
{
	struct gz_vm *vm = cur_vm();
	unsigned n = vm ? vm->nr_vcpus : 0;

	return n < MAX_CPUS ? n : MAX_CPUS;
}

/* The context of vCPU @i when it is at rest, else NULL. Called with G.mu held. */
static struct gz_cpu_ctx *ctx_of(unsigned i)
{
	struct gz_vm *vm = cur_vm();
	struct gz_vcpu *vc;

	if (!vm || i >= nr_cpus() || G.cpu[i].state == CPU_AWAY)
		return NULL;
	vc = gz_vcpu_get(vm, i);
	return vc ? &vc->ctx : NULL;
}

static bool quiet(void)
{
	unsigned n = nr_cpus();

	if (!n)
		return false;
	for (unsigned i = 0; i < n; i++)
		if (G.cpu[i].state == CPU_AWAY)
			return false;
	return true;
}

/* Hold everything and wait until every vCPU is at rest. Called with G.mu held. */
static void stop_all(enum stop_kind kind)
{
	time_t give_up = time(NULL) + QUIET_GIVE_UP_S;

	hold_all(kind, G.c_cpu, 0, 0);
	pthread_mutex_unlock(&G.mu);
	gz_sim_registry_kick_all();
	pthread_mutex_lock(&G.mu);
	while (!quiet() && !G.quit && time(NULL) < give_up) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 20 * 1000 * 1000;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&G.cv, &G.mu, &ts);
		if (!quiet()) { /* a vCPU that entered the guest after the kick */
			pthread_mutex_unlock(&G.mu);
			gz_sim_registry_kick_all();
			pthread_mutex_lock(&G.mu);
		}
	}
	G.running = false;
	if (G.ev_cpu >= MAX_CPUS || (nr_cpus() && G.ev_cpu >= nr_cpus()))
		G.ev_cpu = 0;
	G.g_cpu = G.c_cpu = G.ev_cpu;
}

/* Let the vCPUs the debugger resumed go. Called with G.mu held. */
static void resume(void)
{
	bool changed = G.dirty;
	struct gz_cpu_ctx *c;

	G.dirty = false;
	for (unsigned i = 0; i < MAX_CPUS; i++) {
		struct gdb_cpu *cpu = &G.cpu[i];

		if (cpu->hold)
			continue;
		cpu->stepped = false;
		c = ctx_of(i);
		/* a watched access stopped here: let it go once */
		cpu->skip = G.ev_kind == STOP_WATCH && G.ev_cpu == i && c && c->pc == cpu->skip_pc;
		changed = true; /* steps come and go with resumes */
	}
	if (changed)
		atomic_fetch_add(&G.gen, 1);
	G.ev_kind = STOP_NONE;
	G.running = true;
	pthread_cond_broadcast(&G.cv);
}

static void clear_points(void)
{
	memset(G.bp_used, 0, sizeof(G.bp_used));
	memset(G.wp, 0, sizeof(G.wp));
	G.nr_wps = 0;
	G.dirty = true;
}

static void resume_all(void)
{
	for (unsigned i = 0; i < MAX_CPUS; i++) {
		G.cpu[i].hold = false;
		G.cpu[i].step = false;
	}
	resume();
}

/* ---- replies ------------------------------------------------------------------------------ */

static void send_raw(const char *p, size_t n)
{
	while (n && G.cfd >= 0) {
		ssize_t w = send(G.cfd, p, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return; /* the debugger went away: the read side will notice */
		p += w;
		n -= (size_t)w;
	}
}

static void send_packet(const char *data, size_t len)
{
	size_t n = gz_gdb_frame(data, len, frame, sizeof(frame));

	if (!n)
		n = gz_gdb_frame("E01", 3, frame, sizeof(frame));
	memcpy(last_frame, frame, n);
	last_len = n;
	send_raw(frame, n);
}

static void send_str(const char *s)
{
	send_packet(s, strlen(s));
}

static void stop_reply(void)
{
	static const char *const wnames[] = {"", "", "watch", "rwatch", "awatch"};
	char buf[96];
	int sig = G.ev_kind == STOP_INTR ? 2 : 5;
	int n = snprintf(buf, sizeof(buf), "T%02xthread:%x;", sig, G.ev_cpu + 1);

	if (G.ev_kind == STOP_WATCH && G.ev_wtype >= 2 && G.ev_wtype <= 4)
		snprintf(buf + n, sizeof(buf) - (size_t)n, "%s:%llx;", wnames[G.ev_wtype],
			 (unsigned long long)G.ev_addr);
	send_str(buf);
}

/* O packets, then OK: what a monitor command printed. */
static void send_console(const char *text)
{
	size_t len = strlen(text);

	for (size_t off = 0; off < len;) {
		size_t n = GZ_MIN(len - off, (size_t)1024);

		reply[0] = 'O';
		gz_gdb_hex_encode((const uint8_t *)text + off, n, reply + 1);
		send_packet(reply, 1 + 2 * n);
		off += n;
	}
	send_str("OK");
}

/* ---- commands ----------------------------------------------------------------------------- */

static struct gz_sim_gdb_mem mem_view(void)
{
	return (struct gz_sim_gdb_mem){G.cfg.ipa_ptr, G.cfg.arg};
}

static void read_regs(struct gz_cpu_ctx *c)
{
	size_t o = 0;
	uint8_t b[16];

	for (unsigned n = 0; n < gz_sim_gdb_nr_regs(); n++) {
		size_t sz = gz_sim_gdb_reg_read(c, n, b);

		gz_gdb_hex_encode(b, sz, reply + o);
		o += 2 * sz;
	}
	send_packet(reply, o);
}

static void write_regs(struct gz_cpu_ctx *c, const struct gz_gdb_cmd *cmd)
{
	uint8_t b[16];
	size_t o = 0;

	for (unsigned n = 0; n < gz_sim_gdb_nr_regs(); n++) {
		size_t sz = gz_sim_gdb_reg_size(n);
		uint8_t cur[16];

		if (o + 2 * sz > cmd->data_len)
			break;
		gz_gdb_hex_decode(cmd->data + o, sz, b);
		gz_sim_gdb_reg_read(c, n, cur);
		/* read-only registers and the mode must come back unchanged */
		if (memcmp(cur, b, sz) && !gz_sim_gdb_reg_write(c, n, b)) {
			send_str("E01");
			return;
		}
		o += 2 * sz;
	}
	send_str("OK");
}

static void read_mem(struct gz_cpu_ctx *c, const struct gz_gdb_cmd *cmd)
{
	static uint8_t buf[GZ_GDB_PKT_MAX / 2];
	struct gz_sim_gdb_mem m = mem_view();
	size_t n, len = (size_t)GZ_MIN(cmd->len, (uint64_t)sizeof(buf));

	if (!len) {
		send_str("");
		return;
	}
	n = gz_sim_gdb_mem_read(&m, c, true, cmd->addr, buf, len);
	if (!n) {
		send_str("E14");
		return;
	}
	gz_gdb_hex_encode(buf, n, reply);
	send_packet(reply, 2 * n);
}

static void write_mem(struct gz_cpu_ctx *c, const struct gz_gdb_cmd *cmd, bool hex)
{
	static uint8_t buf[GZ_GDB_PKT_MAX];
	struct gz_sim_gdb_mem m = mem_view();
	size_t len = (size_t)cmd->len;

	if (len > sizeof(buf)) {
		send_str("E01");
		return;
	}
	if (hex)
		gz_gdb_hex_decode(cmd->data, len, buf);
	else
		memcpy(buf, cmd->data, len);
	if (len && gz_sim_gdb_mem_write(&m, c, true, cmd->addr, buf, len) != len) {
		send_str("E14");
		return;
	}
	send_str("OK");
}

static void point(const struct gz_gdb_cmd *cmd, bool insert)
{
	int slot = -1;

	if (cmd->type <= 1) {
		for (unsigned i = 0; i < GZ_SIM_GDB_BPS; i++) {
			if (G.bp_used[i] && G.bp[i] == cmd->addr) {
				if (!insert)
					G.bp_used[i] = false;
				slot = (int)i;
				break;
			}
			if (!G.bp_used[i] && slot < 0)
				slot = (int)i;
		}
		if (insert && slot >= 0 && !G.bp_used[slot]) {
			G.bp[slot] = cmd->addr;
			G.bp_used[slot] = true;
		}
	} else {
		if (!cmd->len || cmd->len > GZ_PAGE_SIZE) {
			send_str("E22");
			return;
		}
		for (unsigned i = 0; i < MAX_WPS; i++) {
			struct gdb_wp *w = &G.wp[i];

			if (w->used && w->addr == cmd->addr && w->len == cmd->len &&
			    w->type == cmd->type) {
				if (!insert) {
					w->used = false;
					G.nr_wps--;
				}
				slot = (int)i;
				break;
			}
			if (!w->used && slot < 0)
				slot = (int)i;
		}
		if (insert && slot >= 0 && !G.wp[slot].used) {
			G.wp[slot] = (struct gdb_wp){true, cmd->type, cmd->addr, cmd->len};
			G.nr_wps++;
		}
	}
	if (insert && slot < 0) {
		send_str("E28"); /* ENOSPC: gdb says it could not insert it */
		return;
	}
	G.dirty = true;
	send_str("OK");
}

static unsigned thread_cpu(int64_t t, unsigned dflt)
{
	return t > 0 ? (unsigned)(t - 1) : dflt;
}

static bool thread_ok(int64_t t)
{
	return t == GZ_GDB_THREAD_ALL || t == GZ_GDB_THREAD_ANY || (t > 0 && t <= nr_cpus());
}

/* vCont: the leftmost action naming a vCPU applies to it. True when something runs. */
static bool vcont(const struct gz_gdb_cmd *cmd)
{
	bool any = false;

	for (unsigned i = 0; i < nr_cpus(); i++) {
		for (unsigned a = 0; a < cmd->nr_actions; a++) {
			const struct gz_gdb_vcont_action *act = &cmd->act[a];

			if (act->thread != GZ_GDB_THREAD_ALL && act->thread != (int64_t)i + 1)
				continue;
			if (act->op != 't') {
				G.cpu[i].hold = false;
				G.cpu[i].step = act->op == 's';
				any = true;
			}
			break;
		}
	}
	return any;
}

static void supported(void)
{
	send_str("PacketSize=4000;qXfer:features:read+;vContSupported+");
}

static void xfer_features(const struct gz_gdb_cmd *cmd)
{
	size_t len, n;
	const char *x = gz_sim_gdb_tdesc(cmd->annex, &len);

	if (!x) {
		send_str("E00");
		return;
	}
	if (cmd->addr >= len) {
		send_str("l");
		return;
	}
	n = (size_t)GZ_MIN((uint64_t)(len - cmd->addr), GZ_MIN(cmd->len, (uint64_t)4000));
	reply[0] = cmd->addr + n < len ? 'm' : 'l';
	memcpy(reply + 1, x + cmd->addr, n);
	send_packet(reply, n + 1);
}

static void monitor(const struct gz_gdb_cmd *cmd)
{
	static char out[8192];
	struct gz_sim_gdb_mon_env env = {
	    .vm = cur_vm(),
	    .vcpu = G.g_cpu,
	    .ctx = ctx_of(G.g_cpu),
	    .mem = mem_view(),
	    .exits = G.cpu[G.g_cpu].exits,
	    .nr_exits = G.cpu[G.g_cpu].nr_exits,
	};

	gz_sim_gdb_monitor(&env, cmd->data, out, sizeof(out));
	send_console(out);
}

/* Serve one packet; false when the session ends (kill, detach). Called with G.mu held. */
static bool serve(const char *pkt, size_t len)
{
	static struct gz_gdb_cmd cmd;
	struct gz_cpu_ctx *c;
	char buf[64];
	uint8_t b[16];

	gz_gdb_parse(pkt, len, &cmd);
	switch (cmd.kind) {
	case GZ_GDB_HALT_REASON:
		stop_reply();
		break;
	case GZ_GDB_READ_REGS:
	case GZ_GDB_WRITE_REGS:
	case GZ_GDB_READ_REG:
	case GZ_GDB_WRITE_REG:
	case GZ_GDB_READ_MEM:
	case GZ_GDB_WRITE_MEM:
	case GZ_GDB_WRITE_MEM_BIN:
		c = ctx_of(G.g_cpu);
		if (!c) {
			send_str("E03"); /* that vCPU never came to rest */
			break;
		}
		if (cmd.kind == GZ_GDB_READ_REGS) {
			read_regs(c);
		} else if (cmd.kind == GZ_GDB_WRITE_REGS) {
			write_regs(c, &cmd);
		} else if (cmd.kind == GZ_GDB_READ_REG) {
			size_t sz = gz_sim_gdb_reg_size(cmd.type);

			if (!sz) {
				send_str("E01");
				break;
			}
			gz_sim_gdb_reg_read(c, cmd.type, b);
			gz_gdb_hex_encode(b, sz, reply);
			send_packet(reply, 2 * sz);
		} else if (cmd.kind == GZ_GDB_WRITE_REG) {
			size_t sz = gz_sim_gdb_reg_size(cmd.type);

			if (!sz || cmd.data_len != 2 * sz) {
				send_str("E01");
				break;
			}
			gz_gdb_hex_decode(cmd.data, sz, b);
			send_str(gz_sim_gdb_reg_write(c, cmd.type, b) ? "OK" : "E01");
		} else if (cmd.kind == GZ_GDB_READ_MEM) {
			read_mem(c, &cmd);
		} else {
			write_mem(c, &cmd, cmd.kind == GZ_GDB_WRITE_MEM);
		}
		break;
	case GZ_GDB_INSERT_POINT:
	case GZ_GDB_REMOVE_POINT:
		point(&cmd, cmd.kind == GZ_GDB_INSERT_POINT);
		break;
	case GZ_GDB_SET_THREAD:
		if (!thread_ok(cmd.thread)) {
			send_str("E02");
			break;
		}
		if (cmd.op == 'g')
			G.g_cpu = thread_cpu(cmd.thread, G.g_cpu);
		else
			G.c_cpu = thread_cpu(cmd.thread, G.c_cpu);
		send_str("OK");
		break;
	case GZ_GDB_THREAD_ALIVE:
		send_str(cmd.thread > 0 && thread_ok(cmd.thread) ? "OK" : "E02");
		break;
	case GZ_GDB_CONTINUE:
	case GZ_GDB_STEP:
		if (cmd.len && (c = ctx_of(G.c_cpu)))
			c->pc = cmd.addr;
		if (cmd.kind == GZ_GDB_CONTINUE) {
			resume_all();
		} else {
			G.cpu[G.c_cpu].hold = false;
			G.cpu[G.c_cpu].step = true;
			resume();
		}
		break;
	case GZ_GDB_VCONT:
		if (vcont(&cmd))
			resume();
		else
			send_str("E01");
		break;
	case GZ_GDB_VCONT_QUERY:
		send_str("vCont;c;C;s;S;t");
		break;
	case GZ_GDB_DETACH:
		send_str("OK");
		return false;
	case GZ_GDB_KILL:
		if (G.cfg.kill)
			G.cfg.kill(G.cfg.arg);
		return false;
	case GZ_GDB_SUPPORTED:
		supported();
		break;
	case GZ_GDB_XFER_FEATURES:
		xfer_features(&cmd);
		break;
	case GZ_GDB_THREAD_FIRST:
	case GZ_GDB_THREAD_NEXT: {
		size_t o = 0;
		unsigned n = nr_cpus();

		if (cmd.kind == GZ_GDB_THREAD_FIRST)
			G.next_thread = 0;
		if (G.next_thread >= n) {
			send_str("l");
			break;
		}
		reply[o++] = 'm';
		for (; G.next_thread < n; G.next_thread++)
			o += (size_t)snprintf(reply + o, 16, "%s%x", o > 1 ? "," : "",
					      G.next_thread + 1);
		send_packet(reply, o);
		break;
	}
	case GZ_GDB_CURRENT_THREAD:
		snprintf(buf, sizeof(buf), "QC%x", G.g_cpu + 1);
		send_str(buf);
		break;
	case GZ_GDB_ATTACHED:
		send_str("1");
		break;
	case GZ_GDB_THREAD_EXTRA: {
		unsigned i = thread_cpu(cmd.thread, 0);
		const char *st = i < MAX_CPUS && G.cpu[i].state == CPU_ASLEEP ? "asleep" : "";

		snprintf(buf, sizeof(buf), "vCPU %u%s%s", i, *st ? ", " : "", st);
		gz_gdb_hex_encode((const uint8_t *)buf, strlen(buf), reply);
		send_packet(reply, 2 * strlen(buf));
		break;
	}
	case GZ_GDB_MONITOR:
		monitor(&cmd);
		break;
	case GZ_GDB_MALFORMED:
		send_str("E01");
		break;
	default:
		send_str("");
		break;
	}
	return true;
}

/* ---- the server thread -------------------------------------------------------------------- */

static void end_session(void)
{
	pthread_mutex_lock(&G.mu);
	clear_points();
	resume_all(); /* a debugger that goes away lets the guest run on */
	G.running = false;
	pthread_mutex_unlock(&G.mu);
	close(G.cfd);
	G.cfd = -1;
}

/* One debugger, from its connection to its end (detach, kill, hang-up, the VM's end). */
static void session(void)
{
	bool live = true;

	gz_gdb_rx_init(&rx);
	last_len = 0;
	pthread_mutex_lock(&G.mu);
	stop_all(STOP_INITIAL); /* a debugger attaches to a stopped target */
	pthread_mutex_unlock(&G.mu);
	while (live) {
		struct pollfd pfd[2] = {{.fd = G.cfd, .events = POLLIN},
					{.fd = G.ev[0], .events = POLLIN}};
		uint8_t in[4096];
		ssize_t n;

		if (poll(pfd, 2, 100) < 0 && errno != EINTR)
			break;
		if (pfd[1].revents & POLLIN) {
			char drain[64];

			if (read(G.ev[0], drain, sizeof(drain)) < 0)
				continue;
		}
		pthread_mutex_lock(&G.mu);
		if (G.quit) {
			char w[8];

			pthread_mutex_unlock(&G.mu);
			snprintf(w, sizeof(w), "W%02x", G.exit_status & 0xff);
			send_str(w);
			break;
		}
		if (G.running && G.ev_kind != STOP_NONE) {
			stop_all(G.ev_kind);
			stop_reply();
		}
		pthread_mutex_unlock(&G.mu);
		if (!(pfd[0].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		n = recv(G.cfd, in, sizeof(in), 0);
		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			break;
		}
		for (ssize_t i = 0; i < n && live; i++) {
			switch (gz_gdb_rx_byte(&rx, in[i])) {
			case GZ_GDB_RX_PACKET:
				send_raw("+", 1);
				pthread_mutex_lock(&G.mu);
				/* while it runs, only a stop (Ctrl-C) is the debugger's to send */
				live = G.running || serve(rx.buf, rx.len);
				pthread_mutex_unlock(&G.mu);
				break;
			case GZ_GDB_RX_BAD:
				send_raw("-", 1);
				break;
			case GZ_GDB_RX_NAK:
				send_raw(last_frame, last_len);
				break;
			case GZ_GDB_RX_INTR:
				pthread_mutex_lock(&G.mu);
				if (G.running) {
					stop_all(STOP_INTR);
					stop_reply();
				}
				pthread_mutex_unlock(&G.mu);
				break;
			default:
				break;
			}
		}
	}
	end_session();
}

static void *server_main(void *arg)
{
	int one = 1;

	(void)arg;
	for (;;) {
		struct pollfd pfd[2] = {{.fd = G.lfd, .events = POLLIN},
					{.fd = G.ev[0], .events = POLLIN}};
		bool quit;

		pthread_mutex_lock(&G.mu);
		quit = G.quit;
		pthread_mutex_unlock(&G.mu);
		if (quit)
			return NULL;
		if (poll(pfd, 2, 200) <= 0)
			continue;
		if (pfd[1].revents & POLLIN) {
			char drain[64];

			if (read(G.ev[0], drain, sizeof(drain)) < 0)
				continue;
		}
		if (!(pfd[0].revents & POLLIN))
			continue;
		G.cfd = accept4(G.lfd, NULL, NULL, SOCK_CLOEXEC);
		if (G.cfd < 0)
			continue;
		/* an ack and a reply are two small writes: Nagle would hold the reply back */
		setsockopt(G.cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		session();
	}
}

int gz_sim_gdb_start(const struct gz_sim_gdb_config *cfg, char *err, size_t errlen)
{
	struct sockaddr_in sa = {.sin_family = AF_INET,
				 .sin_port = htons(cfg->port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int one = 1;

	pthread_mutex_lock(&G.mu);
	G.cfg = *cfg;
	if (G.started) {
		pthread_mutex_unlock(&G.mu);
		return 0;
	}
	G.lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (G.lfd < 0 || setsockopt(G.lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(G.lfd, (struct sockaddr *)&sa, sizeof(sa)) || listen(G.lfd, 1) ||
	    pipe2(G.ev, O_CLOEXEC | O_NONBLOCK)) {
		snprintf(err, errlen, "gdb server: cannot listen on 127.0.0.1:%u: %s", cfg->port,
			 strerror(errno));
		if (G.lfd >= 0)
			close(G.lfd);
		G.lfd = -1;
		pthread_mutex_unlock(&G.mu);
		return -1;
	}
	for (unsigned i = 0; i < MAX_CPUS; i++)
		G.cpu[i] = (struct gdb_cpu){.hold = cfg->wait};
	G.ev_kind = STOP_NONE;
	G.quit = false;
	atomic_store(&G.gen, 1);
	G.started = true;
	atomic_store(&gz_sim_gdb_on, true);
	if (pthread_create(&G.thread, NULL, server_main, NULL)) {
		snprintf(err, errlen, "gdb server: cannot start its thread");
		G.started = false;
		atomic_store(&gz_sim_gdb_on, false);
		pthread_mutex_unlock(&G.mu);
		return -1;
	}
	pthread_mutex_unlock(&G.mu);
	fprintf(stderr, "gzvmm: gdb server on 127.0.0.1:%u%s\n", cfg->port,
		cfg->wait ? ", the guest waits for the debugger" : "");
	return 0;
}

void gz_sim_gdb_stop(int status)
{
	pthread_mutex_lock(&G.mu);
	if (!G.started) {
		pthread_mutex_unlock(&G.mu);
		return;
	}
	G.quit = true;
	G.exit_status = status;
	pthread_cond_broadcast(&G.cv);
	pthread_mutex_unlock(&G.mu);
	poke_server();
	pthread_join(G.thread, NULL);
	close(G.lfd);
	close(G.ev[0]);
	close(G.ev[1]);
	G.lfd = G.ev[0] = G.ev[1] = -1;
	pthread_mutex_lock(&G.mu);
	G.started = false;
	G.vm_known = false;
	clear_points();
	pthread_mutex_unlock(&G.mu);
	atomic_store(&gz_sim_gdb_on, false);
}
