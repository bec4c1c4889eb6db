/* gzsim-run: load a guest image (ELF or raw binary) into a VM of the simulator and run it
 * until it powers off. The guest's console goes to stdout (or --out), diagnostics to stderr.
 * Scheduling is deterministic: one physical CPU runs the vCPUs round-robin, an idle machine
 * jumps to the next timer deadline, so every run of a guest prints the same. */
#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <gzabi/status.h>
#include "runner.h"
#ifdef GZSIM_HAVE_DRV
#include <gzsim/driver.h>
#endif

static void usage(void)
{
	fprintf(stderr, "usage: gzsim-run --kernel IMAGE [--cpus N] [--mem MiB] [--slice INSNS]\n"
			"                 [--max-insns N] [--wall-clock] [--out FILE] [--stats]\n"
			"                 [--platform builtin|core]\n");
}

static int load_elf(struct run_vm *vm, const uint8_t *img, size_t len, uint64_t *entry)
{
	const Elf64_Ehdr *eh = (const void *)img;

	if (len < sizeof(*eh) || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_machine != EM_AARCH64 || eh->e_phentsize != sizeof(Elf64_Phdr) ||
	    eh->e_phoff > len || (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr) > len - eh->e_phoff)
		return GZ_ERR_INVALID_ARGS;
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph = (const void *)(img + eh->e_phoff + i * sizeof(Elf64_Phdr));

		if (ph->p_type != PT_LOAD)
			continue;
		if (ph->p_filesz > ph->p_memsz || ph->p_offset > len ||
		    ph->p_filesz > len - ph->p_offset || ph->p_paddr < RUN_RAM_BASE ||
		    ph->p_memsz > vm->ram_size ||
		    ph->p_paddr - RUN_RAM_BASE > vm->ram_size - ph->p_memsz)
			return GZ_ERR_OUT_OF_RANGE;
		memcpy(vm->ram + (ph->p_paddr - RUN_RAM_BASE), img + ph->p_offset, ph->p_filesz);
	}
	*entry = eh->e_entry;
	return GZ_OK;
}

static int load_image(struct run_vm *vm, const char *path, uint64_t *entry)
{
	FILE *f = fopen(path, "rb");
	uint8_t *img;
	long len;
	int r = GZ_OK;

	if (!f) {
		fprintf(stderr, "gzsim-run: %s: %s\n", path, strerror(errno));
		return GZ_ERR_NOT_FOUND;
	}
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	if (len <= 0 || (uint64_t)len > vm->ram_size - RUN_LOAD_OFFSET) {
		fclose(f);
		fprintf(stderr, "gzsim-run: %s: bad size\n", path);
		return GZ_ERR_TOO_BIG;
	}
	img = malloc((size_t)len);
	if (!img || fread(img, 1, (size_t)len, f) != (size_t)len) {
		fclose(f);
		free(img);
		return GZ_ERR_GENERIC;
	}
	fclose(f);
	if (len >= 4 && !memcmp(img, ELFMAG, SELFMAG)) {
		r = load_elf(vm, img, (size_t)len, entry);
	} else {
		memcpy(vm->ram + RUN_LOAD_OFFSET, img, (size_t)len);
		*entry = RUN_RAM_BASE + RUN_LOAD_OFFSET;
	}
	free(img);
	if (r)
		fprintf(stderr, "gzsim-run: %s: not a loadable aarch64 image (%d)\n", path, r);
	return r;
}

static bool parse_u64(const char *s, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	return !errno && *s && !*end;
}

int main(int argc, char **argv)
{
	static struct run_vm vm;
	struct gz_sim_config cfg = {.cpu_model = -1, .slice = 20000};
	const char *kernel = NULL, *out = NULL;
	uint64_t cpus = 1, mem_mib = 128, max_insns = 20000000000ULL, entry, v;
	bool stats = false, use_core = false;
	struct timespec t0, t1;
	int r;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *next = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--kernel") && next)
			kernel = argv[++i];
		else if (!strcmp(a, "--out") && next)
			out = argv[++i];
		else if (!strcmp(a, "--cpus") && next && parse_u64(argv[++i], &cpus) && cpus >= 1 &&
			 cpus <= RUN_MAX_CPUS)
			;
		else if (!strcmp(a, "--mem") && next && parse_u64(argv[++i], &mem_mib) &&
			 mem_mib >= 2 && mem_mib <= 4096)
			;
		else if (!strcmp(a, "--slice") && next && parse_u64(argv[++i], &v) && v >= 1000)
			cfg.slice = v;
		else if (!strcmp(a, "--max-insns") && next && parse_u64(argv[++i], &max_insns))
			;
		else if (!strcmp(a, "--wall-clock"))
			cfg.clock = GZ_SIM_CLOCK_WALL;
		else if (!strcmp(a, "--stats"))
			stats = true;
		else if (!strcmp(a, "--platform") && next) {
			i++;
			if (!strcmp(argv[i], "builtin"))
				use_core = false;
			else if (!strcmp(argv[i], "core"))
				use_core = true;
			else {
				usage();
				return 2;
			}
		} else {
			usage();
			return 2;
		}
	}
	if (!kernel) {
		usage();
		return 2;
	}
	cfg.phys_size = ((mem_mib + 128) << 20);
	if (use_core) {
#ifdef GZSIM_HAVE_DRV
		struct gz_sim_drv_config dcfg = {.machine = cfg};

		r = gz_sim_drv_init(&dcfg);
		if (r) {
			fprintf(stderr, "gzsim-run: in-process driver init failed (%d)\n", r);
			return 1;
		}
		vm.out = stdout;
		if (out && !(vm.out = fopen(out, "w"))) {
			fprintf(stderr, "gzsim-run: %s: %s\n", out, strerror(errno));
			return 1;
		}
		vm.ncpus = (unsigned)cpus;
		vm.ram_size = mem_mib << 20;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		r = run_via_core(&vm, kernel, 0, load_image);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		fflush(vm.out);
		if (stats)
			fprintf(stderr,
				"gzsim-run: %.3f s, %llu guest instructions, %llu VMM exits (%llu "
				"mmio)\n",
				(double)(t1.tv_sec - t0.tv_sec) +
				    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
				(unsigned long long)gz_sim_insns(), (unsigned long long)vm.nr_exits,
				(unsigned long long)vm.nr_mmio);
		if (out)
			fclose(vm.out);
		gz_sim_drv_fini();
		return r;
#else
		fprintf(stderr, "gzsim-run: built without the in-process driver\n");
		return 2;
#endif
	}
	r = gz_sim_init(&cfg);
	if (r) {
		fprintf(stderr, "gzsim-run: simulator init failed (%d)\n", r);
		return 1;
	}
	vm.out = stdout;
	if (out && !(vm.out = fopen(out, "w"))) {
		fprintf(stderr, "gzsim-run: %s: %s\n", out, strerror(errno));
		return 1;
	}
	vm.ncpus = (unsigned)cpus;
	vm.ram_size = mem_mib << 20;
	vm.ram = gz_sim_host_alloc(vm.ram_size);
	if (!vm.ram || run_s2_init(&vm)) {
		fprintf(stderr, "gzsim-run: out of simulated memory\n");
		return 1;
	}
	vm.ram_pa = gz_hal_va_to_pa(vm.ram);
	if (run_s2_map(&vm, RUN_RAM_BASE, vm.ram_pa, vm.ram_size, true, true))
		return 1;
	if (load_image(&vm, kernel, &entry))
		return 1;
	run_vcpu_reset(&vm, 0, entry, 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);

	while (!vm.off) {
		int pick = -1;
		uint64_t before;

		/* Fair and deterministic: the runnable vCPU that has run least goes next, for at
		 * most one slice, so a spinning vCPU cannot starve the one it waits for. */
		for (unsigned i = 0; i < vm.ncpus; i++) {
			struct run_vcpu *c = &vm.cpu[i];

			if (c->on && !c->idle && (pick < 0 || c->vtime < vm.cpu[pick].vtime))
				pick = (int)i;
		}
		if (pick >= 0) {
			struct run_vcpu *c = &vm.cpu[pick];
			bool was_idle[RUN_MAX_CPUS];

			for (unsigned i = 0; i < vm.ncpus; i++)
				was_idle[i] = !vm.cpu[i].on || vm.cpu[i].idle;
			before = gz_sim_insns();
			if (run_vcpu_once(&vm, (unsigned)pick) < 0) {
				vm.status = 1;
				break;
			}
			c->vtime += gz_sim_insns() - before + 1;
			/* A vCPU woken or started now joins at the present, not in the past. */
			for (unsigned i = 0; i < vm.ncpus; i++)
				if (was_idle[i] && vm.cpu[i].on && !vm.cpu[i].idle &&
				    vm.cpu[i].vtime < c->vtime)
					vm.cpu[i].vtime = c->vtime;
		} else if (!vm.off) {
			uint64_t next = run_check_timers(&vm), now = gz_hal_cntpct();
			bool any = false;

			for (unsigned i = 0; i < vm.ncpus; i++)
				any |= vm.cpu[i].on && !vm.cpu[i].idle;
			if (!any) {
				if (next == UINT64_MAX) {
					fprintf(
					    stderr,
					    "gzsim-run: every vCPU waits and no timer is armed\n");
					vm.status = 1;
					break;
				}
				if (next > now)
					gz_sim_advance(next -
						       now); /* idle: jump to the next deadline */
				run_check_timers(&vm);
			}
		}
		if (gz_sim_insns() > max_insns) {
			fprintf(stderr, "gzsim-run: instruction limit reached\n");
			vm.status = 1;
			break;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	fflush(vm.out);
	if (stats) {
		double s =
		    (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;

		fprintf(
		    stderr,
		    "gzsim-run: %.3f s, %llu guest instructions, %llu exits (%llu mmio, %llu hvc), "
		    "counter %llu\n",
		    s, (unsigned long long)gz_sim_insns(), (unsigned long long)vm.nr_exits,
		    (unsigned long long)vm.nr_mmio, (unsigned long long)vm.nr_hvc,
		    (unsigned long long)gz_hal_cntpct());
	}
	if (out)
		fclose(vm.out);
	gz_sim_fini();
	return vm.status;
}
