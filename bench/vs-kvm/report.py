#!/usr/bin/env python3
"""Turns bench/vs-kvm's run logs into REPORT.md (tables) and a PNG plot.

Each log holds the benchmark guest's lines
    bench: <op> median=<ticks> min=<ticks> max=<ticks> n=<samples> mean=<ticks>
and, for the KVM runs, kvmvmm's "kvmvmm: marker <ms> ms" (nested Linux boot to /init).
Logs are named <config>-<round>.log. Figures under QEMU's emulation are compared only as
ratios within one run; a missing configuration is reported as missing, never filled in.
"""
import argparse
import glob
import os
import re
import statistics
import sys
import time

CONFIGS = ["kvm-nvhe", "kvm-vhe", "gzhyp-el2", "opengz", "sim"]
CONFIG_TITLE = {
    "kvm-nvhe": "KVM nVHE",
    "kvm-vhe": "KVM VHE",
    "gzhyp-el2": "gzhyp test mode",
    "opengz": "opengz full stack",
    "sim": "simulator",
}
# (op, what it is, target ratio opengz/KVM from issues 11 and 21, or None)
OPS = [
    ("hvc_smccc_version", "hypercall round trip (SMCCC_VERSION)", 0.2),
    ("hvc_psci_version", "hypercall round trip (PSCI_VERSION)", 0.2),
    ("world_switch", "world-switch proxy (HVC vendor-hyp UID query: the bare exit)", None),
    ("mmio_exit_read", "MMIO read served by the VMM (user space)", 0.5),
    ("mmio_exit_write", "MMIO write served by the VMM (user space)", 0.5),
    ("mmio_gicd_typer", "MMIO read handled in the hypervisor (GICD_TYPER)", 0.2),
    ("hvc_unimplemented", "SMCCC call nobody implements (yielding 0x4b000000)", 0.1),
    ("mmio_virtio_id", "virtio-mmio DeviceID read (declared constant in opengz)", 0.5),
    ("virq_ack_eoi", "virtual interrupt acknowledge + EOI (ICC_IAR1/EOIR1)", None),
    ("sgi_send", "SGI send to self (trapped ICC_SGI1R write)", None),
    ("ipi", "IPI vCPU0 -> vCPU1, target spinning (send to handler)", 0.4),
    ("ipi_wfi", "IPI vCPU0 -> vCPU1, target in WFI (send to handler)", 0.5),
    ("ipi_pingpong", "SGI ping-pong vCPU0 -> vCPU1 -> vCPU0, target spinning", 0.5),
    ("vtimer", "virtual timer, CVAL to handler, vCPU spinning", 0.4),
    ("vtimer_wfi", "virtual timer, CVAL to handler, vCPU in WFI", 0.5),
    ("s2fault", "stage-2 fault-in of a fresh 4 KiB page (first touch)", 0.5),
    ("s2mapped", "same store to an already mapped page (baseline)", None),
    ("null", "two counter reads (measurement floor)", None),
]
LINE = re.compile(r"^bench: (\w+) median=(\d+) min=(\d+) max=(\d+) n=(\d+)")
START = re.compile(r"^bench: start cntfrq=(\d+)")
MARKER = re.compile(r"^[\w-]+: marker ([\d.]+) ms")
HOSTUP = re.compile(r"^vs-kvm: host up ([\d.]+) s")
MODE = re.compile(r"kvm \[\d+\]: (.*mode initialized.*)")


def parse(path):
    r = {"ops": {}, "errors": [], "freq": None, "boot_ms": None, "host_s": None, "mode": None,
         "done": False}
    with open(path, errors="replace") as f:
        for line in f:
            line = line.strip()
            m = LINE.match(line)
            if m:
                r["ops"][m.group(1)] = tuple(int(x) for x in m.group(2, 3, 4, 5))
                continue
            m = START.match(line)
            if m:
                r["freq"] = int(m.group(1))
            m = MARKER.match(line)
            if m:
                r["boot_ms"] = float(m.group(1))
            m = HOSTUP.match(line)
            if m:
                r["host_s"] = float(m.group(1))
            m = MODE.search(line)
            if m:
                r["mode"] = m.group(1)
            if line.startswith("bench: error") or line.startswith("kvmvmm: timeout") or \
                    "KVM_RUN" in line or line.startswith("vs-kvm: error") or \
                    "guest run failed" in line or re.search(r"exit status=[1-9]", line):
                r["errors"].append(line)
            if line.startswith("bench: done"):
                r["done"] = True
    return r


def fmt(v, digits=1):
    if v is None:
        return "—"
    if v >= 100:
        return f"{v:.0f}"
    if v < 1:
        return f"{v:.2f}"
    return f"{v:.{digits}f}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--logs", required=True)
    ap.add_argument("--rounds", type=int, required=True)
    ap.add_argument("--notes")
    ap.add_argument("--out", required=True)
    ap.add_argument("--plot", required=True)
    ap.add_argument("--command", default="bench/vs-kvm/run")
    ap.add_argument("--qemu-version", default="")
    ap.add_argument("--simcount", help="Markdown section from simcount.py")
    ap.add_argument("--configs", default=",".join(CONFIGS),
                    help="the configurations this run measured (others' old logs are ignored)")
    a = ap.parse_args()

    runs = {c: [] for c in CONFIGS}
    wanted = set(a.configs.split(","))
    for c in CONFIGS:
        if c not in wanted:
            continue
        for path in sorted(glob.glob(os.path.join(a.logs, f"{c}-[0-9]*.log")),
                           key=lambda p: int(re.search(r"-(\d+)\.log$", p).group(1))):
            if int(re.search(r"-(\d+)\.log$", path).group(1)) <= a.rounds:
                runs[c].append((path, parse(path)))

    # Per config and op: median of the round medians, min of mins, max of maxes.
    agg = {}
    for c, rs in runs.items():
        for op, _, _ in OPS:
            vals = [r["ops"][op] for _, r in rs if op in r["ops"]]
            if not vals:
                continue
            freq = next((r["freq"] for _, r in rs if r["freq"]), None)
            agg[(c, op)] = {
                "median": statistics.median(v[0] for v in vals),
                "min": min(v[1] for v in vals),
                "max": max(v[2] for v in vals),
                "n": sum(v[3] for v in vals),
                "rounds": [v[0] for v in vals],
                "freq": freq,
            }

    def us(c, op, key="median"):
        x = agg.get((c, op))
        if not x or not x["freq"] or c == "sim":
            return None
        return x[key] * 1e6 / x["freq"]

    def best_kvm(op):
        vals = [v for v in (us("kvm-nvhe", op), us("kvm-vhe", op)) if v is not None]
        return min(vals) if vals else None

    def faulted(c):
        f, m = agg.get((c, "s2fault")), agg.get((c, "s2mapped"))
        return not (f and m and f["median"] <= 2 * m["median"])

    def fault_kind(c):
        # Mapped up front, or one fault per block: the medians cannot tell (docs/benchmarks.md).
        return "no fault per page"

    present = [c for c in CONFIGS if any(r["ops"] for _, r in runs[c])]
    notes = []
    if a.notes and os.path.exists(a.notes):
        notes = [line.strip() for line in open(a.notes) if line.strip()]
    for c in CONFIGS:
        for path, r in runs[c]:
            for e in r["errors"]:
                notes.append(f"{c} {os.path.basename(path)}: {e}")
            if r["ops"] and not r["done"]:
                notes.append(f"{c} {os.path.basename(path)}: the guest did not finish")

    out = []
    w = out.append
    w("# opengz vs KVM: virtualization cost in the same QEMU")
    w("")
    cpu = ""
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    w(f"Produced by `{a.command}` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
      f"{cpu or 'unknown CPU'} ({os.cpu_count()} cores, shared), {a.qemu_version or 'QEMU'}.")
    w("")
    w("Generated by `bench/vs-kvm/run` (do not edit; methodology and discussion in "
      "docs/benchmarks.md). Every figure comes from the benchmark guest (bench/guest) timing "
      "each operation with the virtual counter over many iterations, in "
      "`qemu-system-aarch64 -M virt,virtualization=on,gic-version=3 -smp 2` under TCG on the "
      "build machine. Absolute times are those of the emulation; compare only ratios within "
      "one run.")
    w("")
    w(f"Rounds: {a.rounds}, alternating configurations. Per operation: median of the round "
      "medians, in microseconds of the guest's virtual counter.")
    w("")
    w("| configuration | what runs | rounds with figures |")
    w("| --- | --- | --- |")
    desc = {
        "kvm-nvhe": "Debian 6.1 arm64 at EL2, `-cpu cortex-a72`, KVM nVHE; bench guest under "
                    "bench/vs-kvm/kvmvmm",
        "kvm-vhe": "the same with `-cpu max,pauth-impdef=on`, KVM VHE",
        "gzhyp-el2": "gzhyp alone at EL2 (`gz.test=guest`): gzhyp plays host driver and a "
                     "built-in VMM at EL2, no host Linux",
        "opengz": "QEMU -> gzhyp -> Linux + gzvm.ko + gzvmm -> guest (issue 10)",
        "sim": "gzvmm --backend sim (Unicorn); its counter advances with guest instructions "
               "only",
    }
    for c in CONFIGS:
        n = sum(1 for _, r in runs[c] if r["ops"])
        modes = sorted({r["mode"] for _, r in runs[c] if r["mode"]})
        extra = f" ({'; '.join(modes)})" if modes else ""
        w(f"| {CONFIG_TITLE[c]} | {desc[c]}{extra} | {n if n else 'none'} |")
    w("")

    w("## Cost per operation (median µs; ratio = candidate / better KVM mode)")
    w("")
    hdr = "| operation | KVM nVHE | KVM VHE | gzhyp test mode | opengz full stack | " \
          "gzhyp/KVM | opengz/KVM | target |"
    w(hdr)
    w("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for op, what, target in OPS:
        b = best_kvm(op)
        g = us("gzhyp-el2", op)
        o = us("opengz", op)
        rg = f"{g / b:.2f}x" if g is not None and b else "—"
        ro = f"{o / b:.2f}x" if o is not None and b else "—"
        if op == "s2fault":
            # A first touch no dearer than a mapped store took no fault per page: either the
            # memory was mapped up front or one fault mapped a whole block (then the
            # maximum stands out); either way there is no per-page cost to compare.
            if not faulted("gzhyp-el2"):
                rg = fault_kind("gzhyp-el2")
            if not faulted("opengz") and o is not None:
                ro = fault_kind("opengz")
        tg = f"≤ {target}x" if target is not None else ""
        w(f"| `{op}` {what} | {fmt(us('kvm-nvhe', op))} | {fmt(us('kvm-vhe', op))} | "
          f"{fmt(g)} | {fmt(o) if o is not None else 'n/a'} | {rg} | {ro} | {tg} |")
    w("")

    # Linux boot.
    w("## Guest Linux boot (VMM start to the marker of the guest's /init)")
    w("")
    w("Debian's 6.1 arm64 kernel as the nested guest, 2 vCPUs, 256 MiB, busybox initramfs "
      "whose /init prints `GZ-GUEST-INIT` through the kernel log (earlycon PL011, `quiet`) "
      "and powers off.")
    w("")
    w("| configuration | per round (ms) | median (ms) | EL2 host boot to its /init (s) |")
    w("| --- | --- | ---: | ---: |")
    for c in ["kvm-nvhe", "kvm-vhe", "opengz"]:
        boots = [r["boot_ms"] for _, r in runs[c] if r["boot_ms"] is not None]
        hosts = [r["host_s"] for _, r in runs[c] if r["host_s"] is not None]
        if not runs[c]:
            w(f"| {CONFIG_TITLE[c]} | not run | — | — |")
            continue
        w(f"| {CONFIG_TITLE[c]} | {', '.join(f'{b:.0f}' for b in boots) or 'none'} | "
          f"{fmt(statistics.median(boots)) if boots else '—'} | "
          f"{fmt(statistics.median(hosts), 2) if hosts else '—'} |")
    w("")

    # Details per configuration.
    w("## Details per configuration (ticks of the virtual counter)")
    w("")
    for c in present:
        freq = next((r["freq"] for _, r in runs[c] if r["freq"]), None)
        w(f"### {CONFIG_TITLE[c]}" + (f" (counter {freq} Hz)" if freq else ""))
        w("")
        w("| operation | median | min | max | samples | round medians |")
        w("| --- | ---: | ---: | ---: | ---: | --- |")
        for op, _, _ in OPS:
            x = agg.get((c, op))
            if not x:
                continue
            w(f"| `{op}` | {x['median']:.0f} | {x['min']} | {x['max']} | {x['n']} | "
              f"{', '.join(str(v) for v in x['rounds'])} |")
        w("")
    if "sim" in present:
        w("The simulator's virtual counter advances with the guest's instructions only: "
          "what the hypervisor core does at an exit costs no guest time there, so its "
          "figures say that every operation works, not what it costs.")
        w("")

    if a.simcount and os.path.exists(a.simcount):
        with open(a.simcount) as f:
            w(f.read().rstrip("\n"))
        w("")

    w("## Notes from this run")
    w("")
    if notes:
        for n in notes:
            w(f"- {n}")
    else:
        w("- none")
    w("")
    w("![median cost per operation](vs-kvm.png)")
    w("")
    with open(a.out, "w") as f:
        f.write("\n".join(out))

    plot(a.plot, agg, us, {c for c in CONFIGS if not faulted(c)})
    return 0


def plot(path, agg, us, no_fault=()):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cfgs = [c for c in ["kvm-nvhe", "kvm-vhe", "gzhyp-el2", "opengz"]
            if any(us(c, op) is not None for op, _, _ in OPS)]
    ops = [op for op, _, _ in OPS if op != "null" and any(us(c, op) for c in cfgs)]
    if not cfgs or not ops:
        return
    fig, ax = plt.subplots(figsize=(10, 0.45 * len(ops) * len(cfgs) / 2 + 2))
    h = 0.8 / len(cfgs)
    colors = {"kvm-nvhe": "#4c72b0", "kvm-vhe": "#55a868", "gzhyp-el2": "#c44e52",
              "opengz": "#8172b2"}
    for i, c in enumerate(cfgs):
        ys = [j + i * h for j in range(len(ops))]
        vals = [us(c, op) or 0 for op in ops]
        lo = [max(0, (us(c, op) or 0) - min(agg[(c, op)]["rounds"]) * 1e6 / agg[(c, op)]["freq"])
              if (c, op) in agg else 0 for op in ops]
        hi = [max(agg[(c, op)]["rounds"]) * 1e6 / agg[(c, op)]["freq"] - (us(c, op) or 0)
              if (c, op) in agg else 0 for op in ops]
        ax.barh(ys, vals, height=h, label=CONFIG_TITLE[c], color=colors[c],
                xerr=[lo, hi], error_kw={"elinewidth": 0.8, "capsize": 2})
        if c in no_fault and "s2fault" in ops:
            j = ops.index("s2fault")
            ax.text(vals[j] * 1.5, ys[j], "no fault per page", va="center",
                    fontsize=7)
    ax.set_yticks([j + h * (len(cfgs) - 1) / 2 for j in range(len(ops))])
    ax.set_yticklabels(ops)
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.set_xlabel("median µs per operation (QEMU TCG; log scale; bars: spread of round medians)")
    ax.set_title("Virtualization cost: opengz vs KVM in the same QEMU")
    ax.legend(loc="lower right")
    ax.grid(axis="x", which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


if __name__ == "__main__":
    sys.exit(main())
