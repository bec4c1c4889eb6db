/* The GDB remote serial protocol's wire format (gdb_proto.c), without any I/O or target: the
 * receiver that turns a byte stream into packets ($data#cs, acks, Ctrl-C), the framing of
 * replies, hex helpers, and the parser that turns one packet into a command. Every input is
 * untrusted: a malformed packet is a GZ_GDB_MALFORMED command, never a crash. */
#ifndef GZ_SIM_GDB_PROTO_H
#define GZ_SIM_GDB_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Largest packet payload accepted and announced (qSupported PacketSize, hex 0x4000). */
#define GZ_GDB_PKT_MAX	  16384
#define GZ_GDB_MAX_VCONT  8
#define GZ_GDB_THREAD_ALL (-1) /* "-1": every thread */
#define GZ_GDB_THREAD_ANY 0    /* "0": any thread */

enum gz_gdb_rx_event {
	GZ_GDB_RX_NONE,	  /* nothing complete yet */
	GZ_GDB_RX_PACKET, /* a packet with a good checksum: rx->buf, rx->len (unescaped) */
	GZ_GDB_RX_BAD,	  /* a packet with a bad checksum or too long: answer '-' */
	GZ_GDB_RX_INTR,	  /* Ctrl-C (0x03) outside a packet */
	GZ_GDB_RX_ACK,	  /* '+' */
	GZ_GDB_RX_NAK,	  /* '-': resend the last reply */
};

struct gz_gdb_rx {
	int state; /* where in a packet (gdb_proto.c) */
	bool escaped, overflow;
	uint8_t sum, cs;
	size_t len;
	char buf[GZ_GDB_PKT_MAX + 1]; /* NUL-terminated for convenience; may hold NULs (X) */
};

void gz_gdb_rx_init(struct gz_gdb_rx *rx);
/* Feed one byte. */
enum gz_gdb_rx_event gz_gdb_rx_byte(struct gz_gdb_rx *rx, uint8_t c);

/* Frame @len bytes of @data as $data#cs into @out (escaping '$', '#', '}' and '*'). The
 * framed length, or 0 when it would not fit in @cap. */
size_t gz_gdb_frame(const char *data, size_t len, char *out, size_t cap);

int gz_gdb_hex_digit(char c); /* 0..15, -1 for anything else */
/* @n bytes from 2n hex digits; false on a non-hex digit. */
bool gz_gdb_hex_decode(const char *in, size_t n, uint8_t *out);
/* 2n lowercase hex digits (no NUL). */
void gz_gdb_hex_encode(const uint8_t *in, size_t n, char *out);

enum gz_gdb_cmd_kind {
	GZ_GDB_UNKNOWN,	  /* well formed but not supported: empty reply */
	GZ_GDB_MALFORMED, /* a known packet with bad arguments: E error */
	GZ_GDB_HALT_REASON,
	GZ_GDB_READ_REGS,
	GZ_GDB_WRITE_REGS,
	GZ_GDB_READ_REG,
	GZ_GDB_WRITE_REG,
	GZ_GDB_READ_MEM,
	GZ_GDB_WRITE_MEM,     /* M: data is hex */
	GZ_GDB_WRITE_MEM_BIN, /* X: data is binary */
	GZ_GDB_INSERT_POINT,
	GZ_GDB_REMOVE_POINT,
	GZ_GDB_SET_THREAD,
	GZ_GDB_THREAD_ALIVE,
	GZ_GDB_CONTINUE,
	GZ_GDB_STEP,
	GZ_GDB_VCONT,
	GZ_GDB_VCONT_QUERY,
	GZ_GDB_DETACH,
	GZ_GDB_KILL,
	GZ_GDB_SUPPORTED,
	GZ_GDB_XFER_FEATURES,
	GZ_GDB_THREAD_FIRST,
	GZ_GDB_THREAD_NEXT,
	GZ_GDB_CURRENT_THREAD,
	GZ_GDB_ATTACHED,
	GZ_GDB_MONITOR, /* qRcmd: data is the command, hex-decoded into text */
	GZ_GDB_THREAD_EXTRA,
};

struct gz_gdb_vcont_action {
	char op;	/* 'c', 's' or 't' (C and S lose their signal) */
	int64_t thread; /* GZ_GDB_THREAD_ALL when none is named */
};

struct gz_gdb_cmd {
	enum gz_gdb_cmd_kind kind;
	uint64_t addr, len; /* m M X Z z; qXfer offset and length */
	unsigned type;	    /* Z/z type; p/P register number */
	char op;	    /* H: 'g' or 'c' */
	int64_t thread;	    /* H, T, qThreadExtraInfo */
	const char *data;   /* G P M X: the payload in the packet; qRcmd: decoded text */
	size_t data_len;
	const char *annex; /* qXfer:features:read annex (in @text, NUL-terminated) */
	unsigned nr_actions;
	struct gz_gdb_vcont_action act[GZ_GDB_MAX_VCONT];
	char text[256]; /* qRcmd text, qXfer annex */
};

/* Parse @len bytes of a packet's payload (unescaped, @pkt[len] must be addressable and is
 * not read). Pointers in @cmd point into @pkt or @cmd->text. */
void gz_gdb_parse(const char *pkt, size_t len, struct gz_gdb_cmd *cmd);

#endif
