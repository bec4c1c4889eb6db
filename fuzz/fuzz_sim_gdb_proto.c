/* Fuzz target: the gdb server's wire format (sim/gdb_proto.c), what a debugger, or anything
 * that connects to its port, sends. The input is a byte stream fed to the receiver and also
 * parsed whole as one packet. Invariants: a packet is never longer than PacketSize and is
 * NUL-terminated; framing it again and feeding the frame to a fresh receiver gives exactly
 * that packet back (escapes and checksum round-trip); every parsed command's pointers lie in
 * the packet or the command, its lengths agree with its kind (M: two hex digits per byte, X:
 * one byte per byte, vCont: at most the actions there is room for, never thread 0).
 * fuzz-libs: gzsim_internal gzsim gzcore gzlib */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "gdb_proto.h"

static struct gz_gdb_rx rx, rx2;
static struct gz_gdb_cmd cmd;
static char frame[2 * GZ_GDB_PKT_MAX + 8];

static void check_cmd(const char *pkt, size_t len)
{
	gz_gdb_parse(pkt, len, &cmd);
	if (cmd.kind > GZ_GDB_THREAD_EXTRA)
		abort();
	if (cmd.data) {
		bool in_pkt = cmd.data >= pkt && cmd.data + cmd.data_len <= pkt + len;
		bool in_text =
		    cmd.data >= cmd.text && cmd.data + cmd.data_len < cmd.text + sizeof(cmd.text);

		if (!in_pkt && !in_text)
			abort();
	}
	if (cmd.kind == GZ_GDB_WRITE_MEM &&
	    (cmd.data_len != 2 * cmd.len || cmd.len > GZ_GDB_PKT_MAX))
		abort();
	if (cmd.kind == GZ_GDB_WRITE_MEM_BIN && cmd.data_len != cmd.len)
		abort();
	if ((cmd.kind == GZ_GDB_WRITE_REGS || cmd.kind == GZ_GDB_WRITE_REG) && cmd.data_len % 2)
		abort();
	if (cmd.kind == GZ_GDB_MONITOR && strlen(cmd.data) != cmd.data_len)
		abort();
	if (cmd.kind == GZ_GDB_XFER_FEATURES &&
	    (!cmd.annex || !*cmd.annex || strlen(cmd.annex) >= sizeof(cmd.text)))
		abort();
	if (cmd.nr_actions > GZ_GDB_MAX_VCONT || (cmd.kind == GZ_GDB_VCONT && !cmd.nr_actions))
		abort();
	for (unsigned i = 0; i < cmd.nr_actions; i++)
		if (cmd.act[i].thread == GZ_GDB_THREAD_ANY ||
		    (cmd.act[i].op != 'c' && cmd.act[i].op != 's' && cmd.act[i].op != 't'))
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	gz_gdb_rx_init(&rx);
	for (size_t i = 0; i < size; i++) {
		size_t n;
		unsigned got = 0;

		if (gz_gdb_rx_byte(&rx, data[i]) != GZ_GDB_RX_PACKET)
			continue;
		if (rx.len > GZ_GDB_PKT_MAX || rx.buf[rx.len])
			abort();
		check_cmd(rx.buf, rx.len);
		n = gz_gdb_frame(rx.buf, rx.len, frame, sizeof(frame));
		if (!n)
			abort(); /* the frame buffer holds any packet escaped */
		gz_gdb_rx_init(&rx2);
		for (size_t j = 0; j < n; j++) {
			if (gz_gdb_rx_byte(&rx2, (uint8_t)frame[j]) == GZ_GDB_RX_PACKET) {
				if (j != n - 1 || rx2.len != rx.len ||
				    memcmp(rx2.buf, rx.buf, rx.len))
					abort();
				got++;
			}
		}
		if (got != 1)
			abort();
	}
	if (size <= GZ_GDB_PKT_MAX) {
		static char whole[GZ_GDB_PKT_MAX + 1];

		memcpy(whole, data, size);
		check_cmd(whole, size);
	}
	return 0;
}
