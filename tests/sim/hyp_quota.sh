#!/bin/bash
# A VM's quota of hypervisor memory end to end (gzvmm --hyp-mem, the in-process driver, the
# core): with 8 KiB (its stage-2 root and its vCPU) the guest's first stage-2 fault needs a
# table the quota refuses, and gzvmm stops with one line naming the quota (status 1); with
# 64 KiB the guest runs to its end. A quota set for one VM is held for it, so one larger than
# the hypervisor's free memory (the simulator's pool is 32 MiB) is refused at set-up with one
# line saying so. Usage: hyp_quota.sh GZVMM GUEST
set -u
GZVMM=$1
GUEST=$2
fails=0

# refused SIZE MESSAGE: gzvmm stops with status 1 and exactly MESSAGE on stderr.
refused() {
	local out rc
	out=$(timeout -s KILL 60 "$GZVMM" run --backend sim --kernel "$GUEST" --hyp-mem "$1" 2>&1 >/dev/null)
	rc=$?
	if [ "$rc" != 1 ] || [ "$out" != "$2" ]; then
		echo "FAIL: --hyp-mem $1: status $rc: $out"
		fails=$((fails + 1))
	fi
}

refused 8K "gzvmm: GZVM_RUN: the VM's quota of hypervisor memory (8 KiB, --hyp-mem) is reached"
out=$(timeout -s KILL 60 "$GZVMM" run --backend sim --kernel "$GUEST" --hyp-mem 64K 2>&1)
rc=$?
if [ "$rc" != 0 ] || ! printf '%s\n' "$out" | grep -q '^bye'; then
	echo "FAIL: --hyp-mem 64K: status $rc: $out"
	fails=$((fails + 1))
fi
refused 64M "gzvmm: GZVM_ENABLE_CAP (--hyp-mem): the hypervisor's free memory cannot hold 65536 KiB for this VM beside the other VMs' quotas"
echo "hyp_quota: $fails failure(s)"
[ "$fails" = 0 ]
