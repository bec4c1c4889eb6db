# Sourced by the verified-boot tests of both worlds (tests/sim/pvmfw.sh in the simulator,
# tests/qemu/fullstack_pvmfw.sh through gzvm.ko and gzhyp): the files each case boots and
# the table of cases, so that both worlds refuse the same inputs with the same words.
#
# pvmfw_prepare GZSIGN GUEST_DIR INITRD_DATA DIR: into DIR, the platform key (k.pub, k.sec) and
# another one (o.*); hello.bin and initrd.bin signed (initrd.bin with its initrd and bootargs
# "opengz.pvmfw=1"); a one-byte change of each image; signature blocks truncated, with a
# wrong magic, with a flipped signature bit and made with the other key.
pvmfw_prepare() {
  local sign=$1 guests=$2 data=$3 d=$4
  mkdir -p "$d" || return 1
  cp "$guests/hello.bin" "$guests/initrd.bin" "$d/" && cp "$data" "$d/initrd.img" &&
    "$sign" keygen "$d/k.sec" "$d/k.pub" && "$sign" keygen "$d/o.sec" "$d/o.pub" &&
    "$sign" sign "$d/k.sec" "$d/hello.sig" --kernel "$d/hello.bin" &&
    "$sign" sign "$d/o.sec" "$d/other.sig" --kernel "$d/hello.bin" &&
    "$sign" sign "$d/k.sec" "$d/initrd.sig" --kernel "$d/initrd.bin" --initrd "$d/initrd.img" \
      --bootargs opengz.pvmfw=1 || return 1
  cp "$d/hello.bin" "$d/hello-bad.bin" && cp "$d/initrd.img" "$d/initrd-bad.img" || return 1
  flip "$d/hello-bad.bin" 200 && flip "$d/initrd-bad.img" 5000 || return 1
  head -c 231 "$d/hello.sig" >"$d/trunc.sig" || return 1
  cp "$d/hello.sig" "$d/magic.sig" && flip "$d/magic.sig" 0 || return 1
  cp "$d/hello.sig" "$d/forged.sig" && flip "$d/forged.sig" 200
}

# flip FILE OFFSET: the byte at OFFSET xor 1.
flip() {
  local b
  b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ') || return 1
  printf "$(printf '\\%03o' $((b ^ 1)))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

# The cases, one a line: NAME|STATUS|gzvmm's arguments after --protected --pvmfw FW (@ = DIR,
# blank separated)|the line gzvmm ends with (status != 0)|the console (0: the guest's
# transcript in tests/sim/expected after pvmfw's line; else its refusal).
pvmfw_cases() {
  cat <<'CASES'
signed|0|--kernel @/hello.bin --boot-sig @/hello.sig|-|hello
signed_initrd|0|--kernel @/initrd.bin --initrd @/initrd.img --append opengz.pvmfw=1 --mem 128M --boot-sig @/initrd.sig|-|initrd
kernel_changed|5|--kernel @/hello-bad.bin --boot-sig @/hello.sig|gzvmm: pvmfw refused to boot the kernel: kernel does not match its signature|pvmfw: refused: kernel does not match its signature
initrd_changed|5|--kernel @/initrd.bin --initrd @/initrd-bad.img --append opengz.pvmfw=1 --mem 128M --boot-sig @/initrd.sig|gzvmm: pvmfw refused to boot the kernel: initrd does not match its signature|pvmfw: refused: initrd does not match its signature
bootargs_changed|5|--kernel @/initrd.bin --initrd @/initrd.img --append opengz.pvmfw=2 --mem 128M --boot-sig @/initrd.sig|gzvmm: pvmfw refused to boot the kernel: bootargs do not match their signature|pvmfw: refused: bootargs do not match their signature
other_key|5|--kernel @/hello.bin --boot-sig @/other.sig|gzvmm: pvmfw refused to boot the kernel: signature block made for another key|pvmfw: refused: signature block made for another key
forged|5|--kernel @/hello.bin --boot-sig @/forged.sig|gzvmm: pvmfw refused to boot the kernel: signature does not verify|pvmfw: refused: signature does not verify
truncated|5|--kernel @/hello.bin --boot-sig @/trunc.sig|gzvmm: pvmfw refused to boot the kernel: signature block truncated|pvmfw: refused: signature block truncated
malformed|5|--kernel @/hello.bin --boot-sig @/magic.sig|gzvmm: pvmfw refused to boot the kernel: signature block malformed|pvmfw: refused: signature block malformed
unsigned|5|--kernel @/hello.bin|gzvmm: pvmfw refused to boot the kernel: no boot signature block (--boot-sig)|pvmfw: refused: no boot signature block
host_writes_firmware|4|--kernel @/hello.bin --boot-sig @/hello.sig --test-pvmfw-write|gzvmm: guest memory at IPA 0x7fc00000 is not accessible to the host (not shared by the guest); stopping the VM|
CASES
}

# pvmfw_check NAME STATUS WANT_STATUS ERR_FILE WANT_LINE CONSOLE_FILE WANT_CONSOLE EXPECTED_DIR:
# prints "ok: ..." or "FAIL: ..." lines; returns 1 on a failure.
pvmfw_check() {
  local name=$1 rc=$2 want=$3 err=$4 line=$5 con=$6 wantcon=$7 exp=$8 body
  if [ "$rc" != "$want" ]; then
    echo "FAIL: $name: gzvmm exited with $rc, not $want"; sed 's/^/  /' "$err"; return 1
  fi
  if [ "$line" != - ] && [ "$(tail -n 1 "$err")" != "$line" ]; then
    echo "FAIL: $name: gzvmm's last line is '$(tail -n 1 "$err")', not '$line'"; return 1
  fi
  if [ "$want" = 0 ]; then
    # pvmfw's one line, then the guest's own transcript unchanged
    if ! head -n 1 "$con" | grep -Eq '^pvmfw: verified kernel \([0-9]+ bytes\), initrd \([0-9]+ bytes\), bootargs \([0-9]+ bytes\)$'; then
      echo "FAIL: $name: no verification line from pvmfw:"; head -n 3 "$con" | sed 's/^/  /'; return 1
    fi
    body=$(tail -n +2 "$con")
    if [ "$body" != "$(cat "$exp/$wantcon.txt")" ]; then
      echo "FAIL: $name: the guest's transcript differs from $wantcon.txt:"
      diff <(echo "$body") "$exp/$wantcon.txt" | head -10; return 1
    fi
  elif [ "$(cat "$con")" != "$wantcon" ]; then
    # a refusal: pvmfw's line and nothing of the kernel's
    echo "FAIL: $name: the console holds more or other than the refusal:"
    head -n 5 "$con" | sed 's/^/  /'; return 1
  fi
  echo "ok: $name (status $rc)"
}
