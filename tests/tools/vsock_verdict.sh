# Sourced by the vsock tests with a stock Debian guest (full stack and simulator): the verdict
# on one run of vsock_linux (the guest) against vsock_echo (the host side).
# gz_vsock_compare WANT BYTES CONSOLE HOST: CONSOLE is the guest's console, HOST vsock_echo's
# output; WANT (a path below the repository) is the guest's expected transcript for 262144
# bytes, tests/vmm/expected/vsock-host.txt the host's: both are adjusted to BYTES. The kernel's
# timestamped lines, "time:" lines and carriage returns are left out of the
# comparison. Sets ok=0 on a difference
# and writes its files into $work.
gz_vsock_compare() {
  local want=$1 bytes=$2 console=$3 host=$4 top
  top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
  sed "s/262144/$bytes/g" "$top/$want" >"$work/want.txt"
  sed "s/262144/$bytes/g" "$top/tests/vmm/expected/vsock-host.txt" >"$work/want-host.txt"
  tr -d '\r' <"$console" | grep -Ev '^(time:|\[ *[0-9]+\.[0-9]+\] )' >"$work/out.cmp"
  if ! cmp -s "$work/out.cmp" "$work/want.txt"; then
    echo "FAIL: the guest's console differs from $want:"
    diff -u "$work/want.txt" "$work/out.cmp" | head -30
    ok=0
  fi
  if ! cmp -s "$host" "$work/want-host.txt"; then
    echo "FAIL: vsock_echo's output differs from tests/vmm/expected/vsock-host.txt:"
    diff -u "$work/want-host.txt" "$host" | head -20
    ok=0
  fi
}
