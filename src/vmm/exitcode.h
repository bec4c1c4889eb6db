/* Process exit statuses of gzvmm: how the guest ended (see docs/vmm.md). */
#ifndef VMM_EXITCODE_H
#define VMM_EXITCODE_H

enum vmm_exit_status {
	VMM_EXIT_POWEROFF = 0, /* guest called PSCI SYSTEM_OFF */
	VMM_EXIT_ERROR = 1,    /* the VMM failed at run time (backend, ioctl, device) */
	VMM_EXIT_USAGE = 2,    /* bad argument or input file; nothing was run */
	VMM_EXIT_RESET = 3,    /* guest called PSCI SYSTEM_RESET */
	VMM_EXIT_CRASH = 4,    /* guest crashed (crash event, unhandled exit, failed entry) */
	VMM_EXIT_REFUSED = 5,  /* --pvmfw: the firmware refused to boot the kernel */
	/* 128 + signal number: stopped by SIGINT or SIGTERM. */
	VMM_EXIT_SIGNAL_BASE = 128,
};

#endif
