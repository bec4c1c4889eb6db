/* gzvmm command line: every accepted form fills the config, every bad argument yields its
 * one-line message (table-driven). */
/* test-libs: gzvmm_lib */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "cli.h"

#define MAXARGS 16

struct bad_case {
	const char *args[MAXARGS];
	const char *msg; /* exact message */
};

static const struct bad_case bad_cases[] = {
    {{NULL}, "no command given (try 'gzvmm --help')"},
    {{"boot"}, "unknown command 'boot' (try 'gzvmm --help')"},
    {{"run"}, "missing --kernel FILE"},
    {{"run", "--kernel"}, "option --kernel needs a value"},
    {{"run", "--kernel="}, "--kernel needs a file name"},
    {{"run", "--kernel", "a", "--kernel", "b"}, "option --kernel given twice"},
    {{"run", "--kernel", "k", "--bogus"}, "unknown option '--bogus'"},
    {{"run", "--kernel", "k", "stray"}, "unexpected argument 'stray'"},
    {{"run", "--kernel", "k", "--backend", "kvm"}, "unknown backend 'kvm' (gzvm or sim)"},
    {{"run", "--kernel", "k", "--mem", "lots"}, "invalid --mem 'lots' (a size such as 256M or 1G)"},
    {{"run", "--kernel", "k", "--mem", "12X"}, "invalid --mem '12X' (a size such as 256M or 1G)"},
    {{"run", "--kernel", "k", "--mem", "99999999999999999999"},
     "invalid --mem '99999999999999999999' (a size such as 256M or 1G)"},
    {{"run", "--kernel", "k", "--mem", "18446744073709551615G"},
     "invalid --mem '18446744073709551615G' (a size such as 256M or 1G)"},
    {{"run", "--kernel", "k", "--mem", "1M"}, "--mem '1M' out of range (2M to 8G)"},
    {{"run", "--kernel", "k", "--mem", "9G"}, "--mem '9G' out of range (2M to 8G)"},
    {{"run", "--kernel", "k", "--mem", "3M"}, "--mem '3M' is not a multiple of 2M"},
    {{"run", "--kernel", "k", "--cpus", "0"}, "invalid --cpus '0' (1 to 8)"},
    {{"run", "--kernel", "k", "--cpus", "9"}, "invalid --cpus '9' (1 to 8)"},
    {{"run", "--kernel", "k", "--cpus", "-1"}, "invalid --cpus '-1' (1 to 8)"},
    {{"run", "--kernel", "k", "--cpus", "2x"}, "invalid --cpus '2x' (1 to 8)"},
    {{"run", "--kernel", "k", "--cpus", "99999999999999999999999"},
     "invalid --cpus '99999999999999999999999' (1 to 8)"},
    {{"run", "--kernel", "k", "--disk", "d,rw"},
     "invalid --disk option 'rw' (only ',ro' is known)"},
    {{"run", "--kernel", "k", "--disk", ",ro"}, "--disk needs a file name"},
    {{"run", "--kernel", "k", "--console", "tty"}, "invalid --console 'tty' (stdio or file:PATH)"},
    {{"run", "--kernel", "k", "--console", "file:"},
     "invalid --console 'file:' (stdio or file:PATH)"},
    {{"run", "--kernel", "k", "--input", "kbd"}, "invalid --input 'kbd' (pl011, virtio or none)"},
    {{"run", "--kernel", "k", "--virtio-version", "3"}, "invalid --virtio-version '3' (1 or 2)"},
    {{"run", "--kernel", "k", "--unassigned", "ignore"},
     "invalid --unassigned 'ignore' (abort or zero)"},
    {{"run", "--kernel", "k", "--stats=yes"}, "option --stats takes no value"},
    {{"run", "--kernel", "k", "--backend", "sim", "--gdb", "0"},
     "invalid --gdb port '0' (1 to 65535)"},
    {{"run", "--kernel", "k", "--backend", "sim", "--gdb", "65536"},
     "invalid --gdb port '65536' (1 to 65535)"},
    {{"run", "--kernel", "k", "--backend", "sim", "--gdb", "x"},
     "invalid --gdb port 'x' (1 to 65535)"},
    {{"run", "--kernel", "k", "--backend", "sim", "--gdb-wait"}, "--gdb-wait needs --gdb PORT"},
    {{"run", "--kernel", "k", "--gdb", "1234"}, "option --gdb needs --backend sim"},
    {{"run", "--kernel", "k", "--peer-vm", ""}, "--peer-vm needs the second VM's options"},
    {{"run", "--kernel", "k", "--backend", "sim", "--clock", "tsc"},
     "invalid --clock 'tsc' (insns or wall)"},
    {{"run", "--kernel", "k", "--backend", "sim", "--slice", "999"},
     "invalid --slice '999' (a number, at least 1000)"},
    {{"run", "--kernel", "k", "--backend", "sim", "--max-insns", "0"},
     "invalid --max-insns '0' (a number, at least 1)"},
    {{"run", "--kernel", "k", "--backend", "sim", "--max-insns", "1e6"},
     "invalid --max-insns '1e6' (a number, at least 1)"},
    {{"run", "--kernel", "k", "--backend", "sim", "--max-insns", "-5"},
     "invalid --max-insns '-5' (a number, at least 1)"},
    {{"run", "--kernel", "k", "--backend", "sim", "--max-insns", "99999999999999999999999"},
     "invalid --max-insns '99999999999999999999999' (a number, at least 1)"},
    {{"run", "--kernel", "k", "--clock", "wall"}, "option --clock needs --backend sim"},
    {{"run", "--kernel", "k", "--deterministic"}, "option --deterministic needs --backend sim"},
    {{"run", "--kernel", "k", "--backend", "sim", "--seed", "-1"},
     "invalid --seed '-1' (a number, at least 0)"},
    {{"run", "--kernel", "k", "--backend", "sim", "--seed", "1", "--clock", "wall"},
     "--deterministic needs --clock insns"},
    {{"run", "--kernel", "k", "--backend", "sim", "--record", "r", "--replay", "p"},
     "--record and --replay exclude each other"},
    {{"run", "--kernel", "k", "--backend", "sim", "--replay", "p", "--seed", "2"},
     "--replay takes the seed from the recording, not --seed"},
    {{"run", "--kernel", "k", "--backend", "sim", "--replay="}, "--replay needs a file name"},
    {{"run", "--kernel", "k", "--backend", "sim", "--trace="}, "--trace needs a file name"},
    {{"run", "--kernel", "k", "--backend", "sim", "--trace-max", "8M"},
     "--trace-max needs --trace FILE"},
    {{"run", "--kernel", "k", "--backend", "sim", "--trace", "t", "--trace-max", "2K"},
     "invalid --trace-max '2K' (a size of at least 4K, such as 64M)"},
    {{"run", "--kernel", "k", "--backend", "sim", "--trace", "t", "--trace-max", "x"},
     "invalid --trace-max 'x' (a size of at least 4K, such as 64M)"},
    {{"run", "--max-insns", "5", "--kernel", "k", "--backend", "gzvm"},
     "option --max-insns needs --backend sim"},
    {{"run", "--kernel", "k", "--initrd", ""}, "--initrd needs a file name"},
    {{"run", "--kernel", "k", "--dtb", ""}, "--dtb needs a file name"},
    {{"run", "--kernel", "k", "--dump-dtb", ""}, "--dump-dtb needs a file name"},
    {{"run", "--kernel", "k", "--append"}, "option --append needs a value"},
    {{"run", "--kernel", "k", "--disk", "a", "--disk", "b", "--disk", "c", "--disk", "d", "--disk",
      "e"},
     NULL}, /* 5 disks are fine; see test_too_many_disks */
    {{"run", "--bios", ""}, "--bios needs a file name"},
    {{"run", "--bios", "fw", "--kernel", "k"},
     "--kernel and --bios exclude each other (the firmware boots the system)"},
    {{"run", "--kernel", "k", "--bios-vars", "v"}, "--bios-vars needs --bios"},
    {{"run", "--bios", "fw", "--bios-vars", ""}, "--bios-vars needs a file name"},
    {{"run", "--bios", "fw", "--initrd", "i"}, "--initrd needs --kernel"},
    {{"run", "--bios", "fw", "--append", "quiet"}, "--append needs --kernel"},
    {{"run", "--kernel", "k", "--stop-timeout", "soon"},
     "invalid --stop-timeout 'soon' (a number, at least 0)"},
    {{"run", "--kernel", "k", "--stop-timeout", "3601"},
     "--stop-timeout '3601' out of range (0 to 3600)"},
    {{"run", "--kernel", "k", "--on-reset", "halt"}, "invalid --on-reset 'halt' (restart or exit)"},
};

static int parse(const char *const *args, struct vmm_config *cfg, enum vmm_cli_action *act,
		 char *err, size_t errlen)
{
	char *argv[MAXARGS + 2] = {"gzvmm"};
	int argc = 1;

	for (int i = 0; i < MAXARGS && args[i]; i++)
		argv[argc++] = (char *)args[i];
	return vmm_cli_parse(argc, argv, cfg, act, err, errlen);
}

static void test_bad_arguments(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		struct vmm_config cfg;
		enum vmm_cli_action act;
		char err[256] = "";
		int r = parse(bad_cases[i].args, &cfg, &act, err, sizeof(err));

		if (!bad_cases[i].msg) {
			assert_int_equal(r, 0);
			continue;
		}
		if (r != -1 || strcmp(err, bad_cases[i].msg) != 0)
			fail_msg("case %zu: got %d '%s', want '%s'", i, r, err, bad_cases[i].msg);
		assert_null(strchr(err, '\n'));
	}
}

static void test_too_many_disks(void **state)
{
	char *argv[32] = {"gzvmm", "run", "--kernel", "k"};
	int argc = 4;
	struct vmm_config cfg;
	enum vmm_cli_action act;
	char err[256];

	(void)state;
	for (unsigned i = 0; i <= VMM_MAX_DISKS; i++) {
		argv[argc++] = "--disk";
		argv[argc++] = "img";
	}
	assert_int_equal(vmm_cli_parse(argc, argv, &cfg, &act, err, sizeof(err)), -1);
	assert_string_equal(err, "too many --disk options (at most 8)");
}

static void test_full_command_line(void **state)
{
	const char *args[] = {"run",	"--backend=sim", "--kernel", "vmlinux", "--mem",
			      "1G",	"--cpus",	 "4",	     "--disk",	"a.img,ro",
			      "--disk", "b.img",	 NULL};
	struct vmm_config cfg;
	enum vmm_cli_action act;
	char err[256];

	(void)state;
	assert_int_equal(parse(args, &cfg, &act, err, sizeof(err)), 0);
	assert_int_equal(act, VMM_CLI_RUN);
	assert_int_equal(cfg.backend, VMM_BACKEND_SIM);
	assert_string_equal(cfg.kernel, "vmlinux");
	assert_true(cfg.mem_size == 1ULL << 30);
	assert_int_equal(cfg.cpus, 4);
	assert_int_equal(cfg.ndisks, 2);
	assert_string_equal(cfg.disks[0].path, "a.img");
	assert_true(cfg.disks[0].ro);
	assert_string_equal(cfg.disks[1].path, "b.img");
	assert_false(cfg.disks[1].ro);
	assert_int_equal(cfg.virtio_version, 2);
	assert_true(cfg.rng);
	assert_false(cfg.protected_vm);
}

static void test_more_options(void **state)
{
	const char *args[] = {"run",
			      "--kernel",
			      "k",
			      "--console",
			      "file:/tmp/out",
			      "--append",
			      "console=ttyAMA0 earlycon",
			      "--virtio-version",
			      "1",
			      "--no-rng",
			      "--stats",
			      "--testdev",
			      "--protected",
			      NULL};
	struct vmm_config cfg;
	enum vmm_cli_action act;
	char err[256];

	(void)state;
	assert_int_equal(parse(args, &cfg, &act, err, sizeof(err)), 0);
	assert_int_equal(cfg.console, VMM_CONSOLE_FILE);
	assert_string_equal(cfg.console_path, "/tmp/out");
	assert_int_equal(cfg.input, VMM_INPUT_NONE); /* unattended with a console file */
	assert_string_equal(cfg.append, "console=ttyAMA0 earlycon");
	assert_int_equal(cfg.virtio_version, 1);
	assert_false(cfg.rng);
	assert_true(cfg.stats);
	assert_true(cfg.testdev);
	assert_true(cfg.protected_vm);
	assert_false(cfg.unassigned_zero);
	assert_int_equal(cfg.backend, VMM_BACKEND_GZVM);
	assert_true(cfg.mem_size == 256ULL << 20);
}

static void test_firmware_options(void **state)
{
	const char *args[] = {
	    "run", "--bios",	 "QEMU_EFI.fd", "--bios-vars", "vars.fd", "--stop-timeout",
	    "0",   "--on-reset", "exit",	NULL};
	const char *plain[] = {"run", "--kernel", "k", NULL};
	struct vmm_config cfg;
	enum vmm_cli_action act;
	char err[256];

	(void)state;
	assert_int_equal(parse(args, &cfg, &act, err, sizeof(err)), 0);
	assert_string_equal(cfg.bios, "QEMU_EFI.fd");
	assert_string_equal(cfg.bios_vars, "vars.fd");
	assert_null(cfg.kernel);
	assert_int_equal(cfg.stop_timeout, 0);
	assert_true(cfg.reset_exits);
	/* defaults: a reset restarts the VM, 30 s from the power key to a hard stop */
	assert_int_equal(parse(plain, &cfg, &act, err, sizeof(err)), 0);
	assert_false(cfg.reset_exits);
	assert_int_equal(cfg.stop_timeout, VMM_STOP_TIMEOUT_DEFAULT);
	assert_null(cfg.bios);
}

static void test_sim_options(void **state)
{
	const char *args[] = {"run",   "--clock",  "wall", "--slice",	"0x1000", "--max-insns",
			      "20000", "--kernel", "k",	   "--backend", "sim",	  NULL};
	const char *plain[] = {"run", "--backend", "sim", "--kernel", "k", NULL};
	struct vmm_config cfg;
	enum vmm_cli_action act;
	char err[256];

	(void)state;
	assert_int_equal(parse(args, &cfg, &act, err, sizeof(err)), 0);
	assert_true(cfg.sim.wall_clock);
	assert_int_equal(cfg.sim.slice, 0x1000);
	assert_int_equal(cfg.max_insns, 20000);
	/* defaults: the instruction clock, the simulator's slice, no budget */
	assert_int_equal(parse(plain, &cfg, &act, err, sizeof(err)), 0);
	assert_false(cfg.sim.wall_clock);
	assert_int_equal(cfg.sim.slice, 0);
	assert_int_equal(cfg.max_insns, 0);
	args[2] = "insns";
	assert_int_equal(parse(args, &cfg, &act, err, sizeof(err)), 0);
	assert_false(cfg.sim.wall_clock);
	assert_int_equal(cfg.sim.gdb_port, 0);
	assert_false(cfg.sim.gdb_wait);
}

/* --seed, --record and --replay each make the run deterministic; --trace is on its own. */
static void test_deterministic_options(void **state)
{
	const char *det[] = {"run", "--backend", "sim", "--kernel", "k", "--deterministic", NULL};
	const char *seed[] = {"run", "--backend", "sim", "--kernel", "k", "--seed", "0x2a", NULL};
	const char *rec[] = {"run",   "--backend", "sim",    "--kernel",    "k",   "--record",
			     "r.txt", "--trace",   "t.json", "--trace-max", "64K", NULL};
	const char *rep[] = {"run", "--backend", "sim", "--kernel", "k", "--replay=p.txt", NULL};
	struct vmm_config cfg;
	enum vmm_cli_action act;
	char err[256];

	(void)state;
	assert_int_equal(parse(det, &cfg, &act, err, sizeof(err)), 0);
	assert_true(cfg.sim.deterministic);
	assert_int_equal(cfg.sim.seed, 0);
	assert_null(cfg.trace);
	assert_int_equal(parse(seed, &cfg, &act, err, sizeof(err)), 0);
	assert_true(cfg.sim.deterministic);
	assert_int_equal(cfg.sim.seed, 42);
	assert_int_equal(parse(rec, &cfg, &act, err, sizeof(err)), 0);
	assert_true(cfg.sim.deterministic);
	assert_string_equal(cfg.record, "r.txt");
	assert_string_equal(cfg.trace, "t.json");
	assert_int_equal(cfg.trace_max, 64 << 10);
	assert_int_equal(parse(rep, &cfg, &act, err, sizeof(err)), 0);
	assert_true(cfg.sim.deterministic);
	assert_string_equal(cfg.replay, "p.txt");
	assert_null(cfg.record);
}

/* The gdb server's options: a port 1..65535, --gdb-wait only with it, the sim backend only. */
static void test_gdb_options(void **state)
{
	const char *args[] = {"run",   "--backend", "sim",	  "--kernel", "k",
			      "--gdb", "1234",	    "--gdb-wait", NULL};
	struct vmm_config cfg;
	enum vmm_cli_action act;
	char err[256];

	(void)state;
	assert_int_equal(parse(args, &cfg, &act, err, sizeof(err)), 0);
	assert_int_equal(cfg.sim.gdb_port, 1234);
	assert_true(cfg.sim.gdb_wait);
	args[6] = "65535";
	args[7] = NULL;
	assert_int_equal(parse(args, &cfg, &act, err, sizeof(err)), 0);
	assert_int_equal(cfg.sim.gdb_port, 65535);
	assert_false(cfg.sim.gdb_wait);
}

static void test_help_and_version(void **state)
{
	static const struct {
		const char *args[4];
		enum vmm_cli_action act;
	} cases[] = {
	    {{"--help"}, VMM_CLI_HELP},	      {{"-h"}, VMM_CLI_HELP},
	    {{"--version"}, VMM_CLI_VERSION}, {{"run", "--help"}, VMM_CLI_HELP},
	    {{"run", "-h"}, VMM_CLI_HELP},    {{"run", "--version"}, VMM_CLI_VERSION},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vmm_config cfg;
		enum vmm_cli_action act;
		char err[256];

		assert_int_equal(parse(cases[i].args, &cfg, &act, err, sizeof(err)), 0);
		assert_int_equal(act, cases[i].act);
	}
}

static void test_sizes(void **state)
{
	static const struct {
		const char *s;
		int rc;
		unsigned long long v;
	} cases[] = {
	    {"256", 0, 256ULL << 20},
	    {"4k", 0, 4096},
	    {"2M", 0, 2ULL << 20},
	    {"1G", 0, 1ULL << 30},
	    {"1GB", 0, 1ULL << 30},
	    {"512KiB", -1, 0},
	    {"", -1, 0},
	    {"G", -1, 0},
	    {"1T", -1, 0},
	    {"-1", -1, 0},
	    {"17179869184G", -1, 0},
	    {"0", 0, 0},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t v = 0;

		assert_int_equal(vmm_parse_size(cases[i].s, &v), cases[i].rc);
		if (cases[i].rc == 0)
			assert_true(v == cases[i].v);
	}
	assert_int_equal(vmm_parse_size(NULL, NULL), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bad_arguments),
	    cmocka_unit_test(test_too_many_disks),
	    cmocka_unit_test(test_full_command_line),
	    cmocka_unit_test(test_more_options),
	    cmocka_unit_test(test_sim_options),
	    cmocka_unit_test(test_firmware_options),
	    cmocka_unit_test(test_gdb_options),
	    cmocka_unit_test(test_help_and_version),
	    cmocka_unit_test(test_sizes),
	    cmocka_unit_test(test_deterministic_options),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
