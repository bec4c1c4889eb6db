#!/usr/bin/env python3
"""bench/io's report: the medians of the rounds' "iobench:" lines (DIR/WORLD-N.txt) as a
markdown table, opengz next to KVM, for bench/io/REPORT.md."""
import argparse
import glob
import os
import re
import statistics

ROWS = (
    ("seqwrite", "MBps", "sequential write, O_DIRECT (MB/s)"),
    ("seqread", "MBps", "sequential read, O_DIRECT (MB/s)"),
    ("randread4k", "iops", "4 KiB random read, one at a time (IOPS)"),
)


def parse(path):
    """{op: {key: value}} of one round's file, plus "irqs" and "requests" for the guest's
    interrupt count and the block layer's request count over the run."""
    out = {}
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = re.match(r"^iobench: (seqwrite|seqread|randread4k) (.*)$", line)
            if m:
                out[m.group(1)] = {k: float(v) for k, v in re.findall(r"(\w+)=([\d.]+)", m.group(2))}
            m = re.match(r"^iobench: irqs (before|after) (\d+)", line)
            if m:
                out.setdefault("irqs", {})[m.group(1)] = int(m.group(2))
            m = re.match(r"^iobench: vda stat\s+((?:\d+\s*)+)$", line)
            if m:
                f_ = [int(x) for x in m.group(1).split()]
                out["requests"] = f_[0] + f_[4]  # reads + writes completed
            m = re.match(r"^iobench: (guest .*)$", line)
            if m:
                out["guest"] = m.group(1)
            if line.startswith("iobench: FAIL"):
                out["fail"] = line.strip()
    return out


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt(v):
    if v is None:
        return "no figure"
    return f"{v:,.0f}" if v >= 100 else f"{v:.2f}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--rounds", type=int, required=True)
    ap.add_argument("--command", required=True)
    ap.add_argument("--qemu-version", default="")
    ap.add_argument("--loads", default="")
    ap.add_argument("--before", help="a run of another gzvmm (run --only opengz --gzvmm FILE)")
    ap.add_argument("--before-label", default="before")
    a = ap.parse_args()
    runs = {}
    for world in ("opengz", "kvm"):
        files = sorted(glob.glob(os.path.join(a.dir, f"{world}-*.txt")))
        runs[world] = [parse(p) for p in files]

    print("# virtio-blk in the guest: opengz's full stack against KVM, in the same QEMU\n")
    print(f"Command: `nice -n 10 {a.command}` ({a.qemu_version}; the machine's 1-minute load "
          f"average before and after each round: {a.loads or 'not recorded'}).\n")
    print("Both worlds run in one kind of TCG QEMU (`-M virt,virtualization=on,gic-version=3 "
          "-cpu cortex-a72 -smp 2 -m 2048`) with Debian's arm64 kernel as the host VM: under "
          "gzhyp at EL2 with gzvm.ko and `gzvmm --backend gzvm --disk` (opengz), or entered at "
          "EL2 itself with Debian's `qemu-system-aarch64 -accel kvm -cpu host` and "
          "`-device virtio-blk-device` (kvm). The guest is the same in both: Debian's kernel, "
          "1 vCPU, 512 MiB, a busybox initramfs with `bench/io/iobench.c` (static), its disk "
          "a raw file in the host VM's tmpfs. iobench writes and reads the whole `/dev/vda` "
          "with O_DIRECT, then reads 4 KiB blocks at random, one at a time; every 4 KiB read "
          "is checked against what was written. `bench/io/report.py` writes this file.\n")
    print("| figure (median of the rounds) | opengz | KVM | opengz / KVM | median of the "
          "rounds' ratios |")
    print("|---|---:|---:|---:|---:|")
    for op, key, label in ROWS:
        med = {w: median([r.get(op, {}).get(key) for r in runs[w]]) for w in runs}
        n = {w: sum(1 for r in runs[w] if key in r.get(op, {})) for w in runs}
        ratio = (f"{med['opengz'] / med['kvm']:.2f}x" if med["opengz"] and med["kvm"] else "-")
        # A round runs both worlds together: its ratio shares that round's conditions.
        per = median([o[op][key] / k[op][key] for o, k in zip(runs["opengz"], runs["kvm"])
                      if key in o.get(op, {}) and k.get(op, {}).get(key)])
        print(f"| {label} | {fmt(med['opengz'])} ({n['opengz']}/{len(runs['opengz'])}) | "
              f"{fmt(med['kvm'])} ({n['kvm']}/{len(runs['kvm'])}) | {ratio} | "
              f"{'-' if per is None else f'{per:.2f}x'} |")
    print("\nEvery round (opengz; KVM):\n")
    print("| round | " + " | ".join(label for _, _, label in ROWS) + " | guest interrupts "
          "per request |")
    print("|---|" + "---:|" * (len(ROWS) + 1))
    for i in range(max(len(runs["opengz"]), len(runs["kvm"]))):
        cells = []
        for op, key, _ in ROWS:
            vals = [fmt(runs[w][i].get(op, {}).get(key)) if i < len(runs[w]) else "-"
                    for w in ("opengz", "kvm")]
            cells.append("; ".join(vals))
        per = []
        for w in ("opengz", "kvm"):
            r = runs[w][i] if i < len(runs[w]) else {}
            irq, req = r.get("irqs", {}), r.get("requests")
            per.append(f"{(irq['after'] - irq['before']) / req:.2f}"
                       if "after" in irq and "before" in irq and req else "-")
        print(f"| {i + 1} | " + " | ".join(cells) + f" | {'; '.join(per)} |")
    if a.before:
        before = [parse(p) for p in sorted(glob.glob(os.path.join(a.before, "opengz-*.txt")))]
        print(f"\nThe same time window with another gzvmm ({a.before_label}; its own run "
              "beside this one, not paired round by round):\n")
        print(f"| figure (median of the rounds) | opengz {a.before_label} | opengz | KVM | "
              f"{a.before_label} / KVM |")
        print("|---|---:|---:|---:|---:|")
        for op, key, label in ROWS:
            b = median([r.get(op, {}).get(key) for r in before])
            o = median([r.get(op, {}).get(key) for r in runs["opengz"]])
            k = median([r.get(op, {}).get(key) for r in runs["kvm"]])
            print(f"| {label} | {fmt(b)} ({len(before)} rounds) | {fmt(o)} | {fmt(k)} | "
                  f"{f'{b / k:.2f}x' if b and k else '-'} |")
    fails = [(w, i + 1, r["fail"]) for w in runs for i, r in enumerate(runs[w]) if "fail" in r]
    for w, i, line in fails:
        print(f"\n{w} round {i}: `{line}`")
    guest = next((r["guest"] for w in runs for r in runs[w] if "guest" in r), None)
    if guest:
        print(f"\nThe guest's disk queue: `{guest}`.")


if __name__ == "__main__":
    main()
