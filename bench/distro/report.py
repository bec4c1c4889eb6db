#!/usr/bin/env python3
"""bench/distro's report: the medians of the rounds' "bench:" lines (DIR/WORLD-N.txt) as a
markdown table, opengz next to KVM, for bench/distro/REPORT.md."""
import argparse
import glob
import os
import re
import statistics


def parse(path):
    """{(boot, what): value} of one round's file; value None where the run printed '?'."""
    out = {}
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = re.match(r"^bench: (\w+) (direct|edk2) (prompt|tx|rx|exit) (\S+)", line)
            if m:
                try:
                    out[(m.group(2), m.group(3))] = float(m.group(4))
                except ValueError:
                    out[(m.group(2), m.group(3))] = None
    return out


def median(values):
    values = [v for v in values if v is not None]
    return (statistics.median(values), len(values)) if values else (None, 0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--rounds", type=int, required=True)
    ap.add_argument("--mib", type=int, required=True)
    ap.add_argument("--command", required=True)
    ap.add_argument("--qemu-version", default="")
    ap.add_argument("--load", default="")
    a = ap.parse_args()
    runs = {}
    for world in ("opengz", "kvm"):
        runs[world] = [parse(p) for p in sorted(glob.glob(os.path.join(a.dir, f"{world}-*.txt")))]

    def cell(world, boot, what):
        med, n = median([r.get((boot, what)) for r in runs[world]])
        if med is None:
            return None, "no figure"
        if what == "prompt":
            return med, f"{med:.1f} s ({n}/{len(runs[world])})"
        mbs = a.mib / (med / 1000.0) if med > 0 else 0
        return med, f"{mbs:.1f} MiB/s ({med:.0f} ms, {n}/{len(runs[world])})"

    print("# Debian 12 under opengz's full stack and under KVM, in the same QEMU\n")
    print(f"Command: `{a.command}` ({a.qemu_version}; load average at the end: {a.load}).\n")
    print("Both worlds run in one TCG QEMU (`-M virt,virtualization=on,gic-version=3 -cpu "
          "cortex-a72 -smp 2 -m 2048`) with Debian's arm64 kernel as the host VM: under gzhyp "
          "at EL2 with gzvm.ko and `gzvmm --backend gzvm` (opengz), or entered at EL2 itself "
          "with Debian's `qemu-system-aarch64 -accel kvm -cpu host` and vhost-net (kvm). The "
          "guest is the tests' copy of the image of `scripts/build-debian-image` "
          "(`tests/vmm/debian_test_disk.sh`: no getty on hvc0, systemd's start timeouts at "
          "10 minutes; 1 vCPU, 512 MiB, the host VM's virtio disk passed on, a TAP with "
          "10.0.2.2/24). Boot: from the VMM's start to the "
          "serial console's root prompt. Network: "
          f"{a.mib} MiB over TCP with bash's /dev/tcp in the guest and busybox nc in the host "
          "VM, timed in the guest. Medians of the rounds (in brackets: rounds with a figure). "
          "Ratio: opengz / KVM (time: lower is better for opengz; throughput: higher).\n")
    print("| figure | opengz | KVM | ratio |")
    print("|---|---|---|---|")
    rows = [("direct", "prompt", "direct kernel boot to the login prompt"),
            ("edk2", "prompt", "EDK2 -> GRUB -> kernel to the login prompt"),
            ("direct", "tx", "virtio-net guest -> host"),
            ("direct", "rx", "virtio-net host -> guest"),
            ("edk2", "tx", "virtio-net guest -> host (after the EDK2 boot)"),
            ("edk2", "rx", "virtio-net host -> guest (after the EDK2 boot)")]
    for boot, what, name in rows:
        g, gs = cell("opengz", boot, what)
        k, ks = cell("kvm", boot, what)
        ratio = "-"
        if g and k:
            ratio = f"{g / k:.2f}x" if what == "prompt" else f"{k / g:.2f}x"
        print(f"| {name} | {gs} | {ks} | {ratio} |")
    bad = []
    for world in ("opengz", "kvm"):
        for i, r in enumerate(runs[world], 1):
            for boot in ("direct", "edk2"):
                rc = r.get((boot, "exit"), 0)
                if rc != 0:
                    bad.append(f"{world} round {i} {boot}: session exit "
                               f"{'?' if rc is None else int(rc)}")
    if bad:
        print("\nSessions that did not end cleanly (see the build folder's console logs): " +
              "; ".join(bad) + ".")


if __name__ == "__main__":
    main()
