# Shell functions for the host VM's /init in the full-stack tests that check that everything
# comes back after VMs end (fullstack_kill, fullstack_many, fullstack_memcg,
# fullstack_s2block). gz_stack_root puts this file at /gz_lib.sh; an /init sources it after
# recording pool0 (gzhyp's pool in use before the first VM). busybox sh: no bash in the host
# VM.

s=/sys/kernel/gzvm

# gz_settle: waits (10 s at most) until gzvm.ko pins no page and gzhyp's pool in use is back at
# $pool0; n is how many tenths of a second that took.
gz_settle() {
  n=0
  while { [ "$(cat $s/pinned_pages)" != 0 ] || [ "$(cat $s/hyp_pool_used_bytes)" != $pool0 ]; } && [ $n -lt 100 ]; do
    usleep 100000
    n=$((n + 1))
  done
}

# gz_next_vm: a hello VM after the others; nrc is gzvmm's status and next_ok says whether it
# ended with 0 and printed /exp/hello.txt (its stderr is in /tmp/err).
gz_next_vm() {
  gzvmm run --backend gzvm --kernel /g/hello.elf --mem 16M --console file:/tmp/next 2>/tmp/err </dev/null
  nrc=$?
  next_ok=no
  [ $nrc = 0 ] && cmp -s /tmp/next /exp/hello.txt && next_ok=yes
}
