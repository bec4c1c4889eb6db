/*
 * The simulator's gdb server (gzsim/gdb.h): a thread that listens on 127.0.0.1 and speaks the
 * GDB remote serial protocol (gdb_proto.c) with one debugger at a time, all-stop: stopping
 * and resuming the vCPUs, breakpoints and watchpoints are gdb_halt.c's; registers are the
 * stopped vCPUs' contexts (gdb_regs.c), memory the guest's (gdb_mem.c), the monitor commands
 * gdb_monitor.c's.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <gzsim/gdb.h>
#include "gdb.h"
#include "gdb_halt.h"
#include "gdb_mem.h"
#include "gdb_monitor.h"
#include "gdb_proto.h"
#include "gdb_regs.h"

/* The server's own state; the vCPUs' is gdb_halt.c's, under its lock. */
static struct {
	pthread_mutex_t mu; /* started, quit, exit_status */
	bool started, quit;
	int exit_status;
	struct gz_sim_gdb_config cfg;
	int lfd, cfd;
	int ev[2]; /* stop events and the end, for the server's poll */
	pthread_t thread;
	/* the session, the server thread's only */
	bool running; /* resumed, and no stop reported since */
	unsigned g_cpu, c_cpu;
	unsigned next_thread; /* qsThreadInfo */
} G = {.mu = PTHREAD_MUTEX_INITIALIZER, .lfd = -1, .cfd = -1, .ev = {-1, -1}};

static struct gz_gdb_rx rx;
static char reply[GZ_GDB_PKT_MAX + 1];
static char frame[2 * GZ_GDB_PKT_MAX + 8], last_frame[2 * GZ_GDB_PKT_MAX + 8];
static size_t last_len;

static void poke_server(void)
{
	char c = 1;

	if (G.ev[1] >= 0 && write(G.ev[1], &c, 1) < 0)
		return; /* the pipe is full: the server has a wake-up pending anyway */
}

/* Stop everything (the lock held) and make the stopped vCPU the debugger's current thread. */
static void stop(enum gz_sim_gdb_stop kind)
{
	gz_sim_gdb_stop_all(kind, G.c_cpu);
	G.running = false;
	G.g_cpu = G.c_cpu = gz_sim_gdb_event()->cpu;
}

static void resume(void)
{
	gz_sim_gdb_resume();
	G.running = true;
}

/* ---- replies ------------------------------------------------------------------------------ */

static void send_raw(const char *p, size_t n)
{
	while (n && G.cfd >= 0) {
		ssize_t w = send(G.cfd, p, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return; /* the debugger went away: the read side will notice */
		p += w;
		n -= (size_t)w;
	}
}

static void send_packet(const char *data, size_t len)
{
	size_t n = gz_gdb_frame(data, len, frame, sizeof(frame));

	if (!n)
		n = gz_gdb_frame("E01", 3, frame, sizeof(frame));
	memcpy(last_frame, frame, n);
	last_len = n;
	send_raw(frame, n);
}

static void send_str(const char *s)
{
	send_packet(s, strlen(s));
}

static void stop_reply(void)
{
	static const char *const wnames[] = {"", "", "watch", "rwatch", "awatch"};
	const struct gz_sim_gdb_event *ev = gz_sim_gdb_event();
	char buf[96];
	int sig = ev->kind == GZ_SIM_GDB_STOP_INTR ? 2 : 5;
	int n = snprintf(buf, sizeof(buf), "T%02xthread:%x;", sig, ev->cpu + 1);

	if (ev->kind == GZ_SIM_GDB_STOP_WATCH && ev->wtype >= 2 && ev->wtype <= 4)
		snprintf(buf + n, sizeof(buf) - (size_t)n, "%s:%llx;", wnames[ev->wtype],
			 (unsigned long long)ev->addr);
	send_str(buf);
}

/* O packets, then OK: what a monitor command printed. */
static void send_console(const char *text)
{
	size_t len = strlen(text);

	for (size_t off = 0; off < len;) {
		size_t n = GZ_MIN(len - off, (size_t)1024);

		reply[0] = 'O';
		gz_gdb_hex_encode((const uint8_t *)text + off, n, reply + 1);
		send_packet(reply, 1 + 2 * n);
		off += n;
	}
	send_str("OK");
}

/* ---- commands ----------------------------------------------------------------------------- */

static struct gz_sim_gdb_mem mem_view(void)
{
	return (struct gz_sim_gdb_mem){G.cfg.ipa_ptr, G.cfg.arg};
}

static void read_regs(struct gz_cpu_ctx *c)
{
	size_t o = 0;
	uint8_t b[16];

	for (unsigned n = 0; n < gz_sim_gdb_nr_regs(); n++) {
		size_t sz = gz_sim_gdb_reg_read(c, n, b);

		gz_gdb_hex_encode(b, sz, reply + o);
		o += 2 * sz;
	}
	send_packet(reply, o);
}

static void write_regs(struct gz_cpu_ctx *c, const struct gz_gdb_cmd *cmd)
{
	uint8_t b[16];
	size_t o = 0;

	for (unsigned n = 0; n < gz_sim_gdb_nr_regs(); n++) {
		size_t sz = gz_sim_gdb_reg_size(n);
		uint8_t cur[16];

		if (o + 2 * sz > cmd->data_len)
			break;
		gz_gdb_hex_decode(cmd->data + o, sz, b);
		gz_sim_gdb_reg_read(c, n, cur);
		/* read-only registers and the mode must come back unchanged */
		if (memcmp(cur, b, sz) && !gz_sim_gdb_reg_write(c, n, b)) {
			send_str("E01");
			return;
		}
		o += 2 * sz;
	}
	send_str("OK");
}

static void read_mem(struct gz_cpu_ctx *c, const struct gz_gdb_cmd *cmd)
{
	static uint8_t buf[GZ_GDB_PKT_MAX / 2];
	struct gz_sim_gdb_mem m = mem_view();
	size_t n, len = (size_t)GZ_MIN(cmd->len, (uint64_t)sizeof(buf));

	if (!len) {
		send_str("");
		return;
	}
	n = gz_sim_gdb_mem_read(&m, c, true, cmd->addr, buf, len);
	if (!n) {
		send_str("E14");
		return;
	}
	gz_gdb_hex_encode(buf, n, reply);
	send_packet(reply, 2 * n);
}

static void write_mem(struct gz_cpu_ctx *c, const struct gz_gdb_cmd *cmd, bool hex)
{
	static uint8_t buf[GZ_GDB_PKT_MAX];
	struct gz_sim_gdb_mem m = mem_view();
	size_t len = (size_t)cmd->len;

	if (len > sizeof(buf)) {
		send_str("E01");
		return;
	}
	if (hex)
		gz_gdb_hex_decode(cmd->data, len, buf);
	else
		memcpy(buf, cmd->data, len);
	if (len && gz_sim_gdb_mem_write(&m, c, true, cmd->addr, buf, len) != len) {
		send_str("E14");
		return;
	}
	send_str("OK");
}

static void point(const struct gz_gdb_cmd *cmd, bool insert)
{
	int r = gz_sim_gdb_point(cmd->type, cmd->addr, cmd->len, insert);

	/* E28 (ENOSPC): gdb says it could not insert it; E22 (EINVAL): no such length */
	send_str(r == 0 ? "OK" : r == -1 ? "E28" : "E22");
}

static unsigned thread_cpu(int64_t t, unsigned dflt)
{
	return t > 0 ? (unsigned)(t - 1) : dflt;
}

static bool thread_ok(int64_t t)
{
	return t == GZ_GDB_THREAD_ALL || t == GZ_GDB_THREAD_ANY ||
	       (t > 0 && t <= gz_sim_gdb_nr_cpus());
}

/* vCont: the leftmost action naming a vCPU applies to it. True when something runs. */
static bool vcont(const struct gz_gdb_cmd *cmd)
{
	bool any = false;

	for (unsigned i = 0; i < gz_sim_gdb_nr_cpus(); i++) {
		for (unsigned a = 0; a < cmd->nr_actions; a++) {
			const struct gz_gdb_vcont_action *act = &cmd->act[a];

			if (act->thread != GZ_GDB_THREAD_ALL && act->thread != (int64_t)i + 1)
				continue;
			if (act->op != 't') {
				gz_sim_gdb_set_run(i, act->op);
				any = true;
			}
			break;
		}
	}
	return any;
}

static void supported(void)
{
	send_str("PacketSize=4000;qXfer:features:read+;vContSupported+");
}

static void xfer_features(const struct gz_gdb_cmd *cmd)
{
	size_t len, n;
	const char *x = gz_sim_gdb_tdesc(cmd->annex, &len);

	if (!x) {
		send_str("E00");
		return;
	}
	if (cmd->addr >= len) {
		send_str("l");
		return;
	}
	n = (size_t)GZ_MIN((uint64_t)(len - cmd->addr), GZ_MIN(cmd->len, (uint64_t)4000));
	reply[0] = cmd->addr + n < len ? 'm' : 'l';
	memcpy(reply + 1, x + cmd->addr, n);
	send_packet(reply, n + 1);
}

static void monitor(const struct gz_gdb_cmd *cmd)
{
	static char out[8192];
	struct gz_sim_gdb_mon_env env = {
	    .vm = gz_sim_gdb_vm(),
	    .vcpu = G.g_cpu,
	    .ctx = gz_sim_gdb_ctx(G.g_cpu),
	    .mem = mem_view(),
	};

	env.exits = gz_sim_gdb_exits(G.g_cpu, &env.nr_exits);

	gz_sim_gdb_monitor(&env, cmd->data, out, sizeof(out));
	send_console(out);
}

/* Serve one packet; false when the session ends (kill, detach). With gdb_halt's lock. */
static bool serve(const char *pkt, size_t len)
{
	static struct gz_gdb_cmd cmd;
	struct gz_cpu_ctx *c;
	char buf[64];
	uint8_t b[16];

	gz_gdb_parse(pkt, len, &cmd);
	switch (cmd.kind) {
	case GZ_GDB_HALT_REASON:
		stop_reply();
		break;
	case GZ_GDB_READ_REGS:
	case GZ_GDB_WRITE_REGS:
	case GZ_GDB_READ_REG:
	case GZ_GDB_WRITE_REG:
	case GZ_GDB_READ_MEM:
	case GZ_GDB_WRITE_MEM:
	case GZ_GDB_WRITE_MEM_BIN:
		c = gz_sim_gdb_ctx(G.g_cpu);
		if (!c) {
			send_str("E03"); /* that vCPU never came to rest */
			break;
		}
		if (cmd.kind == GZ_GDB_READ_REGS) {
			read_regs(c);
		} else if (cmd.kind == GZ_GDB_WRITE_REGS) {
			write_regs(c, &cmd);
		} else if (cmd.kind == GZ_GDB_READ_REG) {
			size_t sz = gz_sim_gdb_reg_size(cmd.type);

			if (!sz) {
				send_str("E01");
				break;
			}
			gz_sim_gdb_reg_read(c, cmd.type, b);
			gz_gdb_hex_encode(b, sz, reply);
			send_packet(reply, 2 * sz);
		} else if (cmd.kind == GZ_GDB_WRITE_REG) {
			size_t sz = gz_sim_gdb_reg_size(cmd.type);

			if (!sz || cmd.data_len != 2 * sz) {
				send_str("E01");
				break;
			}
			gz_gdb_hex_decode(cmd.data, sz, b);
			send_str(gz_sim_gdb_reg_write(c, cmd.type, b) ? "OK" : "E01");
		} else if (cmd.kind == GZ_GDB_READ_MEM) {
			read_mem(c, &cmd);
		} else {
			write_mem(c, &cmd, cmd.kind == GZ_GDB_WRITE_MEM);
		}
		break;
	case GZ_GDB_INSERT_POINT:
	case GZ_GDB_REMOVE_POINT:
		point(&cmd, cmd.kind == GZ_GDB_INSERT_POINT);
		break;
	case GZ_GDB_SET_THREAD:
		if (!thread_ok(cmd.thread)) {
			send_str("E02");
			break;
		}
		if (cmd.op == 'g')
			G.g_cpu = thread_cpu(cmd.thread, G.g_cpu);
		else
			G.c_cpu = thread_cpu(cmd.thread, G.c_cpu);
		send_str("OK");
		break;
	case GZ_GDB_THREAD_ALIVE:
		send_str(cmd.thread > 0 && thread_ok(cmd.thread) ? "OK" : "E02");
		break;
	case GZ_GDB_CONTINUE:
	case GZ_GDB_STEP:
		if (cmd.len && (c = gz_sim_gdb_ctx(G.c_cpu)))
			c->pc = cmd.addr;
		if (cmd.kind == GZ_GDB_CONTINUE) {
			for (unsigned i = 0; i < gz_sim_gdb_nr_cpus(); i++)
				gz_sim_gdb_set_run(i, 'c');
		} else {
			gz_sim_gdb_set_run(G.c_cpu, 's');
		}
		resume();
		break;
	case GZ_GDB_VCONT:
		if (vcont(&cmd))
			resume();
		else
			send_str("E01");
		break;
	case GZ_GDB_VCONT_QUERY:
		send_str("vCont;c;C;s;S;t");
		break;
	case GZ_GDB_DETACH:
		send_str("OK");
		return false;
	case GZ_GDB_KILL:
		if (G.cfg.kill)
			G.cfg.kill(G.cfg.arg);
		return false;
	case GZ_GDB_SUPPORTED:
		supported();
		break;
	case GZ_GDB_XFER_FEATURES:
		xfer_features(&cmd);
		break;
	case GZ_GDB_THREAD_FIRST:
	case GZ_GDB_THREAD_NEXT: {
		size_t o = 0;
		unsigned n = gz_sim_gdb_nr_cpus();

		if (cmd.kind == GZ_GDB_THREAD_FIRST)
			G.next_thread = 0;
		if (G.next_thread >= n) {
			send_str("l");
			break;
		}
		reply[o++] = 'm';
		for (; G.next_thread < n; G.next_thread++)
			o += (size_t)snprintf(reply + o, 16, "%s%x", o > 1 ? "," : "",
					      G.next_thread + 1);
		send_packet(reply, o);
		break;
	}
	case GZ_GDB_CURRENT_THREAD:
		snprintf(buf, sizeof(buf), "QC%x", G.g_cpu + 1);
		send_str(buf);
		break;
	case GZ_GDB_ATTACHED:
		send_str("1");
		break;
	case GZ_GDB_THREAD_EXTRA: {
		unsigned i = thread_cpu(cmd.thread, 0);
		const char *st = gz_sim_gdb_cpu_state(i);

		snprintf(buf, sizeof(buf), "vCPU %u%s%s", i, *st ? ", " : "", st);
		gz_gdb_hex_encode((const uint8_t *)buf, strlen(buf), reply);
		send_packet(reply, 2 * strlen(buf));
		break;
	}
	case GZ_GDB_MONITOR:
		monitor(&cmd);
		break;
	case GZ_GDB_MALFORMED:
		send_str("E01");
		break;
	default:
		send_str("");
		break;
	}
	return true;
}

/* ---- the server thread -------------------------------------------------------------------- */

static bool quitting(void)
{
	bool q;

	pthread_mutex_lock(&G.mu);
	q = G.quit;
	pthread_mutex_unlock(&G.mu);
	return q;
}

static void end_session(void)
{
	gz_sim_gdb_lock();
	gz_sim_gdb_release_all(); /* a debugger that goes away lets the guest run on */
	G.running = false;
	gz_sim_gdb_unlock();
	close(G.cfd);
	G.cfd = -1;
}

/* Serve what one read brought; false when the session ends. */
static bool take(const uint8_t *in, size_t n)
{
	bool live = true;

	for (size_t i = 0; i < n && live; i++) {
		switch (gz_gdb_rx_byte(&rx, in[i])) {
		case GZ_GDB_RX_PACKET:
			send_raw("+", 1);
			gz_sim_gdb_lock();
			/* while it runs, only a stop (Ctrl-C) is the debugger's to send */
			live = G.running || serve(rx.buf, rx.len);
			gz_sim_gdb_unlock();
			break;
		case GZ_GDB_RX_BAD:
			send_raw("-", 1);
			break;
		case GZ_GDB_RX_NAK:
			send_raw(last_frame, last_len);
			break;
		case GZ_GDB_RX_INTR:
			gz_sim_gdb_lock();
			if (G.running) {
				stop(GZ_SIM_GDB_STOP_INTR);
				stop_reply();
			}
			gz_sim_gdb_unlock();
			break;
		default:
			break;
		}
	}
	return live;
}

/* One debugger, from its connection to its end (detach, kill, hang-up, the VM's end). */
static void session(void)
{
	gz_gdb_rx_init(&rx);
	last_len = 0;
	gz_sim_gdb_lock();
	stop(GZ_SIM_GDB_STOP_INITIAL); /* a debugger attaches to a stopped target */
	gz_sim_gdb_unlock();
	for (;;) {
		struct pollfd pfd[2] = {{.fd = G.cfd, .events = POLLIN},
					{.fd = G.ev[0], .events = POLLIN}};
		uint8_t in[4096];
		ssize_t n;

		if (poll(pfd, 2, 100) < 0 && errno != EINTR)
			break;
		if (pfd[1].revents & POLLIN) {
			char drain[64];

			if (read(G.ev[0], drain, sizeof(drain)) < 0)
				continue;
		}
		if (quitting()) {
			char w[8];

			snprintf(w, sizeof(w), "W%02x", G.exit_status & 0xff);
			send_str(w);
			break;
		}
		gz_sim_gdb_lock();
		if (G.running && gz_sim_gdb_event()->kind != GZ_SIM_GDB_STOP_NONE) {
			stop(gz_sim_gdb_event()->kind);
			stop_reply();
		}
		gz_sim_gdb_unlock();
		if (!(pfd[0].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		n = recv(G.cfd, in, sizeof(in), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || !take(in, (size_t)n))
			break;
	}
	end_session();
}

static void *server_main(void *arg)
{
	int one = 1;

	(void)arg;
	while (!quitting()) {
		struct pollfd pfd[2] = {{.fd = G.lfd, .events = POLLIN},
					{.fd = G.ev[0], .events = POLLIN}};

		if (poll(pfd, 2, 200) <= 0)
			continue;
		if (pfd[1].revents & POLLIN) {
			char drain[64];

			if (read(G.ev[0], drain, sizeof(drain)) < 0)
				continue;
		}
		if (!(pfd[0].revents & POLLIN))
			continue;
		G.cfd = accept4(G.lfd, NULL, NULL, SOCK_CLOEXEC);
		if (G.cfd < 0)
			continue;
		/* an ack and a reply are two small writes: Nagle would hold the reply back */
		setsockopt(G.cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		session();
	}
	return NULL;
}

int gz_sim_gdb_start(const struct gz_sim_gdb_config *cfg, char *err, size_t errlen)
{
	struct sockaddr_in sa = {.sin_family = AF_INET,
				 .sin_port = htons(cfg->port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int one = 1;

	pthread_mutex_lock(&G.mu);
	G.cfg = *cfg;
	if (G.started) {
		pthread_mutex_unlock(&G.mu);
		return 0;
	}
	G.lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (G.lfd < 0 || setsockopt(G.lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(G.lfd, (struct sockaddr *)&sa, sizeof(sa)) || listen(G.lfd, 1) ||
	    pipe2(G.ev, O_CLOEXEC | O_NONBLOCK)) {
		snprintf(err, errlen, "gdb server: cannot listen on 127.0.0.1:%u: %s", cfg->port,
			 strerror(errno));
		if (G.lfd >= 0)
			close(G.lfd);
		G.lfd = -1;
		pthread_mutex_unlock(&G.mu);
		return -1;
	}
	gz_sim_gdb_halt_init(G.ev[1], cfg->wait);
	G.quit = false;
	G.started = true;
	atomic_store(&gz_sim_gdb_on, true);
	if (pthread_create(&G.thread, NULL, server_main, NULL)) {
		snprintf(err, errlen, "gdb server: cannot start its thread");
		G.started = false;
		atomic_store(&gz_sim_gdb_on, false);
		pthread_mutex_unlock(&G.mu);
		return -1;
	}
	pthread_mutex_unlock(&G.mu);
	fprintf(stderr, "gzvmm: gdb server on 127.0.0.1:%u%s\n", cfg->port,
		cfg->wait ? ", the guest waits for the debugger" : "");
	return 0;
}

void gz_sim_gdb_stop(int status)
{
	pthread_mutex_lock(&G.mu);
	if (!G.started) {
		pthread_mutex_unlock(&G.mu);
		return;
	}
	G.quit = true;
	G.exit_status = status;
	pthread_mutex_unlock(&G.mu);
	gz_sim_gdb_halt_quit(); /* parked vCPUs go, stops wait no more */
	poke_server();
	pthread_join(G.thread, NULL);
	close(G.lfd);
	close(G.ev[0]);
	close(G.ev[1]);
	G.lfd = G.ev[0] = G.ev[1] = -1;
	gz_sim_gdb_lock();
	gz_sim_gdb_release_all();
	gz_sim_gdb_unlock();
	pthread_mutex_lock(&G.mu);
	G.started = false;
	pthread_mutex_unlock(&G.mu);
	atomic_store(&gz_sim_gdb_on, false);
}
