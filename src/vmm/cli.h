/* gzvmm's command line: parsed into a vmm_config, or a one-line error message. Parsing never
 * touches files; the loaders check those. */
#ifndef VMM_CLI_H
#define VMM_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backend.h"
#include "layout.h"

#define VMM_STOP_TIMEOUT_DEFAULT 30U
#define VMM_STOP_TIMEOUT_MAX	 3600U
/* --vsock's PATH: "PATH_PORT" must fit an AF_UNIX address (108 bytes with the NUL). */
#define VMM_VSOCK_PATH_LEN_MAX 96U

enum vmm_backend_kind { VMM_BACKEND_GZVM, VMM_BACKEND_SIM };
enum vmm_console_kind { VMM_CONSOLE_STDIO, VMM_CONSOLE_FILE };
enum vmm_input_target { VMM_INPUT_PL011, VMM_INPUT_VIRTIO, VMM_INPUT_NONE };
enum vmm_cli_action { VMM_CLI_RUN, VMM_CLI_HELP, VMM_CLI_VERSION };
/* How the gzvm backend backs guest RAM (ram.c): 2 MiB pages gzvm.ko hands the hypervisor
 * whole (one stage-2 block each), or 4 KiB pages only. */
enum vmm_hugepages { VMM_HUGEPAGES_THP, VMM_HUGEPAGES_HUGETLB, VMM_HUGEPAGES_OFF };

struct vmm_disk_cfg {
	const char *path;
	bool ro;
};

struct vmm_config {
	enum vmm_backend_kind backend;
	const char *kernel;
	const char *initrd;
	const char *append;
	const char *dtb;
	const char *dump_dtb;
	uint64_t mem_size;
	unsigned cpus;
	struct vmm_disk_cfg disks[VMM_MAX_DISKS];
	unsigned ndisks;
	enum vmm_console_kind console;
	const char *console_path;
	enum vmm_input_target input;
	unsigned virtio_version; /* 2 (modern) or 1 (legacy) */
	bool rng;
	bool mmio_const; /* declare the virtio-mmio identification registers constant */
	bool stats;
	bool unassigned_zero;	 /* --unassigned zero: no abort for accesses to nothing */
	bool testdev;		 /* scratch register file for the test guests */
	bool dry_run;		 /* load and check everything, write --dump-dtb, run nothing */
	bool protected_vm;	 /* --protected: GZVM_CAP_PROTECTED_VM before anything else */
	struct vmm_sim_opts sim; /* --clock, --slice */
	uint64_t max_insns;	 /* --max-insns: stop the guest after this many; 0: no limit */
	const char *bios;	 /* firmware image for flash bank 0 */
	const char *bios_vars;	 /* file behind flash bank 1 */
	unsigned stop_timeout;	 /* seconds from the SIGTERM power key press to a hard stop */
	bool reset_exits;	 /* --on-reset exit: a guest reset ends gzvmm (status 3) */
	const char *peer_args;	 /* --peer-vm: a second VM's options (pair.c) */
	/* Set by pair.c, never by the command line: the VM has a channel end (its device tree
	 * gets the node), and the backend both VMs share (initialised once, not per VM). */
	bool channel;
	const struct vmm_backend *shared_be;
	/* Set by pair.c: the peer VM's --vsock CID when both VMs have one (the channel then
	 * carries vsock between them, docs/abi.md "vsock over a channel"); 0: none. */
	uint32_t peer_vsock_cid;
	/* --chan-region (the first VM of a --peer-vm pair): bytes of the channel's bulk region,
	 * owned by the first VM, at VMM_CHAN_REGION_BASE in both (docs/abi.md "A channel's
	 * bulk region"); 0: none. pair.c gives the peer the same size and sets which owns it. */
	uint64_t chan_region;
	bool chan_region_owner;
	uint64_t hyp_mem;     /* --hyp-mem: the VM's hypervisor memory quota (bytes); 0: default */
	bool prealloc;	      /* --prealloc: guest RAM populated up front (ram.c) */
	const char *mem_file; /* --mem-file: guest RAM is this file, mapped shared (ram.c) */
	uint8_t hugepages;    /* --hugepages: enum vmm_hugepages (ram.c) */
	const char *record;   /* --record: the run's inputs go to this file */
	const char *replay;   /* --replay: the inputs come from this file */
	const char *trace;    /* --trace: every exit as a JSON line */
	uint64_t trace_max;   /* --trace-max: bytes (0: the default) */
	uint32_t vsock_cid;   /* --vsock CID,PATH: the guest's CID; 0: no virtio-vsock */
	const char *vsock_path; /* its host-side AF_UNIX socket */
	const char *pvmfw;	/* --pvmfw: the protected VM boots through this firmware */
	const char *boot_sig;	/* --boot-sig: the kernel's signature block, for pvmfw */
	bool test_pvmfw_write;	/* --test-pvmfw-write: prove the firmware is locked */
	/* --net tap=NAME[,mac=...]: virtio-net on the TAP interface net_tap (NULL: none). */
	const char *net_tap;
	uint8_t net_mac[6];
	char net_tap_buf[16]; /* IFNAMSIZ */
	/* Storage for the path part of "--disk FILE,ro" (the argv string is not modified). */
	char disk_path_buf[VMM_MAX_DISKS][4096];
};

/* Fills cfg (defaults first) and *action. Returns 0, or -1 with a one-line message in err. */
int vmm_cli_parse(int argc, char *const argv[], struct vmm_config *cfg, enum vmm_cli_action *action,
		  char *err, size_t errlen);
/* Parses a memory size: a number with an optional K, M or G suffix (no suffix: MiB, as
 * QEMU's -m). Returns 0 or -1 on syntax error or overflow. */
int vmm_parse_size(const char *s, uint64_t *out);
void vmm_cli_usage(void *stream);

#endif
