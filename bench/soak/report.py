#!/usr/bin/env python3
"""bench/soak's report: reads the "soak:" lines of the simulator's and the full stack's runs
(sim_soak, fullstack.sh), checks that every counter is back where it started, and writes a
Markdown report and an SVG plot of the counters over the cycles (standard library only).

Counters: the driver's pinned pages, gzhyp's pool in use and in all and its own page tables
(these must end exactly where they started), and the host's free memory, which in the
simulator must too, while a Linux host's moves with its caches: there it is compared from
the sample after the first round of specs (the warm-up: first use of the driver, the
binaries' pages) to the end, within HOST_SLACK, and its trend is given in bytes per cycle.
Exit status 1 when a cycle failed, a run did not finish, or a counter leaked.
"""
import argparse
import re
import sys

COUNTERS = [  # key, label, exact
    ("pinned_pages", "driver's pinned pages", True),
    ("pool_used_bytes", "gzhyp pool in use (bytes)", True),
    ("pool_total_bytes", "gzhyp pool, all (bytes)", True),
    ("table_bytes", "gzhyp's own page tables (bytes)", True),
    ("host_free_bytes", "host free memory (bytes)", None),
]
HOST_SLACK = 0.01  # of the host's free memory at warm-up
SAMPLE = re.compile(r"^soak: cycle (\d+) (.*)$")


def parse(path):
    samples, failures, done = [], [], None
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            m = SAMPLE.match(line)
            if m and "FAILED" not in line and " pinned_pages " in " " + m.group(2):
                words = m.group(2).split()
                s = {k: float(v) for k, v in zip(words[0::2], words[1::2])}
                s["cycle"] = int(m.group(1))
                samples.append(s)
            elif "FAILED" in line:
                failures.append(line)
            elif line.startswith("soak: done"):
                done = line
    return samples, failures, done


def trend(samples, key):
    """Least-squares slope of key over the cycles (per cycle)."""
    n = len(samples)
    if n < 2:
        return 0.0
    xs = [s["cycle"] for s in samples]
    ys = [s[key] for s in samples]
    mx, my = sum(xs) / n, sum(ys) / n
    den = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / den if den else 0.0


def judge(world, samples, failures, done, warmup, exact_host):
    """Rows for the table and the list of problems."""
    problems = [f"{world}: {f}" for f in failures]
    if not done:
        problems.append(f"{world}: the run did not finish")
    if len(samples) < 2:
        problems.append(f"{world}: fewer than two samples")
        return [], problems
    first, last = samples[0], samples[-1]
    base = next((s for s in samples if s["cycle"] >= warmup), first)
    if base is last:
        base = first
    rows = []
    for key, label, exact in COUNTERS:
        exact = exact_host if exact is None else exact
        start = first[key] if exact else base[key]
        lo = min(s[key] for s in samples)
        hi = max(s[key] for s in samples)
        if exact:
            ok = last[key] == start
        else:
            ok = last[key] >= start * (1 - HOST_SLACK)
        after = [s for s in samples if s["cycle"] >= base["cycle"]]
        slope = trend(after, key)
        rows.append((label, int(start), int(last[key]), int(lo), int(hi), slope, ok,
                     "cycle 0" if exact else f"cycle {base['cycle']}"))
        if not ok:
            problems.append(f"{world}: {label} {int(start)} at {rows[-1][7]}, "
                            f"{int(last[key])} at the end")
    return rows, problems


def svg(worlds, path):
    """One panel per world: each counter's change from its first sample, in KiB."""
    w, h, pad = 760, 260, 60
    colors = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e"]
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" '
           f'height="{h * len(worlds) + 20}" font-family="sans-serif" font-size="11">',
           f'<rect width="100%" height="100%" fill="white"/>']
    for p, (world, samples) in enumerate(worlds):
        y0 = p * h + 20
        series = []
        for i, (key, label, _) in enumerate(COUNTERS):
            scale = 4 if key == "pinned_pages" else 1 / 1024
            pts = [(s["cycle"], (s[key] - samples[0][key]) * scale) for s in samples]
            series.append((label + (" x4 KiB" if key == "pinned_pages" else ""), colors[i], pts))
        xmax = max(1, samples[-1]["cycle"])
        ys = [y for _, _, pts in series for _, y in pts]
        ymin, ymax = min(ys + [0]), max(ys + [0])
        if ymax - ymin < 16:
            ymin, ymax = ymin - 8, ymax + 8
        px = lambda x: pad + (w - 2 * pad) * x / xmax
        py = lambda y: y0 + 30 + (h - 80) * (ymax - y) / (ymax - ymin)
        out.append(f'<text x="{pad}" y="{y0 + 14}" font-size="13">{world}: change of each '
                   f'counter from cycle 0 (KiB) over {int(xmax)} cycles</text>')
        out.append(f'<line x1="{pad}" y1="{py(0):.1f}" x2="{w - pad}" y2="{py(0):.1f}" '
                   f'stroke="#999" stroke-dasharray="3,3"/>')
        out.append(f'<rect x="{pad}" y="{y0 + 30}" width="{w - 2 * pad}" height="{h - 80}" '
                   f'fill="none" stroke="#333"/>')
        for v in (ymin, 0, ymax):
            out.append(f'<text x="{pad - 4}" y="{py(v) + 4:.1f}" text-anchor="end">{v:.0f}</text>')
        for v in (0, xmax // 2, xmax):
            out.append(f'<text x="{px(v):.1f}" y="{y0 + h - 36}" text-anchor="middle">{v}</text>')
        for i, (label, color, pts) in enumerate(series):
            d = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in pts)
            out.append(f'<polyline fill="none" stroke="{color}" stroke-width="1.5" points="{d}"/>')
            out.append(f'<text x="{pad + 10 + (i % 3) * 220}" y="{y0 + h - 20 + (i // 3) * 13}" '
                       f'fill="{color}">{label}</text>')
    out.append("</svg>")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sim", help="sim_soak's output")
    ap.add_argument("--fullstack", help="fullstack.sh's soak.log")
    ap.add_argument("--warmup", type=int, default=12, help="cycles before the host's baseline")
    ap.add_argument("--md", required=True)
    ap.add_argument("--svg", required=True)
    ap.add_argument("--command", default="bench/soak/run")
    ap.add_argument("--specs", default="bench/soak/specs", help="the spec file the runs used")
    args = ap.parse_args()

    runs, problems, worlds = [], [], []
    for world, path, exact_host in (("simulator", args.sim, True),
                                    ("full stack", args.fullstack, False)):
        if not path:
            continue
        samples, failures, done = parse(path)
        rows, probs = judge(world, samples, failures, done, args.warmup, exact_host)
        problems += probs
        if samples:
            worlds.append((world, samples))
        runs.append((world, samples, failures, done, rows))
    if not runs:
        sys.exit("report.py: no run given")
    if worlds:
        svg(worlds, args.svg)

    md = ["# Soak: VM lifecycles in the simulator and the full stack", "",
          f"`{args.command}`: VMs created, run and destroyed in a loop, each the next line of "
          f"`{args.specs}` (test guests, their vCPUs and MiB of RAM, some protected), every "
          "console checked against its transcript. The simulator "
          "runs them in one process on one simulated machine (`sim_soak`, gzvmm's own set-up "
          "and teardown), one VM after the other; the full stack in one boot of gzhyp + "
          "Debian's kernel + gzvm.ko under QEMU (`fullstack.sh`, gzvmm --backend gzvm, with "
          "--jobs VMs side by side, each its own gzvmm, the samples between rounds). Counters: the driver's pinned "
          "pages and gzhyp's pool and page tables (sysfs `/sys/kernel/gzvm/`, the opengz "
          "GET_STATISTICS of VM 0), the host's free memory (MemFree; the simulated host's "
          "free memory in the simulator).", ""]
    for world, samples, failures, done, rows in runs:
        cycles = samples[-1]["cycle"] if samples else 0
        secs = samples[-1]["seconds"] - samples[0]["seconds"] if len(samples) > 1 else 0
        rate = f"{cycles / secs:.2f}" if secs > 0 else "n/a"
        peak = max((s.get("pinned_peak", 0) for s in samples), default=0)
        md += [f"## {world}", "",
               f"{cycles} cycles in {secs:.0f} s: **{rate} cycles per second**, "
               f"{len(failures)} failed, {len(samples)} samples (`{done or 'did not finish'}`)." +
               (f" The driver held up to {int(peak)} pages pinned at once." if peak else ""), "",
               "| counter | start | end | min | max | trend per cycle | back at start |",
               "|---|---:|---:|---:|---:|---:|---|"]
        for label, start, end, lo, hi, slope, ok, when in rows:
            md.append(f"| {label} | {start} ({when}) | {end} | {lo} | {hi} | {slope:+.1f} | "
                      f"{'yes' if ok else '**no**'} |")
        md.append("")
    md += [f"![counters over the cycles]({args.svg.split('/')[-1]})", ""]
    if problems:
        md += ["**Leaked or failed:**", ""] + [f"- {p}" for p in problems] + [""]
    else:
        md += ["Every counter is back at its starting value: nothing leaked (the full stack's "
               f"free host memory within {HOST_SLACK:.0%} of its value after the first "
               f"{args.warmup} cycles).", ""]
    with open(args.md, "w", encoding="utf-8") as f:
        f.write("\n".join(md))
    for p in problems:
        print("LEAK or FAILURE:", p)
    print(f"wrote {args.md} and {args.svg}")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
