#!/usr/bin/env python3
"""Instructions the hypervisor core executes per guest exit, on the simulator.

Input: `callgrind_annotate --inclusive=yes --tree=calling --threshold=100` of a callgrind run
of `gzvmm run --backend sim` collected inside gz_vcpu_run (--toggle-collect=gz_vcpu_run).
Everything gz_vcpu_run does minus what gz_hal_vcpu_run (the simulated CPU: Unicorn running
the guest) does is the portable core's work for the exits of that run; the callees give its
parts. Exits the core's fast path completes (gz_exit_fast) run inside gz_hal_vcpu_run (called
from it or from a helper of the HAL's): their cost moves back to the core, and each
gz_exit_dispatch the fast path made is one exit. Counts are host instructions of the release build: deterministic for one binary,
comparable between versions of the core, not aarch64 instructions.
Output: a Markdown section on stdout.
"""
import re
import sys

ROOT = "gz_vcpu_run"
GUEST = "gz_hal_vcpu_run"
HEAD = re.compile(r"^\s*([\d,]+) \([^)]*\)\s+\*\s+\S*?:?(\w+) ")
CALLEE = re.compile(r"^\s*([\d,]+) \([^)]*\)\s+>\s+\S*?:?(\w+)'?\d* \(([\d,]+)x\)")

PARTS = [
    ("gz_vgic_flush", "vGIC flush into the list registers (before each entry)"),
    ("gz_exit_dispatch", "exit dispatch and handling (hypercalls, MMIO, sysregs, ...)"),
    ("gz_vtimer_update", "virtual timer state (before and after each entry)"),
    ("gz_vgic_sync", "vGIC sync from the list registers (after each exit)"),
    ("arm64_exit_decode", "syndrome decoding"),
    ("gz_vmid_enter", "VMID check"),
]


def num(s):
    return int(s.replace(",", ""))


FAST = "gz_exit_fast"


def parse(lines, roots=(ROOT, GUEST, FAST)):
    """Inclusive cost of each root, {root: {callee: (cost, calls)}} and the calls of the fast
    path from wherever they come (a HAL may offer exits through a helper of its own)."""
    totals, callees, cur, fast_calls = {}, {r: {} for r in roots}, None, 0
    for line in lines:
        m = CALLEE.match(line)
        if m and m.group(2) == FAST:
            fast_calls += num(m.group(3))
        m = HEAD.match(line)
        if m:
            cur = m.group(2) if m.group(2) in roots else None
            if cur:
                totals[cur] = num(m.group(1))
            continue
        if cur:
            m = CALLEE.match(line)
            if m:
                name = m.group(2)
                cost, calls = num(m.group(1)), num(m.group(3))
                old = callees[cur].get(name, (0, 0))
                callees[cur][name] = (old[0] + cost, old[1] + calls)
            elif not line.strip():
                cur = None
    return totals, callees, fast_calls


def main():
    if len(sys.argv) != 2:
        print("usage: simcount.py ANNOTATE_TREE_FILE", file=sys.stderr)
        return 2
    with open(sys.argv[1], errors="replace") as f:
        totals, tree, offered = parse(f)
    callees = tree[ROOT]
    total = totals.get(ROOT)
    if total is None or GUEST not in callees:
        print(f"simcount: no {ROOT}/{GUEST} in {sys.argv[1]}", file=sys.stderr)
        return 1
    guest, exits = callees[GUEST]
    # the fast path: its cost (inclusive, over all its callers) is the core's, its
    # dispatches are exits
    fast_cost = totals.get(FAST, 0)
    fast_disp_cost, fast_exits = tree[FAST].get("gz_exit_dispatch", (0, 0))
    for name, _ in PARTS:
        extra = tree[FAST].get(name)
        if extra:
            old = callees.get(name, (0, 0))
            callees = dict(callees, **{name: (old[0] + extra[0], old[1] + extra[1])})
    full_exits = exits
    exits += fast_exits
    if exits == 0:
        print("simcount: no exits", file=sys.stderr)
        return 1
    core = total - guest + fast_cost
    out = ["## Hypervisor core instructions per exit (simulator, callgrind)", "",
           "The simulator runs the portable core natively around a Unicorn CPU; callgrind "
           "counts what the core executes for the benchmark guest's exits (release build, "
           "host instructions: deterministic for one binary, for comparing versions of the "
           "core, not aarch64 instructions).", "",
           f"{exits} exits ({full_exits} through the run loop, {fast_exits} completed by the "
           f"exit fast path of {offered} offered); the core's share {core:,} instructions: "
           f"**{core / exits:,.0f} per exit** on average"
           + (f", {fast_cost / max(1, fast_exits):,.0f} per fast exit (refused offers "
              "included)" if fast_exits else "") + ".", "",
           "| part | instructions per exit | share of the core |",
           "| --- | ---: | ---: |"]
    rest = core
    for name, what in PARTS:
        if name in callees:
            cost = callees[name][0]
            rest -= cost
            out.append(f"| `{name}`: {what} | {cost / exits:,.0f} | {100 * cost / core:.0f}% |")
    out.append(f"| the rest (run loop, locks, MMIO completion) | {rest / exits:,.0f} | "
               f"{100 * rest / core:.0f}% |")
    out.append("")
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
