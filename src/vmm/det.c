/* gzvmm's side of a deterministic run (det.h): the scheduling-point hook, console input kept
 * for it, the record file written and the recording replayed. */
#include "det.h"
#include "exitcode.h"
#include "msg.h"
#include "vm.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const input_names[] = {
    [VMM_INPUT_PL011] = "pl011", [VMM_INPUT_VIRTIO] = "virtio", [VMM_INPUT_NONE] = "none"};

/* FNV-1a 64 of a whole file; -1 with errno on a read error. */
static int hash_file(const char *path, uint64_t *out)
{
	static uint8_t buf[1 << 16];
	uint64_t h = VMM_FNV_INIT;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		h = vmm_fnv1a(h, buf, (size_t)n);
	close(fd);
	*out = h;
	return n < 0 ? -1 : 0;
}

static int read_record(const char *path, struct vmm_record *r)
{
	char err[256];
	char *text;
	size_t len = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return vmm_report(VMM_EXIT_USAGE, "cannot open --replay file '%s': %s", path,
				  strerror(errno));
	text = malloc(VMM_RECORD_MAX_FILE + 1);
	if (!text) {
		close(fd);
		return vmm_report(VMM_EXIT_ERROR, "out of memory");
	}
	while (len <= VMM_RECORD_MAX_FILE &&
	       (n = read(fd, text + len, VMM_RECORD_MAX_FILE + 1 - len)) > 0)
		len += (size_t)n;
	close(fd);
	if (len > VMM_RECORD_MAX_FILE) {
		free(text);
		return vmm_report(VMM_EXIT_USAGE, "--replay file '%s' is too big", path);
	}
	if (vmm_record_parse(text, len, r, err, sizeof(err)) != 0) {
		free(text);
		return vmm_report(VMM_EXIT_USAGE, "--replay file '%s': %s", path, err);
	}
	free(text);
	return 0;
}

/* The recording must be of this guest, these disks and this machine. */
static int check_replay(struct vmm_vm *vm, uint64_t image, const uint64_t *disks)
{
	const struct vmm_config *cfg = vm->cfg;
	const struct vmm_record *r = &vm->det.replay;
	const char *f = cfg->replay;

	if (r->cpus != cfg->cpus)
		return vmm_report(VMM_EXIT_USAGE,
				  "--replay file '%s' is of a run with %u vCPUs, not %u", f,
				  r->cpus, cfg->cpus);
	if (strcmp(r->input_dev, input_names[cfg->input]) != 0)
		return vmm_report(VMM_EXIT_USAGE,
				  "--replay file '%s' has input for %s, this run's is %s", f,
				  r->input_dev, input_names[cfg->input]);
	if (r->image_hash != image)
		return vmm_report(VMM_EXIT_USAGE,
				  "--replay file '%s' is of another kernel or firmware", f);
	if (r->ndisks != cfg->ndisks)
		return vmm_report(VMM_EXIT_USAGE,
				  "--replay file '%s' is of a run with %u disks, not %u", f,
				  r->ndisks, cfg->ndisks);
	for (unsigned i = 0; i < r->ndisks; i++)
		if (r->disk_hash[i] != disks[i])
			return vmm_report(VMM_EXIT_USAGE,
					  "--replay file '%s': disk %u's contents differ from the "
					  "recording's",
					  f, i);
	return 0;
}

int vmm_det_prepare(struct vmm_vm *vm)
{
	const struct vmm_config *cfg = vm->cfg;
	struct vmm_det *d = &vm->det;
	const char *image = cfg->kernel ? cfg->kernel : cfg->bios;
	uint64_t ih = 0, dh[VMM_MAX_DISKS] = {0};
	int rc;

	d->on = cfg->backend == VMM_BACKEND_SIM && cfg->sim.deterministic;
	if (!d->on)
		return 0;
	pthread_mutex_init(&d->lock, NULL);
	vm->be.sim.epoch = VMM_DET_EPOCH;
	if (!cfg->record && !cfg->replay)
		return 0;
	if (hash_file(image, &ih) != 0)
		return vmm_report(VMM_EXIT_USAGE, "cannot read '%s': %s", image, strerror(errno));
	for (unsigned i = 0; i < cfg->ndisks; i++)
		if (hash_file(cfg->disks[i].path, &dh[i]) != 0)
			return vmm_report(VMM_EXIT_USAGE, "cannot read disk '%s': %s",
					  cfg->disks[i].path, strerror(errno));
	if (cfg->replay) {
		rc = read_record(cfg->replay, &d->replay);
		if (rc)
			return rc;
		d->replaying = true;
		rc = check_replay(vm, ih, dh);
		if (rc)
			return rc;
		vm->be.sim.seed = d->replay.seed;
		vm->be.sim.epoch = d->replay.epoch;
		return 0;
	}
	d->rec = fopen(cfg->record, "we");
	if (!d->rec)
		return vmm_report(VMM_EXIT_USAGE, "cannot create --record file '%s': %s",
				  cfg->record, strerror(errno));
	fprintf(d->rec, "%s\nseed %llu\nepoch %llu\ncpus %u\ninput-device %s\nimage %016llx\n",
		VMM_RECORD_MAGIC, (unsigned long long)vm->be.sim.seed,
		(unsigned long long)vm->be.sim.epoch, cfg->cpus, input_names[cfg->input],
		(unsigned long long)ih);
	for (unsigned i = 0; i < cfg->ndisks; i++)
		fprintf(d->rec, "disk %u %016llx\n", i, (unsigned long long)dh[i]);
	fflush(d->rec);
	return 0;
}

static uint64_t insns(struct vmm_vm *vm)
{
	return vm->be.ops->insns ? vm->be.ops->insns(&vm->be) : 0;
}

static void record_input(struct vmm_vm *vm, uint64_t step, const uint8_t *buf, size_t n)
{
	FILE *f = vm->det.rec;

	if (!f)
		return;
	fprintf(f, "input %llu %llu ", (unsigned long long)step, (unsigned long long)insns(vm));
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%02x", buf[i]);
	fputc('\n', f);
	fflush(f); /* a run that crashes keeps what it had */
}

static bool replay_step(struct vmm_vm *vm, uint64_t step, bool idle)
{
	struct vmm_det *d = &vm->det;
	const struct vmm_record *r = &d->replay;
	bool gave = false;

	while (d->next < r->nin && r->in[d->next].step <= step) {
		const struct vmm_record_input *in = &r->in[d->next];

		if (in->step != step || in->insns != insns(vm)) {
			fprintf(stderr,
				"gzvmm: replay: the run went another way than the recording "
				"(scheduling point %llu at %llu instructions, recorded %llu at "
				"%llu)\n",
				(unsigned long long)step, (unsigned long long)insns(vm),
				(unsigned long long)in->step, (unsigned long long)in->insns);
			vmm_vm_stop(vm, VMM_EXIT_ERROR);
			return false;
		}
		vmm_vm_input(vm, in->data, in->len);
		d->next++;
		gave = true;
	}
	if (d->next < r->nin || gave)
		return true;
	if (idle && !atomic_load(&vm->stopping)) {
		fprintf(stderr, "gzvmm: replay: the recording ends here, with the guest waiting "
				"for input\n");
		vmm_vm_stop(vm, VMM_EXIT_ERROR);
	}
	return false;
}

/* At every scheduling point, on the thread that holds the turn (sim/detsched.c). */
static bool sched_point(void *arg, uint64_t step, bool idle)
{
	struct vmm_vm *vm = arg;
	struct vmm_det *d = &vm->det;
	uint8_t buf[sizeof(d->pending)];
	size_t n;

	vmm_rtc_poll(&vm->rtc);
	if (d->replaying)
		return replay_step(vm, step, idle);
	pthread_mutex_lock(&d->lock);
	n = vmm_vm_input_space(vm);
	if (n > d->npending)
		n = d->npending;
	memcpy(buf, d->pending, n);
	memmove(d->pending, d->pending + n, d->npending - n);
	d->npending -= n;
	pthread_mutex_unlock(&d->lock);
	if (!n)
		return false;
	vmm_vm_input(vm, buf, n);
	record_input(vm, step, buf, n);
	return true;
}

static uint64_t rtc_seconds(void *arg)
{
	struct vmm_vm *vm = arg;

	return vm->be.sim.epoch + vm->be.ops->virtual_ns(&vm->be) / 1000000000ULL;
}

void vmm_det_start(struct vmm_vm *vm)
{
	if (!vm->det.on || !vm->be.ops->sched_hook)
		return;
	vm->be.ops->sched_hook(&vm->be, sched_point, vm);
	vmm_rtc_set_clock(&vm->rtc, rtc_seconds, vm);
}

void vmm_det_close(struct vmm_vm *vm)
{
	struct vmm_det *d = &vm->det;

	if (d->rec)
		fclose(d->rec);
	d->rec = NULL;
	vmm_record_free(&d->replay);
	if (d->on && vm->be.ops && vm->be.ops->sched_hook)
		vm->be.ops->sched_hook(&vm->be, NULL, NULL);
}

size_t vmm_det_input_space(struct vmm_vm *vm)
{
	struct vmm_det *d = &vm->det;
	size_t n;

	if (d->replaying)
		return 0; /* the recording's input, not stdin's */
	pthread_mutex_lock(&d->lock);
	n = sizeof(d->pending) - d->npending;
	pthread_mutex_unlock(&d->lock);
	return n;
}

void vmm_det_input(struct vmm_vm *vm, const uint8_t *buf, size_t n)
{
	struct vmm_det *d = &vm->det;

	pthread_mutex_lock(&d->lock);
	if (n > sizeof(d->pending) - d->npending)
		n = sizeof(d->pending) - d->npending;
	memcpy(d->pending + d->npending, buf, n);
	d->npending += n;
	pthread_mutex_unlock(&d->lock);
	/* An idle machine takes it now; a running one at its next scheduling point. */
	vm->be.ops->sched_poke(&vm->be);
}

void vmm_det_devices(struct vmm_vm *vm)
{
	bool again = true;

	while (again) {
		again = false;
		for (unsigned i = 0; i < vm->nvdevs; i++) {
			struct vmm_vdev *dev = vm->vdevs[i];

			if (!atomic_exchange(&dev->det_notified, false))
				continue;
			for (unsigned q = 0; q < dev->vd.ops->nqueues; q++)
				vmm_virtio_process(&dev->vd, q);
			again = true;
		}
	}
}
