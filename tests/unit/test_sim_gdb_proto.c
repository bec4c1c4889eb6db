/* The gdb server's wire format and register file (sim/gdb_proto.c, sim/gdb_regs.c): packets
 * out of a byte stream with their checksums checked (good, bad, split, escaped, overlong,
 * resent, Ctrl-C and acks between them), framing with escapes, hex helpers, every packet the
 * server knows parsed with its arguments and malformed forms refused, and registers read and
 * written in gdb's aarch64 numbering (read-only ones and mode changes refused).
 * test-libs: gzsim_internal gzsim gzcore gzlib */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <arm64/sysreg.h>
#include "gdb_proto.h"
#include "gdb_regs.h"

static struct gz_gdb_rx rx;

/* Feed @s; the events in order into @ev (at most @max), their count. */
static unsigned feed(const char *s, size_t n, enum gz_gdb_rx_event *ev, unsigned max)
{
	unsigned k = 0;

	for (size_t i = 0; i < n; i++) {
		enum gz_gdb_rx_event e = gz_gdb_rx_byte(&rx, (uint8_t)s[i]);

		if (e != GZ_GDB_RX_NONE && k < max)
			ev[k++] = e;
	}
	return k;
}

static void test_rx_packets(void **state)
{
	enum gz_gdb_rx_event ev[8];

	(void)state;
	gz_gdb_rx_init(&rx);
	/* "$?#3f": '?' is 0x3f */
	assert_int_equal(feed("$?#3f", 5, ev, 8), 1);
	assert_int_equal(ev[0], GZ_GDB_RX_PACKET);
	assert_int_equal(rx.len, 1);
	assert_string_equal(rx.buf, "?");
	/* upper-case checksum digits, split across calls, acks and Ctrl-C around it */
	assert_int_equal(feed("+-\x03$g", 5, ev, 8), 3);
	assert_int_equal(ev[0], GZ_GDB_RX_ACK);
	assert_int_equal(ev[1], GZ_GDB_RX_NAK);
	assert_int_equal(ev[2], GZ_GDB_RX_INTR);
	assert_int_equal(feed("#6", 2, ev, 8), 0);
	assert_int_equal(feed("7", 1, ev, 8), 1);
	assert_int_equal(ev[0], GZ_GDB_RX_PACKET);
	assert_string_equal(rx.buf, "g");
	/* bad checksum, non-hex checksum digits: '-' wanted, then the next packet is fine */
	assert_int_equal(feed("$g#00", 5, ev, 8), 1);
	assert_int_equal(ev[0], GZ_GDB_RX_BAD);
	assert_int_equal(feed("$g#x7", 5, ev, 8), 1);
	assert_int_equal(ev[0], GZ_GDB_RX_BAD);
	assert_int_equal(feed("$g#6z", 5, ev, 8), 1);
	assert_int_equal(ev[0], GZ_GDB_RX_BAD);
	assert_int_equal(feed("$g#67", 5, ev, 8), 1);
	assert_int_equal(ev[0], GZ_GDB_RX_PACKET);
	/* a '$' inside a packet starts it anew (gdb gave up on the first) */
	assert_int_equal(feed("$qwerty$g#67", 12, ev, 8), 1);
	assert_int_equal(ev[0], GZ_GDB_RX_PACKET);
	assert_string_equal(rx.buf, "g");
	/* garbage outside packets is ignored */
	assert_int_equal(feed("hello\xff", 6, ev, 8), 0);
}

static void test_rx_escapes_and_overflow(void **state)
{
	enum gz_gdb_rx_event ev[4];
	static char big[GZ_GDB_PKT_MAX + 16];
	/* X packet data "}\x03" escapes '#' (0x23 -> 0x03) and '}' (0x7d -> 0x5d) */
	const char pkt[] = "X0,2:}\x03}]";
	unsigned sum = 0;
	char tail[4];

	(void)state;
	gz_gdb_rx_init(&rx);
	for (size_t i = 0; i < sizeof(pkt) - 1; i++)
		sum += (uint8_t)pkt[i];
	feed("$", 1, ev, 4);
	feed(pkt, sizeof(pkt) - 1, ev, 4);
	snprintf(tail, sizeof(tail), "#%02x", sum & 0xff);
	assert_int_equal(feed(tail, 3, ev, 4), 1);
	assert_int_equal(ev[0], GZ_GDB_RX_PACKET);
	assert_int_equal(rx.len, 7);
	assert_memory_equal(rx.buf, "X0,2:#}", 7);

	/* one byte over the maximum: refused whatever the checksum */
	memset(big, 'a', sizeof(big));
	big[0] = '$';
	sum = 'a' * (GZ_GDB_PKT_MAX + 1);
	feed(big, GZ_GDB_PKT_MAX + 2, ev, 4);
	snprintf(tail, sizeof(tail), "#%02x", sum & 0xff);
	assert_int_equal(feed(tail, 3, ev, 4), 1);
	assert_int_equal(ev[0], GZ_GDB_RX_BAD);
	/* exactly the maximum is taken */
	sum = 'a' * GZ_GDB_PKT_MAX;
	feed(big, GZ_GDB_PKT_MAX + 1, ev, 4);
	snprintf(tail, sizeof(tail), "#%02x", sum & 0xff);
	assert_int_equal(feed(tail, 3, ev, 4), 1);
	assert_int_equal(ev[0], GZ_GDB_RX_PACKET);
	assert_int_equal(rx.len, GZ_GDB_PKT_MAX);
}

static void test_frame(void **state)
{
	char out[64];
	enum gz_gdb_rx_event ev[2];
	size_t n;

	(void)state;
	n = gz_gdb_frame("OK", 2, out, sizeof(out));
	assert_int_equal(n, 6);
	assert_memory_equal(out, "$OK#9a", 6);
	n = gz_gdb_frame("", 0, out, sizeof(out));
	assert_memory_equal(out, "$#00", n);
	/* the four special bytes are escaped, and the frame parses back to the data */
	n = gz_gdb_frame("a$#}*b", 6, out, sizeof(out));
	assert_memory_equal(out, "$a}\x04}\x03}]}\nb#", 12);
	gz_gdb_rx_init(&rx);
	assert_int_equal(feed(out, n, ev, 2), 1);
	assert_int_equal(ev[0], GZ_GDB_RX_PACKET);
	assert_memory_equal(rx.buf, "a$#}*b", 6);
	/* too small an output: 0, nothing claimed */
	assert_int_equal(gz_gdb_frame("OK", 2, out, 5), 0);
	assert_int_equal(gz_gdb_frame("OK", 2, out, 3), 0);
	assert_int_equal(gz_gdb_frame("}", 1, out, 5), 0);
	assert_int_equal(gz_gdb_frame("}", 1, out, 6), 6);
}

static void test_hex(void **state)
{
	uint8_t b[4];
	char h[9] = {0};

	(void)state;
	assert_true(gz_gdb_hex_decode("00fFa5", 3, b));
	assert_int_equal(b[0], 0);
	assert_int_equal(b[1], 0xff);
	assert_int_equal(b[2], 0xa5);
	assert_false(gz_gdb_hex_decode("0g", 1, b));
	gz_gdb_hex_encode((const uint8_t *)"\x01\xab\x00\xff", 4, h);
	assert_string_equal(h, "01ab00ff");
	assert_int_equal(gz_gdb_hex_digit('A'), 10);
	assert_int_equal(gz_gdb_hex_digit('/'), -1);
	assert_int_equal(gz_gdb_hex_digit('G'), -1);
}

static struct gz_gdb_cmd cmd;

static enum gz_gdb_cmd_kind parse(const char *s)
{
	gz_gdb_parse(s, strlen(s), &cmd);
	return cmd.kind;
}

static void test_parse_known(void **state)
{
	(void)state;
	assert_int_equal(parse("?"), GZ_GDB_HALT_REASON);
	assert_int_equal(parse("g"), GZ_GDB_READ_REGS);
	assert_int_equal(parse("G00ff"), GZ_GDB_WRITE_REGS);
	assert_int_equal(cmd.data_len, 4);
	assert_int_equal(parse("p20"), GZ_GDB_READ_REG);
	assert_int_equal(cmd.type, 0x20);
	assert_int_equal(parse("P1f=0011223344556677"), GZ_GDB_WRITE_REG);
	assert_int_equal(cmd.type, 31);
	assert_int_equal(cmd.data_len, 16);
	assert_int_equal(parse("mffffffc008000000,40"), GZ_GDB_READ_MEM);
	assert_int_equal(cmd.addr, 0xffffffc008000000ULL);
	assert_int_equal(cmd.len, 0x40);
	assert_int_equal(parse("M40080000,2:abcd"), GZ_GDB_WRITE_MEM);
	assert_int_equal(parse("X40080000,0:"), GZ_GDB_WRITE_MEM_BIN);
	assert_int_equal(parse("Z0,40080070,4"), GZ_GDB_INSERT_POINT);
	assert_int_equal(cmd.type, 0);
	assert_int_equal(cmd.addr, 0x40080070);
	assert_int_equal(parse("z4,400819a0,8;X1,0"), GZ_GDB_REMOVE_POINT);
	assert_int_equal(cmd.type, 4);
	assert_int_equal(cmd.len, 8);
	assert_int_equal(parse("Hg2"), GZ_GDB_SET_THREAD);
	assert_int_equal(cmd.op, 'g');
	assert_int_equal(cmd.thread, 2);
	assert_int_equal(parse("Hc-1"), GZ_GDB_SET_THREAD);
	assert_int_equal(cmd.thread, GZ_GDB_THREAD_ALL);
	assert_int_equal(parse("Hg0"), GZ_GDB_SET_THREAD);
	assert_int_equal(cmd.thread, GZ_GDB_THREAD_ANY);
	assert_int_equal(parse("T1"), GZ_GDB_THREAD_ALIVE);
	assert_int_equal(parse("c"), GZ_GDB_CONTINUE);
	assert_int_equal(cmd.len, 0);
	assert_int_equal(parse("c40080000"), GZ_GDB_CONTINUE);
	assert_int_equal(cmd.len, 1);
	assert_int_equal(cmd.addr, 0x40080000);
	assert_int_equal(parse("s"), GZ_GDB_STEP);
	assert_int_equal(parse("vCont?"), GZ_GDB_VCONT_QUERY);
	assert_int_equal(parse("vCont;s:2;c"), GZ_GDB_VCONT);
	assert_int_equal(cmd.nr_actions, 2);
	assert_int_equal(cmd.act[0].op, 's');
	assert_int_equal(cmd.act[0].thread, 2);
	assert_int_equal(cmd.act[1].op, 'c');
	assert_int_equal(cmd.act[1].thread, GZ_GDB_THREAD_ALL);
	assert_int_equal(parse("vCont;C05:1;S0b;t:-1"), GZ_GDB_VCONT);
	assert_int_equal(cmd.act[0].op, 'c');
	assert_int_equal(cmd.act[1].op, 's');
	assert_int_equal(cmd.act[2].op, 't');
	assert_int_equal(parse("D"), GZ_GDB_DETACH);
	assert_int_equal(parse("D;1"), GZ_GDB_DETACH);
	assert_int_equal(parse("k"), GZ_GDB_KILL);
	assert_int_equal(parse("qSupported:multiprocess+;swbreak+"), GZ_GDB_SUPPORTED);
	assert_int_equal(parse("qXfer:features:read:target.xml:0,ffb"), GZ_GDB_XFER_FEATURES);
	assert_string_equal(cmd.annex, "target.xml");
	assert_int_equal(cmd.len, 0xffb);
	assert_int_equal(parse("qfThreadInfo"), GZ_GDB_THREAD_FIRST);
	assert_int_equal(parse("qsThreadInfo"), GZ_GDB_THREAD_NEXT);
	assert_int_equal(parse("qC"), GZ_GDB_CURRENT_THREAD);
	assert_int_equal(parse("qAttached:1"), GZ_GDB_ATTACHED);
	assert_int_equal(parse("qThreadExtraInfo,2"), GZ_GDB_THREAD_EXTRA);
	assert_int_equal(parse("qRcmd,6c7273"), GZ_GDB_MONITOR);
	assert_string_equal(cmd.data, "lrs");
	assert_int_equal(parse("qRcmd,"), GZ_GDB_MONITOR);
	assert_string_equal(cmd.data, "");
}

static void test_parse_unknown_and_malformed(void **state)
{
	static const char *const unknown[] = {"",
					      "!",
					      "vMustReplyEmpty",
					      "vKill;1",
					      "qOffsets",
					      "qTStatus",
					      "QStartNoAckMode",
					      "qCRC:0,4",
					      "Hs1",
					      "qCx",
					      "bc",
					      "i"};
	static const char *const bad[] = {"?x",
					  "gx",
					  "G0",
					  "Gzz",
					  "p",
					  "pz",
					  "p10000",
					  "P1",
					  "P1=",
					  "P1=0",
					  "P1=zz",
					  "m",
					  "m1",
					  "m1,",
					  "m,4",
					  "mz,4",
					  "m1,4x",
					  "m11111111111111111,4",
					  "M1,2:ab",
					  "M1,1:zz",
					  "M1,1",
					  "X1,2:a",
					  "X1,1",
					  "Z",
					  "Z5,0,4",
					  "Z0",
					  "Z0,1",
					  "Z0,1,4x",
					  "H",
					  "Hgx",
					  "Hg-2",
					  "T",
					  "Tx",
					  "T1x",
					  "c1x",
					  "sx",
					  "vCont",
					  "vCont;",
					  "vCont;x",
					  "vCont;c:0",
					  "vCont;Cx",
					  "vCont;C100",
					  "vCont;c:x",
					  "vContx",
					  "qfThreadInfox",
					  "qsThreadInfox",
					  "qThreadExtraInfo,",
					  "qRcmd,6",
					  "qRcmd,zz",
					  "qRcmd,0061",
					  "qXfer:features:read:target.xml",
					  "qXfer:features:read::0,1",
					  "qXfer:features:read:a:0",
					  "qXfer:features:read:a:0,1x",
					  "vCont;c;c;c;c;c;c;c;c;c",
					  "Hg80000000"};
	char big[600];

	(void)state;
	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++)
		assert_int_equal(parse(unknown[i]), GZ_GDB_UNKNOWN);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse(bad[i]) != GZ_GDB_MALFORMED)
			fail_msg("'%s' parsed as %d", bad[i], cmd.kind);
	}
	/* a monitor command longer than the server keeps */
	strcpy(big, "qRcmd,");
	for (size_t i = 6; i < sizeof(big) - 1; i++)
		big[i] = '6';
	big[sizeof(big) - 1] = 0;
	assert_int_equal(parse(big), GZ_GDB_MALFORMED);
	/* an annex with a NUL in it */
	gz_gdb_parse("qXfer:features:read:a\0b:0,1", 28, &cmd);
	assert_int_equal(cmd.kind, GZ_GDB_MALFORMED);
}

static void test_regs(void **state)
{
	struct gz_cpu_ctx c;
	uint8_t b[16], in[16];
	size_t len;
	const char *x;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.x[3] = 0x1122334455667788ULL;
	c.pc = 0x40080000;
	c.pstate = PSR_MODE_EL1h | PSR_D;
	c.sp_el1 = 0x1000;
	c.sp_el0 = 0x2000;
	c.fp.v[2][0] = 1;
	c.fp.v[2][1] = 2;
	c.fp.fpcr = 0x3000000;
	c.sys[GZ_SYS_VBAR_EL1] = 0x40081000;
	c.hcr_el2 = 0x80000000;

	assert_int_equal(gz_sim_gdb_reg_read(&c, 3, b), 8);
	assert_memory_equal(b, "\x88\x77\x66\x55\x44\x33\x22\x11", 8);
	gz_sim_gdb_reg_read(&c, GZ_GDB_REG_SP, b);
	assert_int_equal(b[1], 0x10); /* SP_EL1 in EL1h */
	c.pstate = PSR_MODE_EL1t;
	gz_sim_gdb_reg_read(&c, GZ_GDB_REG_SP, b);
	assert_int_equal(b[1], 0x20); /* SP_EL0 in EL1t */
	assert_int_equal(gz_sim_gdb_reg_read(&c, GZ_GDB_REG_CPSR, b), 4);
	assert_int_equal(b[0], PSR_MODE_EL1t);
	assert_int_equal(gz_sim_gdb_reg_read(&c, GZ_GDB_REG_V0 + 2, b), 16);
	assert_int_equal(b[0], 1);
	assert_int_equal(b[8], 2);
	assert_int_equal(gz_sim_gdb_reg_read(&c, GZ_GDB_REG_FPCR, b), 4);
	assert_int_equal(b[3], 3);
	assert_int_equal(gz_sim_gdb_reg_size(gz_sim_gdb_nr_regs()), 0);
	assert_int_equal(gz_sim_gdb_reg_read(&c, gz_sim_gdb_nr_regs(), b), 0);

	/* writes: GPRs, the SP in use, PC, V, FPSR, an EL1 system register */
	memset(in, 0xab, sizeof(in));
	assert_true(gz_sim_gdb_reg_write(&c, 30, in));
	assert_int_equal(c.x[30], 0xababababababababULL);
	assert_true(gz_sim_gdb_reg_write(&c, GZ_GDB_REG_SP, in));
	assert_int_equal(c.sp_el0, 0xababababababababULL);
	assert_true(gz_sim_gdb_reg_write(&c, GZ_GDB_REG_V0 + 31, in));
	assert_int_equal(c.fp.v[31][1], 0xababababababababULL);
	assert_true(gz_sim_gdb_reg_write(&c, GZ_GDB_REG_FPSR, in));
	assert_int_equal(c.fp.fpsr, 0xabababab);
	/* PSTATE flags change, the mode does not */
	memcpy(in, "\x04\x00\x00\x60", 4);
	assert_true(gz_sim_gdb_reg_write(&c, GZ_GDB_REG_CPSR, in));
	assert_int_equal(c.pstate, PSR_MODE_EL1t | 0x60000000);
	memcpy(in, "\x05\x00\x00\x00", 4);
	assert_false(gz_sim_gdb_reg_write(&c, GZ_GDB_REG_CPSR, in));
	assert_false(gz_sim_gdb_reg_write(&c, gz_sim_gdb_nr_regs(), in));

	/* the system registers by name in the description, writable ones and read-only ones */
	x = gz_sim_gdb_tdesc("target.xml", &len);
	assert_non_null(x);
	assert_int_equal(len, strlen(x));
	assert_non_null(strstr(x, "org.gnu.gdb.aarch64.core"));
	assert_non_null(strstr(x, "org.gnu.gdb.aarch64.fpu"));
	assert_non_null(strstr(x, "<reg name=\"fpcr\""));
	assert_non_null(strstr(x, "</target>"));
	assert_null(gz_sim_gdb_tdesc("other.xml", &len));
	for (unsigned n = GZ_GDB_REG_SYS0; n < gz_sim_gdb_nr_regs(); n++) {
		char name[40];
		const char *p;
		bool ro;

		snprintf(name, sizeof(name), "regnum=\"%u\"", n);
		p = strstr(x, name);
		assert_non_null(p);
		memset(in, 0x5a, 8);
		gz_sim_gdb_reg_read(&c, n, b);
		ro = !gz_sim_gdb_reg_write(&c, n, in);
		gz_sim_gdb_reg_read(&c, n, in);
		if (ro)
			assert_memory_equal(in, b, 8);
		else
			assert_int_equal(in[0], 0x5a);
	}
	assert_int_equal(c.sys[GZ_SYS_VBAR_EL1], 0x5a5a5a5a5a5a5a5aULL);
	assert_int_equal(c.hcr_el2, 0x80000000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rx_packets),	cmocka_unit_test(test_rx_escapes_and_overflow),
	    cmocka_unit_test(test_frame),	cmocka_unit_test(test_hex),
	    cmocka_unit_test(test_parse_known), cmocka_unit_test(test_parse_unknown_and_malformed),
	    cmocka_unit_test(test_regs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
