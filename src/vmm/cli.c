/* Command-line parsing for gzvmm: every bad argument gets a one-line message. */
#include "cli.h"
#include "msg.h"
#include "virtio_net.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int vmm_parse_size(const char *s, uint64_t *out)
{
	uint64_t v = 0, mul = 1ULL << 20;
	const char *p = s;

	if (!s || *s < '0' || *s > '9')
		return -1;
	while (*p >= '0' && *p <= '9') {
		unsigned d = (unsigned)(*p - '0');

		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
		p++;
	}
	switch (*p) {
	case '\0':
		break;
	case 'k':
	case 'K':
		mul = 1ULL << 10;
		p++;
		break;
	case 'm':
	case 'M':
		p++;
		break;
	case 'g':
	case 'G':
		mul = 1ULL << 30;
		p++;
		break;
	default:
		return -1;
	}
	if (*p == 'B' || *p == 'b')
		p++;
	if (*p != '\0')
		return -1;
	if (v > UINT64_MAX / mul)
		return -1;
	*out = v * mul;
	return 0;
}

void vmm_cli_usage(void *stream)
{
	fprintf(
	    (FILE *)stream,
	    "usage: gzvmm run [options] --kernel FILE | --bios FILE\n"
	    "       gzvmm --help | --version\n"
	    "\n"
	    "options of 'run':\n"
	    "  --backend gzvm|sim       hypervisor: /dev/gzvm (default) or the in-process "
	    "simulator\n"
	    "  --kernel FILE            arm64 Linux Image, ELF or raw binary (loaded at "
	    "RAM+0x80000)\n"
	    "  --initrd FILE            initial ramdisk\n"
	    "  --append STR             kernel command line (/chosen/bootargs)\n"
	    "  --dtb FILE               use this device tree instead of the generated one\n"
	    "  --mem SIZE               guest RAM, e.g. 256M or 1G (no suffix: MiB; default 256M)\n"
	    "  --cpus N                 vCPUs, 1..%u (default 1)\n"
	    "  --disk FILE[,ro]         virtio-blk disk backed by a raw file (repeatable, up to "
	    "%u)\n"
	    "  --net tap=NAME[,mac=XX:XX:XX:XX:XX:XX]\n"
	    "                           virtio-net on the existing TAP interface NAME (default "
	    "MAC\n"
	    "                           52:54:00:12:34:56)\n"
	    "  --console stdio|file:PATH  where guest console output goes (default stdio)\n"
	    "  --input pl011|virtio|none  which device receives stdin (default pl011)\n"
	    "  --virtio-version 1|2     virtio-mmio transport version (default 2)\n"
	    "  --no-rng                 no virtio-rng device\n"
	    "  --dump-dtb FILE          write the device tree blob to FILE and continue\n"
	    "  --stats                  print exits by reason and per device at the end\n"
	    "  --dry-run                load and check everything, print the placement, run "
	    "nothing\n"
	    "  --protected              a protected VM: the host gives up its memory and "
	    "registers\n"
	    "  --pvmfw FILE             with --protected: boot through this firmware (opengz's "
	    "pvmfw),\n"
	    "                           which verifies the kernel before it runs "
	    "(docs/security.md)\n"
	    "  --boot-sig FILE          the kernel's boot signature block (gz-sign), for pvmfw\n"
	    "  --test-pvmfw-write       (test) write the firmware after the host gave it up: must "
	    "fault\n"
	    "  --hyp-mem SIZE           the VM's quota of the hypervisor's memory (stage-2 "
	    "tables,\n"
	    "                           vCPUs), e.g. 8M (default: the hypervisor's)\n"
	    "  --prealloc               guest RAM populated and locked before the VM is made; "
	    "too\n"
	    "                           little memory (host, memory cgroup) is a one-line "
	    "error\n"
	    "  --mem-file PATH          guest RAM is the file PATH (created, shared; gzvm "
	    "backend)\n"
	    "  --hugepages thp|hugetlb|off  guest RAM in 2 MiB pages the hypervisor maps "
	    "whole:\n"
	    "                           transparent huge pages (default), hugetlbfs pages "
	    "(the\n"
	    "                           host's reserved pool), or 4 KiB pages only (gzvm "
	    "backend)\n"
	    "  --bios FILE              firmware (EDK2, U-Boot) in flash at 0, executing in place\n"
	    "  --bios-vars FILE         the firmware's variable store: the second flash bank, kept "
	    "in\n"
	    "                           FILE (exactly 64 MiB; changes persist)\n"
	    "  --stop-timeout SECONDS   after SIGTERM pressed the power key, stop the guest hard "
	    "this\n"
	    "                           much later (default %u; 0: at once)\n"
	    "  --on-reset restart|exit  a guest reset restarts the VM (default) or ends gzvmm "
	    "(status 3)\n"
	    "  --no-mmio-const          every virtio-mmio register read comes to gzvmm (by "
	    "default\n"
	    "                           the hypervisor answers the identification registers)\n"
	    "  --vsock CID,PATH         virtio-vsock with guest CID (3 to 4294967294): host "
	    "programs\n"
	    "                           reach guest ports through the AF_UNIX socket PATH "
	    "(\"CONNECT\n"
	    "                           <port>\\n\"), the guest reaches host port P at PATH_P\n"
	    "  --peer-vm 'OPTIONS'      a second VM in this process (its own options, blank "
	    "separated,\n"
	    "                           on the first VM's backend) joined to the first by a "
	    "hypervisor\n"
	    "                           channel (doorbell SPI %u in both); a reset ends a VM\n"
	    "  --chan-region SIZE       with --peer-vm: the channel's bulk region, SIZE bytes (up "
	    "to 2M)\n"
	    "                           of memory mapped in both VMs, the host's no more\n"
	    "options of the sim backend:\n"
	    "  --clock insns|wall       counter from executed instructions (deterministic, "
	    "default)\n"
	    "                           or from the host's clock\n"
	    "  --slice N                instructions a vCPU runs before a scheduling exit "
	    "(>= 1000)\n"
	    "  --max-insns N            stop the guest (status 1) once it executed more than N "
	    "instructions\n"
	    "  --gdb PORT               gdb server on 127.0.0.1:PORT, one thread per vCPU "
	    "(docs/debugging.md)\n"
	    "  --gdb-wait               the guest waits for the debugger before its first "
	    "instruction\n"
	    "  --deterministic          vCPUs take turns in virtual time: every run of a guest "
	    "with\n"
	    "                           the same inputs is the same, SMP included\n"
	    "  --seed N                 the order of those turns (implies --deterministic; "
	    "default 0)\n"
	    "  --record FILE            deterministic, and keep the run's inputs in FILE\n"
	    "  --replay FILE            run again what --record kept (its input, not stdin's)\n"
	    "  --trace FILE             every exit as a JSON line (scripts/trace-summary)\n"
	    "  --trace-max SIZE         stop tracing at SIZE bytes (default 1G)\n"
	    "  --sim-pvmfw-key FILE     the platform's trusted key for pvmfw (gz-sign's .pub), "
	    "as a\n"
	    "                           secure boot would give it to the hypervisor\n"
	    "  --sim-attest-key FILE    write the platform's attestation public key to FILE "
	    "(hex),\n"
	    "                           as gzhyp's boot log publishes it\n"
	    "  --sim-attest-root FILE   the platform's attestation root (gz-sign's .sec), which\n"
	    "                           certifies the attestation key at the hypervisor's start\n"
	    "  --sim-attest-cert FILE   write that certificate to FILE (hex), as gzhyp's boot log\n"
	    "                           publishes it\n"
	    "\n"
	    "exit status: 0 power off, 1 VMM error, 2 bad argument or file, 3 guest reset\n"
	    "             (--on-reset exit), 4 guest crash, 5 pvmfw refused the kernel,\n"
	    "             128+N stopped by signal N\n",
	    VMM_MAX_CPUS, VMM_MAX_DISKS, VMM_STOP_TIMEOUT_DEFAULT, VMM_CHAN_SPI);
}

static void defaults(struct vmm_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->backend = VMM_BACKEND_GZVM;
	cfg->mem_size = VMM_MEM_DEFAULT;
	cfg->cpus = 1;
	cfg->console = VMM_CONSOLE_STDIO;
	cfg->input = VMM_INPUT_PL011;
	cfg->virtio_version = 2;
	cfg->rng = true;
	cfg->mmio_const = true;
	cfg->stop_timeout = VMM_STOP_TIMEOUT_DEFAULT;
}

enum opt_id {
	O_BACKEND,
	O_KERNEL,
	O_INITRD,
	O_APPEND,
	O_DTB,
	O_MEM,
	O_CPUS,
	O_DISK,
	O_NET,
	O_CONSOLE,
	O_INPUT,
	O_VIRTIO_VERSION,
	O_NO_RNG,
	O_DUMP_DTB,
	O_STATS,
	O_DRY_RUN,
	O_TESTDEV,
	O_PROTECTED,
	O_UNASSIGNED,
	O_CLOCK,
	O_SLICE,
	O_MAX_INSNS,
	O_GDB,
	O_GDB_WAIT,
	O_BIOS,
	O_BIOS_VARS,
	O_STOP_TIMEOUT,
	O_ON_RESET,
	O_NO_MMIO_CONST,
	O_PEER_VM,
	O_HYP_MEM,
	O_CHAN_REGION,
	O_PVMFW,
	O_BOOT_SIG,
	O_TEST_PVMFW_WRITE,
	O_SIM_PVMFW_KEY,
	O_SIM_ATTEST_KEY,
	O_SIM_ATTEST_ROOT,
	O_SIM_ATTEST_CERT,
	O_PREALLOC,
	O_MEM_FILE,
	O_HUGEPAGES,
	O_DETERMINISTIC,
	O_SEED,
	O_RECORD,
	O_REPLAY,
	O_TRACE,
	O_TRACE_MAX,
	O_VSOCK,
	O_HELP,
	O_VERSION,
	O_COUNT
};

static const struct {
	const char *name;
	bool has_arg;
	bool repeatable;
	bool sim_only; /* meaningful with --backend sim only */
} opts[O_COUNT] = {
    [O_BACKEND] = {"--backend", true, false, false},
    [O_KERNEL] = {"--kernel", true, false, false},
    [O_INITRD] = {"--initrd", true, false, false},
    [O_APPEND] = {"--append", true, false, false},
    [O_DTB] = {"--dtb", true, false, false},
    [O_MEM] = {"--mem", true, false, false},
    [O_CPUS] = {"--cpus", true, false, false},
    [O_DISK] = {"--disk", true, true, false},
    [O_NET] = {"--net", true, false, false},
    [O_CONSOLE] = {"--console", true, false, false},
    [O_INPUT] = {"--input", true, false, false},
    [O_VIRTIO_VERSION] = {"--virtio-version", true, false, false},
    [O_NO_RNG] = {"--no-rng", false, false, false},
    [O_DUMP_DTB] = {"--dump-dtb", true, false, false},
    [O_STATS] = {"--stats", false, false, false},
    [O_DRY_RUN] = {"--dry-run", false, false, false},
    [O_TESTDEV] = {"--testdev", false, false, false},
    [O_PROTECTED] = {"--protected", false, false, false},
    [O_UNASSIGNED] = {"--unassigned", true, false, false},
    [O_CLOCK] = {"--clock", true, false, true},
    [O_SLICE] = {"--slice", true, false, true},
    [O_MAX_INSNS] = {"--max-insns", true, false, true},
    [O_GDB] = {"--gdb", true, false, true},
    [O_GDB_WAIT] = {"--gdb-wait", false, false, true},
    [O_BIOS] = {"--bios", true, false, false},
    [O_BIOS_VARS] = {"--bios-vars", true, false, false},
    [O_STOP_TIMEOUT] = {"--stop-timeout", true, false, false},
    [O_ON_RESET] = {"--on-reset", true, false, false},
    [O_NO_MMIO_CONST] = {"--no-mmio-const", false, false, false},
    [O_PEER_VM] = {"--peer-vm", true, false, false},
    [O_HYP_MEM] = {"--hyp-mem", true, false, false},
    [O_CHAN_REGION] = {"--chan-region", true, false, false},
    [O_PVMFW] = {"--pvmfw", true, false, false},
    [O_BOOT_SIG] = {"--boot-sig", true, false, false},
    [O_TEST_PVMFW_WRITE] = {"--test-pvmfw-write", false, false, false},
    [O_SIM_PVMFW_KEY] = {"--sim-pvmfw-key", true, false, true},
    [O_SIM_ATTEST_KEY] = {"--sim-attest-key", true, false, true},
    [O_SIM_ATTEST_ROOT] = {"--sim-attest-root", true, false, true},
    [O_SIM_ATTEST_CERT] = {"--sim-attest-cert", true, false, true},
    [O_PREALLOC] = {"--prealloc", false, false, false},
    [O_MEM_FILE] = {"--mem-file", true, false, false},
    [O_HUGEPAGES] = {"--hugepages", true, false, false},
    [O_DETERMINISTIC] = {"--deterministic", false, false, true},
    [O_SEED] = {"--seed", true, false, true},
    [O_RECORD] = {"--record", true, false, true},
    [O_REPLAY] = {"--replay", true, false, true},
    [O_TRACE] = {"--trace", true, false, true},
    [O_TRACE_MAX] = {"--trace-max", true, false, true},
    [O_VSOCK] = {"--vsock", true, false, false},
    [O_HELP] = {"--help", false, true, false},
    [O_VERSION] = {"--version", false, true, false},
};

static int find_opt(const char *arg, const char **inline_val)
{
	*inline_val = NULL;
	for (int i = 0; i < O_COUNT; i++) {
		size_t n = strlen(opts[i].name);

		if (strncmp(arg, opts[i].name, n) != 0)
			continue;
		if (arg[n] == '\0')
			return i;
		if (arg[n] == '=') {
			*inline_val = arg + n + 1;
			return i;
		}
	}
	return -1;
}

static int parse_disk(struct vmm_config *cfg, const char *v, char *err, size_t errlen)
{
	struct vmm_disk_cfg *d;
	const char *comma = strrchr(v, ',');
	size_t plen = comma ? (size_t)(comma - v) : strlen(v);

	if (cfg->ndisks >= VMM_MAX_DISKS)
		return vmm_fail(err, errlen, "too many --disk options (at most %u)", VMM_MAX_DISKS);
	if (comma && strcmp(comma + 1, "ro") != 0)
		return vmm_fail(err, errlen, "invalid --disk option '%s' (only ',ro' is known)",
				comma + 1);
	if (plen == 0)
		return vmm_fail(err, errlen, "--disk needs a file name");
	if (plen >= sizeof(cfg->disk_path_buf[0]))
		return vmm_fail(err, errlen, "--disk file name too long");
	d = &cfg->disks[cfg->ndisks];
	memcpy(cfg->disk_path_buf[cfg->ndisks], v, plen);
	cfg->disk_path_buf[cfg->ndisks][plen] = '\0';
	d->path = cfg->disk_path_buf[cfg->ndisks];
	d->ro = comma != NULL;
	cfg->ndisks++;
	return 0;
}

/* "CID,PATH": CIDs 0 (hypervisor), 1 (local), 2 (host) and U32_MAX (any) are not a
 * guest's. */
static int parse_vsock(struct vmm_config *cfg, const char *v, char *err, size_t errlen)
{
	const char *comma = strchr(v, ',');
	unsigned long long cid = 0;
	bool ok = comma && comma != v;

	for (const char *p = v; ok && p < comma; p++) {
		ok = *p >= '0' && *p <= '9' && cid <= UINT32_MAX;
		cid = cid * 10 + (unsigned)(*p - '0');
	}
	if (!ok || cid < 3 || cid >= UINT32_MAX)
		return vmm_fail(err, errlen,
				"invalid --vsock '%s' (CID,PATH with a CID of 3 to 4294967294)", v);
	if (comma[1] == '\0')
		return vmm_fail(err, errlen, "--vsock needs a socket path after the CID");
	if (strlen(comma + 1) > VMM_VSOCK_PATH_LEN_MAX)
		return vmm_fail(err, errlen, "--vsock path is too long (at most %u bytes)",
				VMM_VSOCK_PATH_LEN_MAX);
	cfg->vsock_cid = (uint32_t)cid;
	cfg->vsock_path = comma + 1;
	return 0;
}

static int parse_net(struct vmm_config *cfg, const char *v, char *err, size_t errlen)
{
	static const uint8_t def_mac[VMM_NET_MAC_LEN] = VMM_NET_MAC_DEFAULT;
	const char *name = v + 4, *comma;
	size_t nlen;

	if (strncmp(v, "tap=", 4) != 0)
		return vmm_fail(err, errlen,
				"invalid --net '%s' (tap=NAME[,mac=XX:XX:XX:XX:XX:XX])", v);
	comma = strchr(name, ',');
	nlen = comma ? (size_t)(comma - name) : strlen(name);
	if (nlen == 0)
		return vmm_fail(err, errlen, "--net tap= needs an interface name");
	if (nlen >= sizeof(cfg->net_tap_buf))
		return vmm_fail(err, errlen, "tap name '%.*s' is too long (at most %zu characters)",
				(int)nlen, name, sizeof(cfg->net_tap_buf) - 1);
	memcpy(cfg->net_tap_buf, name, nlen);
	cfg->net_tap_buf[nlen] = '\0';
	cfg->net_tap = cfg->net_tap_buf;
	memcpy(cfg->net_mac, def_mac, sizeof(def_mac));
	if (!comma)
		return 0;
	if (strncmp(comma + 1, "mac=", 4) != 0)
		return vmm_fail(err, errlen,
				"invalid --net option '%s' (only mac=XX:XX:XX:XX:XX:XX is known)",
				comma + 1);
	if (vmm_net_parse_mac(comma + 5, cfg->net_mac) != 0)
		return vmm_fail(
		    err, errlen,
		    "invalid MAC address '%s' (six hex bytes such as 52:54:00:12:34:56, "
		    "unicast, not all zeros)",
		    comma + 5);
	return 0;
}

/* A count: decimal or 0x hex, at least min. */
static int parse_count(const char *name, const char *v, uint64_t min, uint64_t *out, char *err,
		       size_t errlen)
{
	char *end;

	errno = 0;
	*out = strtoull(v, &end, 0);
	if (*v < '0' || *v > '9' || *end != '\0' || errno || *out < min)
		return vmm_fail(err, errlen, "invalid %s '%s' (a number, at least %llu)", name, v,
				(unsigned long long)min);
	return 0;
}

static int apply(struct vmm_config *cfg, int id, const char *v, char *err, size_t errlen)
{
	switch (id) {
	case O_BACKEND:
		if (strcmp(v, "gzvm") == 0)
			cfg->backend = VMM_BACKEND_GZVM;
		else if (strcmp(v, "sim") == 0)
			cfg->backend = VMM_BACKEND_SIM;
		else
			return vmm_fail(err, errlen, "unknown backend '%s' (gzvm or sim)", v);
		return 0;
	case O_KERNEL:
		cfg->kernel = v;
		break;
	case O_INITRD:
		cfg->initrd = v;
		break;
	case O_APPEND:
		cfg->append = v;
		return 0;
	case O_DTB:
		cfg->dtb = v;
		break;
	case O_DUMP_DTB:
		cfg->dump_dtb = v;
		break;
	case O_MEM:
		if (vmm_parse_size(v, &cfg->mem_size) != 0)
			return vmm_fail(err, errlen,
					"invalid --mem '%s' (a size such as 256M or 1G)", v);
		if (cfg->mem_size < VMM_MEM_MIN || cfg->mem_size > VMM_MEM_MAX)
			return vmm_fail(err, errlen, "--mem '%s' out of range (2M to 8G)", v);
		if (cfg->mem_size % VMM_SZ_2M)
			return vmm_fail(err, errlen, "--mem '%s' is not a multiple of 2M", v);
		return 0;
	case O_CPUS: {
		char *end;
		unsigned long n;

		errno = 0;
		n = strtoul(v, &end, 10);
		if (*v < '0' || *v > '9' || *end != '\0' || errno || n < 1 || n > VMM_MAX_CPUS)
			return vmm_fail(err, errlen, "invalid --cpus '%s' (1 to %u)", v,
					VMM_MAX_CPUS);
		cfg->cpus = (unsigned)n;
		return 0;
	}
	case O_DISK:
		return parse_disk(cfg, v, err, errlen);
	case O_NET:
		return parse_net(cfg, v, err, errlen);
	case O_CONSOLE:
		if (strcmp(v, "stdio") == 0) {
			cfg->console = VMM_CONSOLE_STDIO;
			return 0;
		}
		if (strncmp(v, "file:", 5) == 0 && v[5] != '\0') {
			cfg->console = VMM_CONSOLE_FILE;
			cfg->console_path = v + 5;
			return 0;
		}
		return vmm_fail(err, errlen, "invalid --console '%s' (stdio or file:PATH)", v);
	case O_INPUT:
		if (strcmp(v, "pl011") == 0)
			cfg->input = VMM_INPUT_PL011;
		else if (strcmp(v, "virtio") == 0)
			cfg->input = VMM_INPUT_VIRTIO;
		else if (strcmp(v, "none") == 0)
			cfg->input = VMM_INPUT_NONE;
		else
			return vmm_fail(err, errlen, "invalid --input '%s' (pl011, virtio or none)",
					v);
		return 0;
	case O_VIRTIO_VERSION:
		if (strcmp(v, "1") == 0)
			cfg->virtio_version = 1;
		else if (strcmp(v, "2") == 0)
			cfg->virtio_version = 2;
		else
			return vmm_fail(err, errlen, "invalid --virtio-version '%s' (1 or 2)", v);
		return 0;
	case O_NO_RNG:
		cfg->rng = false;
		return 0;
	case O_NO_MMIO_CONST:
		cfg->mmio_const = false;
		return 0;
	case O_STATS:
		cfg->stats = true;
		return 0;
	case O_DRY_RUN:
		cfg->dry_run = true;
		return 0;
	case O_TESTDEV:
		cfg->testdev = true;
		return 0;
	case O_PROTECTED:
		cfg->protected_vm = true;
		return 0;
	case O_PVMFW:
		cfg->pvmfw = v;
		break;
	case O_BOOT_SIG:
		cfg->boot_sig = v;
		break;
	case O_TEST_PVMFW_WRITE:
		cfg->test_pvmfw_write = true;
		return 0;
	case O_SIM_PVMFW_KEY:
		cfg->sim.pvmfw_key = v;
		break;
	case O_SIM_ATTEST_KEY:
		cfg->sim.attest_key = v;
		break;
	case O_SIM_ATTEST_ROOT:
		cfg->sim.attest_root = v;
		break;
	case O_SIM_ATTEST_CERT:
		cfg->sim.attest_cert = v;
		break;
	case O_UNASSIGNED:
		if (strcmp(v, "abort") == 0)
			cfg->unassigned_zero = false;
		else if (strcmp(v, "zero") == 0)
			cfg->unassigned_zero = true;
		else
			return vmm_fail(err, errlen, "invalid --unassigned '%s' (abort or zero)",
					v);
		return 0;
	case O_CLOCK:
		if (strcmp(v, "insns") == 0)
			cfg->sim.wall_clock = false;
		else if (strcmp(v, "wall") == 0)
			cfg->sim.wall_clock = true;
		else
			return vmm_fail(err, errlen, "invalid --clock '%s' (insns or wall)", v);
		return 0;
	case O_SLICE:
		return parse_count("--slice", v, 1000, &cfg->sim.slice, err, errlen);
	case O_MAX_INSNS:
		return parse_count("--max-insns", v, 1, &cfg->max_insns, err, errlen);
	case O_GDB: {
		uint64_t port;

		if (parse_count("--gdb", v, 1, &port, err, errlen) != 0 || port > 65535)
			return vmm_fail(err, errlen, "invalid --gdb port '%s' (1 to 65535)", v);
		cfg->sim.gdb_port = (uint16_t)port;
		return 0;
	}
	case O_GDB_WAIT:
		cfg->sim.gdb_wait = true;
		return 0;
	case O_DETERMINISTIC:
		cfg->sim.deterministic = true;
		return 0;
	case O_SEED:
		cfg->sim.deterministic = true;
		return parse_count("--seed", v, 0, &cfg->sim.seed, err, errlen);
	case O_RECORD:
		cfg->sim.deterministic = true;
		cfg->record = v;
		break;
	case O_REPLAY:
		cfg->sim.deterministic = true;
		cfg->replay = v;
		break;
	case O_TRACE:
		cfg->trace = v;
		break;
	case O_TRACE_MAX:
		if (vmm_parse_size(v, &cfg->trace_max) != 0 || cfg->trace_max < 4096)
			return vmm_fail(
			    err, errlen,
			    "invalid --trace-max '%s' (a size of at least 4K, such as 64M)", v);
		return 0;
	case O_BIOS:
		cfg->bios = v;
		break;
	case O_BIOS_VARS:
		cfg->bios_vars = v;
		break;
	case O_STOP_TIMEOUT: {
		uint64_t n;

		if (parse_count("--stop-timeout", v, 0, &n, err, errlen) != 0)
			return -1;
		if (n > VMM_STOP_TIMEOUT_MAX)
			return vmm_fail(err, errlen, "--stop-timeout '%s' out of range (0 to %u)",
					v, VMM_STOP_TIMEOUT_MAX);
		cfg->stop_timeout = (unsigned)n;
		return 0;
	}
	case O_VSOCK:
		return parse_vsock(cfg, v, err, errlen);
	case O_PEER_VM:
		if (*v == '\0')
			return vmm_fail(err, errlen, "--peer-vm needs the second VM's options");
		cfg->peer_args = v;
		return 0;
	case O_HYP_MEM:
		if (vmm_parse_size(v, &cfg->hyp_mem) != 0 || cfg->hyp_mem < VMM_PAGE_SIZE)
			return vmm_fail(err, errlen,
					"invalid --hyp-mem '%s' (a size such as 8M, at least 4K)",
					v);
		cfg->hyp_mem = (cfg->hyp_mem + VMM_PAGE_SIZE - 1) / VMM_PAGE_SIZE * VMM_PAGE_SIZE;
		return 0;
	case O_CHAN_REGION:
		if (vmm_parse_size(v, &cfg->chan_region) != 0 || !cfg->chan_region ||
		    cfg->chan_region % VMM_PAGE_SIZE || cfg->chan_region > VMM_CHAN_REGION_MAX)
			return vmm_fail(err, errlen,
					"invalid --chan-region '%s' (a multiple of 4K up to 2M)",
					v);
		return 0;
	case O_PREALLOC:
		cfg->prealloc = true;
		return 0;
	case O_MEM_FILE:
		if (*v == '\0')
			return vmm_fail(err, errlen, "--mem-file needs a file name");
		cfg->mem_file = v;
		return 0;
	case O_HUGEPAGES:
		if (strcmp(v, "thp") == 0)
			cfg->hugepages = VMM_HUGEPAGES_THP;
		else if (strcmp(v, "hugetlb") == 0)
			cfg->hugepages = VMM_HUGEPAGES_HUGETLB;
		else if (strcmp(v, "off") == 0)
			cfg->hugepages = VMM_HUGEPAGES_OFF;
		else
			return vmm_fail(err, errlen,
					"invalid --hugepages '%s' (thp, hugetlb or off)", v);
		return 0;
	case O_ON_RESET:
		if (strcmp(v, "restart") == 0)
			cfg->reset_exits = false;
		else if (strcmp(v, "exit") == 0)
			cfg->reset_exits = true;
		else
			return vmm_fail(err, errlen, "invalid --on-reset '%s' (restart or exit)",
					v);
		return 0;
	default:
		return 0;
	}
	/* File-name options. */
	if (*v == '\0')
		return vmm_fail(err, errlen, "%s needs a file name", opts[id].name);
	return 0;
}

int vmm_cli_parse(int argc, char *const argv[], struct vmm_config *cfg, enum vmm_cli_action *action,
		  char *err, size_t errlen)
{
	bool seen[O_COUNT] = {false};
	int i = 1;

	defaults(cfg);
	*action = VMM_CLI_RUN;
	if (argc < 2 || !argv[1])
		return vmm_fail(err, errlen, "no command given (try 'gzvmm --help')");
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		*action = VMM_CLI_HELP;
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		*action = VMM_CLI_VERSION;
		return 0;
	}
	if (strcmp(argv[1], "run") != 0)
		return vmm_fail(err, errlen, "unknown command '%s' (try 'gzvmm --help')", argv[1]);
	for (i = 2; i < argc; i++) {
		const char *arg = argv[i], *val;
		int id;

		if (!arg)
			break;
		id = find_opt(arg, &val);
		if (id < 0) {
			if (strcmp(arg, "-h") == 0) {
				*action = VMM_CLI_HELP;
				return 0;
			}
			if (arg[0] == '-')
				return vmm_fail(err, errlen, "unknown option '%s'", arg);
			return vmm_fail(err, errlen, "unexpected argument '%s'", arg);
		}
		if (id == O_HELP) {
			*action = VMM_CLI_HELP;
			return 0;
		}
		if (id == O_VERSION) {
			*action = VMM_CLI_VERSION;
			return 0;
		}
		if (!opts[id].has_arg && val)
			return vmm_fail(err, errlen, "option %s takes no value", opts[id].name);
		if (opts[id].has_arg && !val) {
			if (i + 1 >= argc || !argv[i + 1])
				return vmm_fail(err, errlen, "option %s needs a value",
						opts[id].name);
			val = argv[++i];
		}
		if (seen[id] && !opts[id].repeatable)
			return vmm_fail(err, errlen, "option %s given twice", opts[id].name);
		seen[id] = true;
		if (apply(cfg, id, val ? val : "", err, errlen) != 0)
			return -1;
	}
	if (!cfg->kernel && !cfg->bios)
		return vmm_fail(err, errlen, "missing --kernel FILE");
	if (cfg->kernel && cfg->bios)
		return vmm_fail(err, errlen,
				"--kernel and --bios exclude each other (the firmware boots the "
				"system)");
	if (cfg->bios_vars && !cfg->bios)
		return vmm_fail(err, errlen, "--bios-vars needs --bios");
	if (cfg->sim.gdb_wait && !cfg->sim.gdb_port)
		return vmm_fail(err, errlen, "--gdb-wait needs --gdb PORT");
	if (!cfg->kernel && (cfg->initrd || cfg->append))
		return vmm_fail(err, errlen, "%s needs --kernel",
				cfg->initrd ? "--initrd" : "--append");
	if (cfg->record && cfg->replay)
		return vmm_fail(err, errlen, "--record and --replay exclude each other");
	if (cfg->replay && seen[O_SEED])
		return vmm_fail(err, errlen,
				"--replay takes the seed from the recording, not --seed");
	if (cfg->sim.deterministic && cfg->sim.wall_clock)
		return vmm_fail(err, errlen, "--deterministic needs --clock insns");
	if (cfg->sim.deterministic && cfg->net_tap)
		return vmm_fail(
		    err, errlen,
		    "--deterministic cannot take --net (frames arrive in the host's time)");
	if (cfg->sim.deterministic && cfg->peer_args)
		return vmm_fail(err, errlen, "--deterministic runs one VM, not a --peer-vm pair");
	if (cfg->sim.deterministic && cfg->vsock_path)
		return vmm_fail(
		    err, errlen,
		    "--deterministic cannot take --vsock (host sockets are not replayed)");
	if ((cfg->pvmfw || cfg->boot_sig || cfg->test_pvmfw_write) && !cfg->protected_vm)
		return vmm_fail(err, errlen, "%s needs --protected",
				cfg->pvmfw	? "--pvmfw"
				: cfg->boot_sig ? "--boot-sig"
						: "--test-pvmfw-write");
	if ((cfg->boot_sig || cfg->test_pvmfw_write) && !cfg->pvmfw)
		return vmm_fail(err, errlen, "%s needs --pvmfw FILE",
				cfg->boot_sig ? "--boot-sig" : "--test-pvmfw-write");
	if (cfg->pvmfw && !cfg->kernel)
		return vmm_fail(err, errlen, "--pvmfw needs --kernel (it verifies the kernel)");
	if (cfg->mem_file && cfg->backend != VMM_BACKEND_GZVM)
		return vmm_fail(err, errlen,
				"--mem-file needs --backend gzvm (the simulator's RAM is its own)");
	if (cfg->chan_region && !cfg->peer_args)
		return vmm_fail(err, errlen,
				"--chan-region needs --peer-vm (the first VM's, mapped in both)");
	if (cfg->hugepages == VMM_HUGEPAGES_HUGETLB &&
	    (cfg->backend != VMM_BACKEND_GZVM || cfg->mem_file))
		return vmm_fail(err, errlen,
				"--hugepages hugetlb needs --backend gzvm and no --mem-file");
	/* the gdb server's threads are one VM's vCPUs */
	if (cfg->sim.gdb_port && cfg->peer_args)
		return vmm_fail(err, errlen, "--gdb debugs one VM, not a --peer-vm pair");
	if (seen[O_TRACE_MAX] && !cfg->trace)
		return vmm_fail(err, errlen, "--trace-max needs --trace FILE");
	for (int id = 0; id < O_COUNT; id++)
		if (seen[id] && opts[id].sim_only && cfg->backend != VMM_BACKEND_SIM)
			return vmm_fail(err, errlen, "option %s needs --backend sim",
					opts[id].name);
	/* With output in a file gzvmm runs unattended: stdin is left alone unless --input says. */
	if (cfg->console == VMM_CONSOLE_FILE && !seen[O_INPUT])
		cfg->input = VMM_INPUT_NONE;
	return 0;
}
