/* gzvmm's guest RAM (src/vmm/ram.c): --prealloc's room check against a memory cgroup (a
 * directory with memory.max and memory.current, as cgroup v2 has them) and its one-line
 * error naming the limit; --mem-file's RAM shared with the file, emptied at each get. */
/* test-libs: gzvmm_lib */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "ram.h"
#include "vm.h"

#define MIB (1024ull * 1024)

static char dir[64];

static void put_file(const char *name, const char *text)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test_vmm_ram.XXXXXX");
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static void test_room_cgroup_limit(void **state)
{
	char err[800] = "";

	(void)state;
	put_file("memory.max", "268435456\n");	  /* 256 MiB */
	put_file("memory.current", "67108864\n"); /* 64 MiB used: 192 MiB left */
	assert_int_equal(vmm_ram_room(128 * MIB, dir, err, sizeof(err)), 0);
	assert_int_equal(vmm_ram_room(192 * MIB, dir, err, sizeof(err)), 0);
	assert_int_equal(vmm_ram_room(194 * MIB, dir, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "--prealloc: out of memory: the guest's 194 MiB exceed the "
				    "192 MiB its memory cgroup has left (memory.max 256 MiB in "));
	assert_non_null(strstr(err, dir));
	assert_null(strchr(err, '\n'));
	/* Already over its limit (memory.current can pass memory.max for a while). */
	put_file("memory.current", "300000000\n");
	assert_int_equal(vmm_ram_room(2 * MIB, dir, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "exceed the 0 MiB its memory cgroup has left"));
}

static void test_room_no_limit(void **state)
{
	char err[800] = "";
	char missing[128];

	(void)state;
	put_file("memory.max", "max\n");
	put_file("memory.current", "67108864\n");
	assert_int_equal(vmm_ram_room(512 * MIB, dir, err, sizeof(err)), 0);
	/* No memory controller there: only the host's memory counts. */
	snprintf(missing, sizeof(missing), "%s/none", dir);
	assert_int_equal(vmm_ram_room(2 * MIB, missing, err, sizeof(err)), 0);
	/* More than any host has: the host's MemAvailable refuses it. */
	assert_int_equal(vmm_ram_room(1ull << 50, missing, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "--prealloc: out of memory: the guest's 1073741824 MiB exceed "
				    "the host's available "));
}

static void test_mem_file(void **state)
{
	struct vmm_config cfg;
	struct vmm_vm vm;
	char path[128], buf[8];
	struct stat st;
	FILE *f;

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	memset(&vm, 0, sizeof(vm));
	snprintf(path, sizeof(path), "%s/ram", dir);
	cfg.mem_file = path;
	vm.cfg = &cfg;
	vm.ram_size = 4 * MIB;
	assert_int_equal(vmm_ram_get(&vm), 0);
	assert_non_null(vm.ram);
	memcpy((char *)vm.ram + 3 * MIB, "guestRAM", 8);
	vmm_ram_put(&vm);
	assert_null(vm.ram);
	/* What the guest left is in the file after gzvmm let go of it. */
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 4 * MIB);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_int_equal(fseek(f, 3 * MIB, SEEK_SET), 0);
	assert_int_equal(fread(buf, 1, 8, f), 8);
	fclose(f);
	assert_memory_equal(buf, "guestRAM", 8);
	/* A new get (a reboot) starts from zeroes. */
	assert_int_equal(vmm_ram_get(&vm), 0);
	assert_int_equal(((char *)vm.ram)[3 * MIB], 0);
	vmm_ram_put(&vm);
	/* A file that cannot be made: one line naming it. */
	cfg.mem_file = "/nonexistent-dir/ram";
	assert_int_not_equal(vmm_ram_get(&vm), 0);
	assert_null(vm.ram);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_room_cgroup_limit, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_room_no_limit, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_mem_file, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
