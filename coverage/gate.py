#!/usr/bin/env python3
"""Coverage gate: reads an lcov tracefile, prints a per-file table (lines, branches) and fails
when a file is below the threshold of the first matching pattern in coverage/thresholds."""
import fnmatch
import os
import sys


def load_thresholds(path):
    rules = []
    for line in open(path):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        glob, lines, branches = line.split()
        rules.append((glob, float(lines), float(branches)))
    return rules


def load_info(path, root):
    files = {}
    cur = None
    for line in open(path):
        line = line.strip()
        if line.startswith("SF:"):
            name = os.path.relpath(line[3:], root)
            cur = files.setdefault(name, {"lf": 0, "lh": 0, "brf": 0, "brh": 0})
        elif cur is None:
            continue
        elif line.startswith("LF:"):
            cur["lf"] += int(line[3:])
        elif line.startswith("LH:"):
            cur["lh"] += int(line[3:])
        elif line.startswith("BRF:"):
            cur["brf"] += int(line[4:])
        elif line.startswith("BRH:"):
            cur["brh"] += int(line[4:])
        elif line == "end_of_record":
            cur = None
    return files


def pct(hit, found):
    return 100.0 * hit / found if found else 100.0


def main():
    if len(sys.argv) != 4:
        print("usage: gate.py TRACEFILE THRESHOLDS REPO_ROOT", file=sys.stderr)
        return 2
    info, thr, root = sys.argv[1:]
    rules = load_thresholds(thr)
    files = load_info(info, root)
    failed = []
    print(f"{'file':<48} {'lines':>14} {'branches':>14}  gate")
    for name in sorted(files):
        f = files[name]
        rule = next((r for r in rules if fnmatch.fnmatch(name, r[0])), None)
        if rule is None:
            continue
        lp, bp = pct(f["lh"], f["lf"]), pct(f["brh"], f["brf"])
        ok = lp >= rule[1] and bp >= rule[2]
        print(f"{name:<48} {lp:6.1f}% {f['lh']:>3}/{f['lf']:<3} {bp:6.1f}% {f['brh']:>3}/{f['brf']:<3}"
              f"  {'ok' if ok else 'FAIL'} ({rule[1]:.0f}/{rule[2]:.0f})")
        if not ok:
            failed.append(name)
    if failed:
        print(f"coverage gate: {len(failed)} file(s) below threshold: {' '.join(failed)}")
        return 1
    print("coverage gate: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
