/* The GDB remote serial protocol's wire format (gdb_proto.h). */
#include <string.h>
#include "gdb_proto.h"

enum { RX_IDLE, RX_DATA, RX_CS1, RX_CS2 };

void gz_gdb_rx_init(struct gz_gdb_rx *rx)
{
	rx->state = RX_IDLE;
	rx->len = 0;
	rx->escaped = rx->overflow = false;
	rx->sum = rx->cs = 0;
}

int gz_gdb_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

enum gz_gdb_rx_event gz_gdb_rx_byte(struct gz_gdb_rx *rx, uint8_t c)
{
	int d;

	switch (rx->state) {
	case RX_IDLE:
		if (c == '$') {
			gz_gdb_rx_init(rx);
			rx->state = RX_DATA;
		} else if (c == 0x03) {
			return GZ_GDB_RX_INTR;
		} else if (c == '+') {
			return GZ_GDB_RX_ACK;
		} else if (c == '-') {
			return GZ_GDB_RX_NAK;
		}
		return GZ_GDB_RX_NONE;
	case RX_DATA:
		if (c == '$') { /* gdb gave up on that one and sends anew */
			gz_gdb_rx_init(rx);
			rx->state = RX_DATA;
			return GZ_GDB_RX_NONE;
		}
		if (c == '#' && !rx->escaped) {
			rx->state = RX_CS1;
			return GZ_GDB_RX_NONE;
		}
		rx->sum = (uint8_t)(rx->sum + c); /* the checksum covers the escapes */
		if (rx->escaped) {
			c ^= 0x20;
			rx->escaped = false;
		} else if (c == '}') {
			rx->escaped = true;
			return GZ_GDB_RX_NONE;
		}
		if (rx->len < GZ_GDB_PKT_MAX)
			rx->buf[rx->len++] = (char)c;
		else
			rx->overflow = true;
		return GZ_GDB_RX_NONE;
	case RX_CS1:
		d = gz_gdb_hex_digit((char)c);
		if (d < 0) {
			rx->state = RX_IDLE;
			return GZ_GDB_RX_BAD;
		}
		rx->cs = (uint8_t)(d << 4);
		rx->state = RX_CS2;
		return GZ_GDB_RX_NONE;
	default:
		d = gz_gdb_hex_digit((char)c);
		rx->state = RX_IDLE;
		if (d < 0 || (uint8_t)(rx->cs | d) != rx->sum || rx->overflow)
			return GZ_GDB_RX_BAD;
		rx->buf[rx->len] = 0;
		return GZ_GDB_RX_PACKET;
	}
}

size_t gz_gdb_frame(const char *data, size_t len, char *out, size_t cap)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;
	uint8_t sum = 0;

	if (cap < 4)
		return 0;
	out[o++] = '$';
	for (size_t i = 0; i < len; i++) {
		char c = data[i];
		bool esc = c == '$' || c == '#' || c == '}' || c == '*';

		if (o + (esc ? 2 : 1) + 3 > cap)
			return 0;
		if (esc) {
			out[o++] = '}';
			sum = (uint8_t)(sum + '}');
			c ^= 0x20;
		}
		out[o++] = c;
		sum = (uint8_t)(sum + (uint8_t)c);
	}
	out[o++] = '#';
	out[o++] = hex[sum >> 4];
	out[o++] = hex[sum & 15];
	return o;
}

bool gz_gdb_hex_decode(const char *in, size_t n, uint8_t *out)
{
	for (size_t i = 0; i < n; i++) {
		int hi = gz_gdb_hex_digit(in[2 * i]), lo = gz_gdb_hex_digit(in[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

void gz_gdb_hex_encode(const uint8_t *in, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[in[i] >> 4];
		out[2 * i + 1] = hex[in[i] & 15];
	}
}

/* ---- the command parser --------------------------------------------------------------- */

struct cur {
	const char *p, *end;
};

static bool at_end(const struct cur *c)
{
	return c->p == c->end;
}

static bool eat(struct cur *c, char ch)
{
	if (c->p < c->end && *c->p == ch) {
		c->p++;
		return true;
	}
	return false;
}

static bool eat_str(struct cur *c, const char *s)
{
	size_t n = strlen(s);

	if ((size_t)(c->end - c->p) < n || memcmp(c->p, s, n))
		return false;
	c->p += n;
	return true;
}

/* One to sixteen hex digits. */
static bool hex_num(struct cur *c, uint64_t *v)
{
	unsigned n = 0;
	int d;

	*v = 0;
	while (c->p < c->end && (d = gz_gdb_hex_digit(*c->p)) >= 0) {
		if (++n > 16)
			return false;
		*v = *v << 4 | (uint64_t)d;
		c->p++;
	}
	return n > 0;
}

/* A thread id: "-1" (all) or a hex number (0: any). */
static bool thread_id(struct cur *c, int64_t *t)
{
	uint64_t v;

	if (eat(c, '-')) {
		if (!eat(c, '1'))
			return false;
		*t = GZ_GDB_THREAD_ALL;
		return true;
	}
	if (!hex_num(c, &v) || v > 0x7fffffff)
		return false;
	*t = (int64_t)v;
	return true;
}

static bool all_hex(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (gz_gdb_hex_digit(p[i]) < 0)
			return false;
	return true;
}

/* "addr,len" */
static bool addr_len(struct cur *c, struct gz_gdb_cmd *cmd)
{
	return hex_num(c, &cmd->addr) && eat(c, ',') && hex_num(c, &cmd->len);
}

static enum gz_gdb_cmd_kind parse_vcont(struct cur *c, struct gz_gdb_cmd *cmd)
{
	if (eat(c, '?'))
		return at_end(c) ? GZ_GDB_VCONT_QUERY : GZ_GDB_MALFORMED;
	while (eat(c, ';')) {
		struct gz_gdb_vcont_action a = {.thread = GZ_GDB_THREAD_ALL};
		uint64_t sig;

		if (cmd->nr_actions == GZ_GDB_MAX_VCONT || at_end(c))
			return GZ_GDB_MALFORMED;
		a.op = *c->p++;
		if (a.op == 'C' || a.op == 'S') {
			if (!hex_num(c, &sig) || sig > 0xff)
				return GZ_GDB_MALFORMED;
			a.op = a.op == 'C' ? 'c' : 's';
		} else if (a.op != 'c' && a.op != 's' && a.op != 't') {
			return GZ_GDB_MALFORMED;
		}
		if (eat(c, ':') && (!thread_id(c, &a.thread) || a.thread == GZ_GDB_THREAD_ANY))
			return GZ_GDB_MALFORMED;
		cmd->act[cmd->nr_actions++] = a;
	}
	return at_end(c) && cmd->nr_actions ? GZ_GDB_VCONT : GZ_GDB_MALFORMED;
}

static enum gz_gdb_cmd_kind parse_query(struct cur *c, struct gz_gdb_cmd *cmd)
{
	if (eat_str(c, "Supported"))
		return GZ_GDB_SUPPORTED;
	if (eat_str(c, "fThreadInfo"))
		return at_end(c) ? GZ_GDB_THREAD_FIRST : GZ_GDB_MALFORMED;
	if (eat_str(c, "sThreadInfo"))
		return at_end(c) ? GZ_GDB_THREAD_NEXT : GZ_GDB_MALFORMED;
	if (eat_str(c, "Attached"))
		return GZ_GDB_ATTACHED;
	if (eat_str(c, "ThreadExtraInfo,"))
		return thread_id(c, &cmd->thread) && at_end(c) ? GZ_GDB_THREAD_EXTRA
							       : GZ_GDB_MALFORMED;
	if (eat_str(c, "Rcmd,")) {
		size_t n = (size_t)(c->end - c->p);

		if (n % 2 || n / 2 >= sizeof(cmd->text) ||
		    !gz_gdb_hex_decode(c->p, n / 2, (uint8_t *)cmd->text))
			return GZ_GDB_MALFORMED;
		cmd->text[n / 2] = 0;
		if (strlen(cmd->text) != n / 2)
			return GZ_GDB_MALFORMED; /* a NUL inside the command */
		cmd->data = cmd->text;
		cmd->data_len = n / 2;
		return GZ_GDB_MONITOR;
	}
	if (eat_str(c, "Xfer:features:read:")) {
		const char *colon = memchr(c->p, ':', (size_t)(c->end - c->p));
		size_t n;

		if (!colon || (n = (size_t)(colon - c->p)) == 0 || n >= sizeof(cmd->text))
			return GZ_GDB_MALFORMED;
		memcpy(cmd->text, c->p, n);
		cmd->text[n] = 0;
		if (strlen(cmd->text) != n)
			return GZ_GDB_MALFORMED;
		cmd->annex = cmd->text;
		c->p = colon + 1;
		return addr_len(c, cmd) && at_end(c) ? GZ_GDB_XFER_FEATURES : GZ_GDB_MALFORMED;
	}
	if (eat(c, 'C'))
		return at_end(c) ? GZ_GDB_CURRENT_THREAD : GZ_GDB_UNKNOWN;
	return GZ_GDB_UNKNOWN;
}

static enum gz_gdb_cmd_kind parse(struct cur *c, struct gz_gdb_cmd *cmd)
{
	uint64_t v;
	char k;

	if (at_end(c))
		return GZ_GDB_UNKNOWN;
	k = *c->p++;
	switch (k) {
	case '?':
		return at_end(c) ? GZ_GDB_HALT_REASON : GZ_GDB_MALFORMED;
	case 'g':
		return at_end(c) ? GZ_GDB_READ_REGS : GZ_GDB_MALFORMED;
	case 'G':
		cmd->data = c->p;
		cmd->data_len = (size_t)(c->end - c->p);
		return cmd->data_len % 2 == 0 && all_hex(c->p, cmd->data_len) ? GZ_GDB_WRITE_REGS
									      : GZ_GDB_MALFORMED;
	case 'p':
		if (!hex_num(c, &v) || !at_end(c) || v > 0xffff)
			return GZ_GDB_MALFORMED;
		cmd->type = (unsigned)v;
		return GZ_GDB_READ_REG;
	case 'P':
		if (!hex_num(c, &v) || !eat(c, '=') || v > 0xffff)
			return GZ_GDB_MALFORMED;
		cmd->type = (unsigned)v;
		cmd->data = c->p;
		cmd->data_len = (size_t)(c->end - c->p);
		return cmd->data_len && cmd->data_len % 2 == 0 && all_hex(c->p, cmd->data_len)
			   ? GZ_GDB_WRITE_REG
			   : GZ_GDB_MALFORMED;
	case 'm':
		return addr_len(c, cmd) && at_end(c) ? GZ_GDB_READ_MEM : GZ_GDB_MALFORMED;
	case 'M':
		if (!addr_len(c, cmd) || !eat(c, ':'))
			return GZ_GDB_MALFORMED;
		cmd->data = c->p;
		cmd->data_len = (size_t)(c->end - c->p);
		return cmd->len <= GZ_GDB_PKT_MAX && cmd->data_len == 2 * cmd->len &&
			       all_hex(c->p, cmd->data_len)
			   ? GZ_GDB_WRITE_MEM
			   : GZ_GDB_MALFORMED;
	case 'X':
		if (!addr_len(c, cmd) || !eat(c, ':'))
			return GZ_GDB_MALFORMED;
		cmd->data = c->p;
		cmd->data_len = (size_t)(c->end - c->p);
		return cmd->data_len == cmd->len ? GZ_GDB_WRITE_MEM_BIN : GZ_GDB_MALFORMED;
	case 'Z':
	case 'z':
		if (!hex_num(c, &v) || v > 4 || !eat(c, ',') || !addr_len(c, cmd))
			return GZ_GDB_MALFORMED;
		cmd->type = (unsigned)v;
		/* conditions and commands (";X...") are not offered: ignored */
		if (!at_end(c) && *c->p != ';')
			return GZ_GDB_MALFORMED;
		return k == 'Z' ? GZ_GDB_INSERT_POINT : GZ_GDB_REMOVE_POINT;
	case 'H':
		if (at_end(c))
			return GZ_GDB_MALFORMED;
		cmd->op = *c->p++;
		if (cmd->op != 'g' && cmd->op != 'c')
			return GZ_GDB_UNKNOWN;
		return thread_id(c, &cmd->thread) && at_end(c) ? GZ_GDB_SET_THREAD
							       : GZ_GDB_MALFORMED;
	case 'T':
		return thread_id(c, &cmd->thread) && at_end(c) ? GZ_GDB_THREAD_ALIVE
							       : GZ_GDB_MALFORMED;
	case 'c':
	case 's':
		/* an address to resume at: cmd->len says there is one */
		cmd->len = !at_end(c);
		if (cmd->len && (!hex_num(c, &cmd->addr) || !at_end(c)))
			return GZ_GDB_MALFORMED;
		return k == 'c' ? GZ_GDB_CONTINUE : GZ_GDB_STEP;
	case 'D':
		return GZ_GDB_DETACH;
	case 'k':
		return GZ_GDB_KILL;
	case 'v':
		if (eat_str(c, "Cont"))
			return parse_vcont(c, cmd);
		return GZ_GDB_UNKNOWN;
	case 'q':
		return parse_query(c, cmd);
	default:
		return GZ_GDB_UNKNOWN;
	}
}

void gz_gdb_parse(const char *pkt, size_t len, struct gz_gdb_cmd *cmd)
{
	struct cur c = {pkt, pkt + len};

	memset(cmd, 0, sizeof(*cmd));
	cmd->kind = parse(&c, cmd);
}
