/* Exit traces (gzvmm --trace, gzsim/sim.h): every exit of a vCPU as one JSON line. An exit is
 * written once its handling is known, at the vCPU's next entry (or at the end): run.c notes
 * it when gz_hal_vcpu_run returns; the driver (ioctl path) and gzvmm say on the same thread
 * when it reached them; whoever saw it last handled it, and the host time from the exit to
 * the next entry is its cost. Exits the simulator's run loop gives the core's fast path are
 * written at once. Lines carry virtual time (instruction counts) first, host time last
 * ("host_ns"), so that two deterministic runs' traces differ only there. */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <arm64/esr.h>
#include "machine.h"
#include "trace.h"

static struct {
	pthread_mutex_t mu;
	FILE *f;
	uint64_t written, max;
	bool full;
} T = {.mu = PTHREAD_MUTEX_INITIALIZER};

static _Thread_local struct gz_sim_vcpu *last; /* the vCPU this thread ran last */

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

int gz_sim_trace_open(const char *path, uint64_t max_bytes)
{
	FILE *f = fopen(path, "we");

	if (!f)
		return -errno;
	pthread_mutex_lock(&T.mu);
	if (T.f)
		fclose(T.f);
	T.f = f;
	T.written = 0;
	T.max = max_bytes ? max_bytes : GZ_SIM_TRACE_MAX_DEFAULT;
	T.full = false;
	pthread_mutex_unlock(&T.mu);
	return 0;
}

bool gz_sim_trace_on(void)
{
	return T.f != NULL;
}

static void put_line(const char *line, size_t n)
{
	static const char trunc[] = "{\"truncated\":true}\n";

	pthread_mutex_lock(&T.mu);
	if (T.f && !T.full) {
		if (T.written + n + sizeof(trunc) > T.max) {
			fputs(trunc, T.f);
			T.full = true;
		} else {
			fwrite(line, 1, n, T.f);
			T.written += n;
		}
	}
	pthread_mutex_unlock(&T.mu);
}

static const char *reason_of(const struct gz_sim_trace_rec *r)
{
	switch (r->kind) {
	case GZ_EXIT_KIND_SYNC:
		return arm64_esr_ec_name(ESR_EC(r->esr));
	case GZ_EXIT_KIND_IRQ:
		return "irq";
	case GZ_EXIT_KIND_SERROR:
		return "serror";
	default:
		return "fail_entry";
	}
}

static void emit(const struct gz_sim_trace_rec *r, const char *handler, uint64_t host_ns)
{
	char line[512];
	int n;

	n = snprintf(line, sizeof(line),
		     "{\"vcpu\":%u,\"insns\":%" PRIu64 ",\"vcpu_insns\":%" PRIu64
		     ",\"reason\":\"%s\",\"ec\":%u,\"esr\":\"%#" PRIx64 "\",\"far\":\"%#" PRIx64
		     "\",\"ipa\":\"%#" PRIx64 "\",\"pc\":\"%#" PRIx64 "\",\"handler\":\"%s\"",
		     r->vcpu, r->insns, r->vcpu_insns, reason_of(r),
		     r->kind == GZ_EXIT_KIND_SYNC ? ESR_EC(r->esr) : 0, r->esr, r->far,
		     (r->hpfar >> 4) << 12 | (r->far & 0xfff), r->pc, handler);
	if (r->gzvm_exit)
		n += snprintf(line + n, sizeof(line) - (size_t)n, ",\"gzvm_exit\":\"%#x\"",
			      r->gzvm_exit);
	if (r->device[0])
		n += snprintf(line + n, sizeof(line) - (size_t)n, ",\"device\":\"%s\"", r->device);
	n += snprintf(line + n, sizeof(line) - (size_t)n, ",\"host_ns\":%" PRIu64 "}\n", host_ns);
	put_line(line, (size_t)n);
}

static void fill(struct gz_sim_trace_rec *r, const struct gz_sim_vcpu *v,
		 const struct gz_exit_record *x, const struct gz_cpu_ctx *ctx)
{
	memset(r, 0, sizeof(*r));
	r->vcpu = (unsigned)(ctx->vmpidr_el2 & 0xff);
	r->insns = gz_sim_insns();
	r->vcpu_insns = v->insns;
	r->kind = x->kind;
	r->esr = x->esr;
	r->far = x->far;
	r->hpfar = x->hpfar;
	r->pc = ctx->pc;
}

void gz_sim_trace_exit(struct gz_sim_vcpu *v, const struct gz_exit_record *x,
		       const struct gz_cpu_ctx *ctx)
{
	if (!T.f)
		return;
	fill(&v->trace, v, x, ctx);
	strcpy(v->trace.handler, "core");
	v->trace.t_exit = mono_ns();
	v->trace_pending = true;
	last = v;
}

void gz_sim_trace_fast(struct gz_sim_vcpu *v, const struct gz_exit_record *x,
		       const struct gz_cpu_ctx *ctx, uint64_t pc, uint64_t t0)
{
	struct gz_sim_trace_rec r;

	if (!T.f)
		return;
	fill(&r, v, x, ctx);
	r.pc = pc;
	emit(&r, "fast", mono_ns() - t0);
}

uint64_t gz_sim_trace_clock(void)
{
	return T.f ? mono_ns() : 0;
}

void gz_sim_trace_entry(struct gz_sim_vcpu *v)
{
	if (!v->trace_pending)
		return;
	v->trace_pending = false;
	emit(&v->trace, v->trace.handler, mono_ns() - v->trace.t_exit);
}

void gz_sim_trace_handled(const char *handler, uint32_t gzvm_exit, const char *device)
{
	struct gz_sim_vcpu *v = last;

	if (!T.f || !v || !v->trace_pending)
		return;
	snprintf(v->trace.handler, sizeof(v->trace.handler), "%s", handler);
	v->trace.gzvm_exit = gzvm_exit;
	snprintf(v->trace.device, sizeof(v->trace.device), "%s", device ? device : "");
}

void gz_sim_trace_forget(struct gz_sim_vcpu *v)
{
	gz_sim_trace_entry(v);
	if (last == v)
		last = NULL;
}

void gz_sim_trace_close(void)
{
	pthread_mutex_lock(&T.mu);
	if (T.f)
		fclose(T.f);
	T.f = NULL;
	pthread_mutex_unlock(&T.mu);
}
