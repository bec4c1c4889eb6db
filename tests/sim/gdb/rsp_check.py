#!/usr/bin/env python3
"""The gdb server without gdb: speaks the remote serial protocol itself to gzvmm running the
gdb guest (2 vCPUs, --gdb-wait) and checks what gdb-multiarch never sends: bad checksums, a
packet longer than PacketSize, unknown and malformed packets, huge reads, binary writes with
escapes, every monitor command, Ctrl-C while a vCPU spins, and a debugger that goes away
without detaching (the guest runs on to its end and prints its usual transcript).

usage: rsp_check.py GZVMM ELF EXPECTED OUTDIR NM
"""
import os
import socket
import subprocess
import sys
import time

gzvmm, elf, expected, out, nm = sys.argv[1:6]
os.makedirs(out, exist_ok=True)
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("rsp_check: FAILED:", what)


def symbol(name):
    for line in subprocess.run([nm, elf], capture_output=True, text=True).stdout.splitlines():
        f = line.split()
        if len(f) == 3 and f[2] == name:
            return int(f[0], 16)
    raise SystemExit("rsp_check: no symbol " + name)


def checksum(data):
    return sum(data) & 0xFF


class Rsp:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=60)
        self.buf = b""

    def byte(self):
        while not self.buf:
            chunk = self.s.recv(65536)
            if not chunk:
                raise EOFError
            self.buf += chunk
        b, self.buf = self.buf[:1], self.buf[1:]
        return b

    def raw(self, data):
        self.s.sendall(data)

    def send(self, payload):
        if isinstance(payload, str):
            payload = payload.encode()
        self.raw(b"$" + payload + b"#%02x" % checksum(payload))

    def reply(self):
        """The next packet (its ack is sent); acks before it are skipped."""
        while True:
            c = self.byte()
            if c == b"$":
                break
        data = b""
        while True:
            c = self.byte()
            if c == b"#":
                break
            data += c
        cs = self.byte() + self.byte()
        check(int(cs, 16) == checksum(data), "reply checksum")
        self.raw(b"+")
        out, i = b"", 0
        while i < len(data):  # unescape
            if data[i : i + 1] == b"}":
                out += bytes([data[i + 1] ^ 0x20])
                i += 2
            else:
                out += data[i : i + 1]
                i += 1
        return out.decode("latin-1")

    def ack(self):
        """The next ack byte, '+' or '-'."""
        while True:
            c = self.byte()
            if c in (b"+", b"-"):
                return c.decode()

    def cmd(self, payload):
        self.send(payload)
        return self.reply()

    def monitor(self, text):
        self.send("qRcmd," + text.encode().hex())
        said = ""
        while True:
            r = self.reply()
            if r.startswith("O") and r != "OK":
                said += bytes.fromhex(r[1:]).decode()
            else:
                return said, r


def le64(v):
    return v.to_bytes(8, "little").hex()


console = os.path.join(out, "console.txt")
errname = os.path.join(out, "gzvmm.err")
# A free port, asked of the kernel; another process may take it before gzvmm binds it: then
# gzvmm says so and exits, and the next try takes another.
for _ in range(3):
    port_sock = socket.socket()
    port_sock.bind(("127.0.0.1", 0))
    port = port_sock.getsockname()[1]
    port_sock.close()
    err = open(errname, "w")
    vmm = subprocess.Popen(
        [gzvmm, "run", "--backend", "sim", "--kernel", elf, "--cpus", "2", "--gdb", str(port),
         "--gdb-wait", "--console", "file:" + console], stderr=err)
    for _ in range(600):
        if "gdb server on" in open(errname).read() or vmm.poll() is not None:
            break
        time.sleep(0.1)
    if "cannot listen" not in open(errname).read():
        break
    vmm.wait()

# a second gzvmm on the same port: a one-line error, status 1, nothing run
second = subprocess.run([gzvmm, "run", "--backend", "sim", "--kernel", elf, "--gdb", str(port)],
                        capture_output=True, text=True, timeout=120)
check(second.returncode == 1 and "gzvmm: gdb server: cannot listen on 127.0.0.1:%d: Address "
      "already in use" % port in second.stderr and not second.stdout,
      "port in use: status %d, %r" % (second.returncode, second.stderr))

r = Rsp(port)
check(r.cmd("?").startswith("T05thread:1;"), "initial stop reply")
check("PacketSize=4000" in r.cmd("qSupported:multiprocess+;xmlRegisters=aarch64"), "qSupported")

# framing: a bad checksum, a packet over PacketSize, garbage between packets
r.raw(b"$?#00")
check(r.ack() == "-", "bad checksum answered '-'")
long = b"q" + b"A" * 20000
r.raw(b"$" + long + b"#%02x" % checksum(long))
check(r.ack() == "-", "overlong packet answered '-'")
r.raw(b"garbage\xff\x00")
check(r.cmd("qC") == "QC1", "qC after garbage")

# unknown and malformed packets
check(r.cmd("qFooBar") == "", "unknown query: empty reply")
check(r.cmd("vMustReplyEmpty") == "", "vMustReplyEmpty")
check(r.cmd("!") == "", "unknown packet: empty reply")
for bad in ["m12345", "mzz,4", "m1,", "Zx", "Z9,0,4", "p", "p12345678", "G1", "Gzz", "P20=1",
            "M0,4:zz", "M0,4:00", "X0,4:ab", "vCont;x", "vCont;c:0", "T-2", "qRcmd,4",
            "qXfer:features:read::0,10", "m" + "1" * 20 + ",4", "c12z"]:
    check(r.cmd(bad).startswith("E"), "malformed %r answered E" % bad)
check(r.cmd("Hg99").startswith("E"), "Hg of no such thread")
check(r.cmd("Hq1") == "", "H of an unknown kind")

# threads
check(r.cmd("qfThreadInfo") == "m1,2", "qfThreadInfo")
check(r.cmd("qsThreadInfo") == "l", "qsThreadInfo")
check(r.cmd("T2") == "OK" and r.cmd("T9").startswith("E"), "thread alive")
check(bytes.fromhex(r.cmd("qThreadExtraInfo,2")).decode().startswith("vCPU 1"), "extra info")
check(r.cmd("qAttached") == "1", "qAttached")
check(r.cmd("vCont?").startswith("vCont;c;C;s;S"), "vCont?")

# the target description, read in pieces
xml, off = "", 0
while True:
    piece = r.cmd("qXfer:features:read:target.xml:%x,200" % off)
    check(piece[:1] in ("m", "l"), "qXfer piece")
    xml += piece[1:]
    off += len(piece) - 1
    if piece[:1] != "m":
        break
check("org.gnu.gdb.aarch64.core" in xml and xml.rstrip().endswith("</target>"), "target.xml")
check('name="vttbr_el2"' in xml, "system registers in target.xml")
check(r.cmd("qXfer:features:read:other.xml:0,10").startswith("E"), "unknown annex")
check(r.cmd("qXfer:features:read:target.xml:ffffff,10") == "l", "read past the end")

# registers: the boot vCPU at its entry
regs = r.cmd("g")
check(len(regs) % 2 == 0 and len(regs) > 2000, "g packet")
check(r.cmd("p20") == le64(0x40080000), "pc at the entry")
check(r.cmd("p1000").startswith("E"), "no such register")
check(r.cmd("P60=" + le64(1)).startswith("E"), "read-only HCR_EL2")
check(r.cmd("P21=ffffffff").startswith("E"), "a PSTATE write that changes the mode")
check(r.cmd("G" + regs) == "OK", "G of the registers read")

# memory
check(r.cmd("m0,4").startswith("E"), "no memory at 0")
check(len(r.cmd("m40080000,100000")) == 2 * 8192, "a huge read is cut to what fits")
check(r.cmd("m40080000,0") == "", "a zero-length read")
spins = symbol("gdb_spins")
data = bytes([0x7D, 0x23, 0x24, 0x2A, 0x00, 0x01, 0x02, 0x03])
esc = b"".join(b"}" + bytes([c ^ 0x20]) if c in b"}#$*" else bytes([c]) for c in data)
pay = b"X%x,8:" % spins + esc
r.raw(b"$" + pay + b"#%02x" % checksum(pay))
check(r.reply() == "OK", "X with escaped bytes")
check(r.cmd("m%x,8" % spins) == data.hex(), "X read back")
check(r.cmd("M%x,8:%s" % (spins, "00" * 8)) == "OK", "M")

# monitor commands on the boot vCPU
said, _ = r.monitor("s2 0x40080000")
check("not mapped" in said, "monitor s2 before the guest touched its RAM: " + said)
said, _ = r.monitor("owner 0x10")
check("not memory the hypervisor manages" in said, "monitor owner of no page")
said, _ = r.monitor("ipa 0x40080000 20")
check(said.startswith("0000000040080000:"), "monitor ipa")
said, _ = r.monitor("ipa 0x10 4")
check("not guest memory" in said, "monitor ipa of nothing")
said, _ = r.monitor("va 0x40080000")
check("MMU off" in said, "monitor va")
said, _ = r.monitor("s2 0x7f000000")
check("not mapped" in said, "monitor s2 of nothing")
said, _ = r.monitor("icount")
check(said.startswith("machine: 0 instructions"), "monitor icount before the first instruction: " + said)
said, _ = r.monitor("break-icount")
check("no instruction count to stop at" in said, "monitor break-icount, none set: " + said)
for usage in ["ipa", "ipa 1 99999", "s2", "va", "owner", "ipa -1", "break-icount x",
              "break-icount 5 6"]:
    said, _ = r.monitor(usage)
    check("usage" in said, "monitor %s: usage" % usage)
said, _ = r.monitor("bogus")
check("unknown monitor command" in said and "exits" in said, "unknown monitor command")
said, _ = r.monitor("")
check("monitor commands" in said, "monitor help")

# a breakpoint, then the second vCPU spins alone until Ctrl-C
add = symbol("gdb_add")
check(r.cmd("Z0,%x,4" % add) == "OK", "Z0")
check(r.cmd("Z0,%x,4" % add) == "OK", "Z0 again")
r.send("vCont;c")
stop = r.reply()
check(stop.startswith("T05thread:1;"), "breakpoint stop: " + stop)
check(r.cmd("p20") == le64(add), "pc at the breakpoint")
said, end = r.monitor("s2 0x40080000")
check(end == "OK" and "stage 2: IPA 0x40080000 -> PA 0x" in said, "monitor s2: " + said)
pa = int(said.split("-> PA ")[1].split()[0], 16) if "-> PA " in said else 0
said, _ = r.monitor("owner %#x" % pa)
check("owner host, lent (to VM " in said, "monitor owner of a lent page: " + said)
said, _ = r.monitor("exits")
check("exits since the server started" in said, "monitor exits")
said, _ = r.monitor("lrs")
check("list registers" in said, "monitor lrs")
check(r.cmd("z0,%x,4" % add) == "OK", "z0")
check(r.cmd("Z2,%x,0" % spins).startswith("E"), "a watchpoint of no bytes")
check(r.cmd("Hc2") == "OK", "Hc2")
r.send("vCont;c:2")
time.sleep(0.3)
r.raw(b"\x03")
stop = r.reply()
check(stop.startswith("T02thread:2;"), "Ctrl-C stop: " + stop)
check(r.cmd("Hg2") == "OK" and r.cmd("p20") != "", "the spinning vCPU's pc")
# a read watchpoint on the counter the second vCPU spins on... it only writes: an access one
check(r.cmd("Z4,%x,8" % spins) == "OK", "Z4")
r.send("vCont;c:2")
stop = r.reply()
check(stop.startswith("T05thread:2;awatch:%x;" % spins), "access watchpoint: " + stop)
check(r.cmd("z4,%x,8" % spins) == "OK", "z4")
r.send("s")
stop = r.reply()
check(stop.startswith("T05thread:2;"), "legacy step: " + stop)

# the debugger goes away without a word: the guest runs on to its end
r.s.close()
try:
    rc = vmm.wait(timeout=240)
except subprocess.TimeoutExpired:
    vmm.kill()
    rc = -1
check(rc == 0, "gzvmm exit status %d" % rc)
check(open(console).read() == open(expected).read(), "the transcript after the debugger left")
if failures:
    print(open(os.path.join(out, "gzvmm.err")).read()[:4000])
    sys.exit(1)
print("rsp_check: all checks passed")
