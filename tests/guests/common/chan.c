/* Channel calls, the device-tree lookup, the doorbell and the RPC layer of the test guests
 * (chan.h). */
#include "chan.h"

#include "fdt.h"

#define VTIMER_PPI 27

volatile unsigned chan_doorbells;
static unsigned doorbell_intid;

struct chan_find {
	unsigned idx;
	bool is_chan;
	unsigned id, intid, cid, peer_cid;
	uint64_t region_ipa, region_size;
	bool region_owner;
	struct chan_end *e;
};

static void find_begin(void *ctx)
{
	struct chan_find *f = ctx;

	f->is_chan = false;
	f->id = f->intid = f->cid = f->peer_cid = 0;
	f->region_ipa = f->region_size = 0;
	f->region_owner = false;
}

static void find_prop(void *ctx, const char *name, const uint8_t *val, uint32_t len)
{
	struct chan_find *f = ctx;

	if (fdt_streq(name, "compatible"))
		f->is_chan = fdt_streq((const char *)val, "opengz,channel");
	else if (fdt_streq(name, "opengz,channel-id") && len == 4)
		f->id = fdt_be32(val);
	else if (fdt_streq(name, "interrupts") && len == 12 && fdt_be32(val) == 0)
		f->intid = 32 + fdt_be32(val + 4); /* GIC_SPI n */
	else if (fdt_streq(name, "opengz,vsock-cids") && len == 8) {
		f->cid = fdt_be32(val);
		f->peer_cid = fdt_be32(val + 4);
	} else if (fdt_streq(name, "opengz,region") && len == 16) {
		f->region_ipa = fdt_be64(val);
		f->region_size = fdt_be64(val + 8);
	} else if (fdt_streq(name, "opengz,region-owner")) {
		f->region_owner = true;
	}
}

static bool find_end(void *ctx)
{
	struct chan_find *f = ctx;

	if (f->is_chan && f->id && f->intid && f->idx-- == 0) {
		f->e->id = f->id;
		f->e->intid = f->intid;
		f->e->vsock_cid = f->cid;
		f->e->peer_vsock_cid = f->peer_cid;
		f->e->region_ipa = f->region_ipa;
		f->e->region_size = f->region_size;
		f->e->region_owner = f->region_owner;
		return true;
	}
	f->is_chan = false;
	return false;
}

bool chan_find(const void *blob, unsigned idx, struct chan_end *e)
{
	static const struct fdt_visitor v = {find_begin, find_prop, find_end};
	struct chan_find f = {.idx = idx, .e = e};

	return fdt_walk(blob, &v, &f);
}

#define GICD_ISENABLER 0x0100
#define GICD_IPRIORITY 0x0400
#define GICD_IGROUPR   0x0080
#define GICD_IROUTER   0x6000

void chan_doorbell_enable(const struct chan_end *e)
{
	unsigned n = e->intid;

	gic_init_dist();
	gic_init_cpu(0);
	doorbell_intid = n;
	w32(GICD_BASE + GICD_IGROUPR + 4 * (n / 32),
	    r32(GICD_BASE + GICD_IGROUPR + 4 * (n / 32)) | (1u << (n % 32)));
	w8(GICD_BASE + GICD_IPRIORITY + n, 0x80);
	w64(GICD_BASE + GICD_IROUTER + 8 * n, 0); /* CPU 0 */
	w32(GICD_BASE + GICD_ISENABLER + 4 * (n / 32), 1u << (n % 32));
	gic_enable_ppi(0, VTIMER_PPI, 0x80);
	irq_enable();
}

void guest_irq(unsigned intid)
{
	if (intid == VTIMER_PPI) {
		write_sysreg(cntv_ctl_el0, 0); /* the deadline passed: chan_wait looks */
		return;
	}
	if (intid == doorbell_intid) {
		chan_doorbells++;
		return;
	}
	printf_("unexpected interrupt %u\n", intid);
}

static int64_t call(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t *r1, uint64_t *r2,
		    uint64_t *r3)
{
	register uint64_t x0 __asm__("x0") = fn;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;

	__asm__ volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) : : "memory");
	if (r1)
		*r1 = x1;
	if (r2)
		*r2 = x2;
	if (r3)
		*r3 = x3;
	return (int64_t)x0;
}

int64_t chan_send(unsigned id, const void *buf, uint64_t len, uint64_t *queued)
{
	return call(GZ_VENDOR_HYP_CHAN_SEND, id, (uint64_t)buf, len, queued, 0, 0);
}

int64_t chan_recv(unsigned id, void *buf, uint64_t size, uint64_t *len)
{
	return call(GZ_VENDOR_HYP_CHAN_RECV, id, (uint64_t)buf, size, len, 0, 0);
}

int64_t chan_state(unsigned id, uint64_t *rx, uint64_t *tx, uint64_t *limits)
{
	return call(GZ_VENDOR_HYP_CHAN_STATE, id, 0, 0, rx, tx, limits);
}

uint64_t chan_now(void)
{
	isb();
	return read_sysreg(cntvct_el0);
}

uint64_t chan_us(uint64_t us)
{
	return read_sysreg(cntfrq_el0) / 1000000 * us;
}

bool chan_wait(unsigned seen, uint64_t deadline)
{
	if (deadline) {
		write_sysreg(cntv_cval_el0, deadline);
		write_sysreg(cntv_ctl_el0, 1);
	}
	wfi_until(chan_doorbells != seen || (deadline && chan_now() >= deadline));
	write_sysreg(cntv_ctl_el0, 0);
	return chan_doorbells != seen;
}

/* ---- RPC ---------------------------------------------------------------------------------- */

union rpc_msg {
	struct gz_rpc_hdr h;
	uint8_t bytes[GZ_CHAN_MSG_MAX];
};

static int chan_error(int64_t r)
{
	return r == GZ_CHAN_RET_PEER_GONE ? GZ_RPC_ERR_PEER_GONE : GZ_RPC_ERR_CHANNEL;
}

/* Send, waiting for the not-full doorbell while the queue is busy. */
static int send_msg(const struct chan_end *e, const union rpc_msg *m, uint64_t deadline)
{
	for (;;) {
		unsigned seen = chan_doorbells;
		int64_t r = chan_send(e->id, m, GZ_RPC_HDR_SIZE + m->h.len, 0);

		if (r == GZ_CHAN_RET_SUCCESS)
			return GZ_RPC_OK;
		if (r != GZ_CHAN_RET_BUSY)
			return chan_error(r);
		if (!chan_wait(seen, deadline) && deadline && chan_now() >= deadline)
			return GZ_RPC_ERR_TIMEOUT;
	}
}

/* Receive one message, waiting for the not-empty doorbell. */
static int recv_msg(const struct chan_end *e, union rpc_msg *m, uint64_t deadline)
{
	for (;;) {
		unsigned seen = chan_doorbells;
		uint64_t len = 0;
		int64_t r = chan_recv(e->id, m, sizeof(*m), &len);

		if (r == GZ_CHAN_RET_SUCCESS) {
			if (len < GZ_RPC_HDR_SIZE || m->h.magic != GZ_RPC_MAGIC ||
			    m->h.len != len - GZ_RPC_HDR_SIZE)
				continue; /* not ours: dropped */
			return GZ_RPC_OK;
		}
		if (r != GZ_CHAN_RET_EMPTY)
			return chan_error(r);
		if (!chan_wait(seen, deadline) && deadline && chan_now() >= deadline)
			return GZ_RPC_ERR_TIMEOUT;
	}
}

static unsigned next_call_id = 1;

int rpc_call(const struct chan_end *e, unsigned method, const void *args, unsigned len, void *reply,
	     unsigned reply_max, unsigned *reply_len, uint64_t timeout_us)
{
	uint64_t deadline = chan_now() + chan_us(timeout_us);
	union rpc_msg m;
	unsigned id = next_call_id++;
	int r;

	if (len > GZ_RPC_PAYLOAD_MAX)
		return GZ_RPC_ERR_TOO_BIG;
	m.h = (struct gz_rpc_hdr){
	    GZ_RPC_MAGIC, GZ_RPC_REQUEST, (unsigned short)method, id, 0, len, 0};
	for (unsigned i = 0; i < len; i++)
		m.bytes[GZ_RPC_HDR_SIZE + i] = ((const uint8_t *)args)[i];
	r = send_msg(e, &m, deadline);
	while (r == GZ_RPC_OK) {
		r = recv_msg(e, &m, deadline);
		if (r != GZ_RPC_OK)
			break;
		if (m.h.kind != GZ_RPC_RESPONSE || m.h.call_id != id)
			continue; /* the late answer of a call that timed out */
		if (m.h.len > reply_max)
			return GZ_RPC_ERR_TOO_BIG;
		for (unsigned i = 0; i < m.h.len; i++)
			((uint8_t *)reply)[i] = m.bytes[GZ_RPC_HDR_SIZE + i];
		if (reply_len)
			*reply_len = m.h.len;
		return m.h.status;
	}
	return r;
}

int rpc_serve(const struct chan_end *e, rpc_handler handler)
{
	union rpc_msg in, out;
	bool stop = false;
	int r;

	while (!stop) {
		unsigned out_len = 0;

		r = recv_msg(e, &in, 0);
		if (r != GZ_RPC_OK)
			return r;
		if (in.h.kind != GZ_RPC_REQUEST)
			continue;
		out.h = in.h;
		out.h.kind = GZ_RPC_RESPONSE;
		out.h.status = handler(in.h.method, in.bytes + GZ_RPC_HDR_SIZE, in.h.len,
				       out.bytes + GZ_RPC_HDR_SIZE, &out_len, &stop);
		if (out.h.status == RPC_NO_REPLY)
			continue;
		out.h.len = out_len;
		r = send_msg(e, &out, 0);
		if (r != GZ_RPC_OK)
			return r;
	}
	return GZ_RPC_OK;
}
