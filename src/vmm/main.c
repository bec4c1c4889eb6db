/* gzvmm: the opengz user-space VMM. Parses the command line, builds the VM on the chosen
 * backend, runs it and turns the way the guest ended into the exit status (exitcode.h). */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "backend.h"
#include "cli.h"
#include "exitcode.h"
#include "pair.h"
#include "setup_stop.h"
#include "vm.h"

static struct vmm_config cfg;
static struct vmm_vm vm;

int main(int argc, char **argv)
{
	enum vmm_cli_action action;
	const struct vmm_backend_ops *ops;
	char err[512];
	int rc;

	if (vmm_cli_parse(argc, argv, &cfg, &action, err, sizeof(err)) != 0) {
		fprintf(stderr, "gzvmm: %s\n", err);
		return VMM_EXIT_USAGE;
	}
	if (action == VMM_CLI_HELP) {
		vmm_cli_usage(stdout);
		return 0;
	}
	if (action == VMM_CLI_VERSION) {
		printf("gzvmm (opengz) %s, backends: gzvm%s\n", GZ_VERSION,
		       vmm_backend_sim ? ", sim" : "");
		return 0;
	}
	/* Before any thread exists (the backend may start its own): SIGINT and SIGTERM must
	 * reach the event loop's signalfd, never a thread that would let them kill us. Until
	 * that loop runs, the set-up stop thread takes them (setup_stop.h). */
	{
		sigset_t set;

		sigemptyset(&set);
		sigaddset(&set, SIGINT);
		sigaddset(&set, SIGTERM);
		sigaddset(&set, VMM_KICK_SIGNAL);
		pthread_sigmask(SIG_BLOCK, &set, NULL);
	}
	vmm_setup_stop_arm();
	ops = cfg.backend == VMM_BACKEND_SIM ? vmm_backend_sim : &vmm_backend_gzvm;
	if (!ops) {
		fprintf(stderr, "gzvmm: this gzvmm was built without the simulator backend\n");
		return VMM_EXIT_USAGE;
	}
	if (cfg.peer_args)
		return vmm_pair_main(&cfg, ops);
	rc = vmm_vm_setup(&vm, &cfg, ops);
	vmm_setup_stop_disarm();
	if (rc == 0 && cfg.dry_run) {
		static const char *const fmt[] = {"Image", "ELF", "raw"};

		if (vm.boot.fmt == VMM_FMT_FIRMWARE)
			printf("firmware: %llu bytes in flash bank 0 at 0x%llx, entry 0x%llx\n",
			       (unsigned long long)vm.flash.fw_size,
			       (unsigned long long)VMM_FLASH_BASE,
			       (unsigned long long)vm.boot.entry);
		else
			printf("kernel: %s at 0x%llx-0x%llx, entry 0x%llx\n", fmt[vm.boot.fmt],
			       (unsigned long long)vm.boot.kernel_start,
			       (unsigned long long)vm.boot.kernel_end,
			       (unsigned long long)vm.boot.entry);
		if (vm.boot.initrd_size)
			printf("initrd: 0x%llx-0x%llx\n", (unsigned long long)vm.boot.initrd_start,
			       (unsigned long long)(vm.boot.initrd_start + vm.boot.initrd_size));
		printf("dtb: 0x%llx (%llu bytes)\n", (unsigned long long)vm.boot.dtb_addr,
		       (unsigned long long)vm.boot.dtb_size);
	} else if (rc == 0) {
		rc = vmm_vm_run(&vm);
		/* A guest reset restarts the VM in place unless --on-reset exit. */
		while (rc == VMM_EXIT_RESET && !cfg.reset_exits) {
			rc = vmm_vm_reboot(&vm);
			if (rc == 0)
				rc = vmm_vm_run(&vm);
		}
		if (cfg.stats)
			vmm_vm_print_stats(&vm, stderr);
		if (vm.be.ops && vm.be.ops->debug_stop)
			vm.be.ops->debug_stop(&vm.be, rc);
	}
	vmm_vm_teardown(&vm);
	return rc;
}
