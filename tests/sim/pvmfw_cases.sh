# Sourced by the verified-boot tests of both worlds (tests/sim/pvmfw.sh in the simulator,
# tests/qemu/fullstack_pvmfw.sh through gzvm.ko and gzhyp): the files each case boots and
# the table of cases, so that both worlds refuse the same inputs with the same words.
#
# pvmfw_prepare GZSIGN GZVMM FW GUEST_DIR INITRD_DATA DIR: into DIR, the platform key (k.pub,
# k.sec) and another one (o.*); hello.bin and initrd.bin signed (initrd.bin with its initrd,
# bootargs "opengz.pvmfw=1" and 128 MiB), each for the machine gzvmm (the build machine's,
# --backend sim --dry-run --dump-dtb) describes for its case; a one-byte change of each image;
# signature blocks truncated, with a wrong magic, with a flipped signature bit and made with the
# other key; attest.bin signed with bootargs "opengz.attest=1"; the platform's attestation
# root (root.*) and its certificate of the other key (other.cert); hello's device tree as gzvmm
# gives it with its block (hello-sig.dtb) and the same with the PL011's interrupt changed
# (irq.dtb).
pvmfw_prepare() {
  local sign=$1 gzvmm=$2 fw=$3 guests=$4 data=$5 d=$6
  mkdir -p "$d" || return 1
  cp "$guests/hello.bin" "$guests/initrd.bin" "$guests/attest.bin" "$d/" &&
    cp "$data" "$d/initrd.img" &&
    "$sign" keygen "$d/k.sec" "$d/k.pub" && "$sign" keygen "$d/o.sec" "$d/o.pub" &&
    "$sign" keygen "$d/root.sec" "$d/root.pub" &&
    "$sign" certify "$d/root.sec" "$d/o.pub" "$d/other.cert" &&
    pvmfw_dtb "$gzvmm" "$fw" "$d/hello.dtb" --kernel "$d/hello.bin" &&
    pvmfw_dtb "$gzvmm" "$fw" "$d/attest.dtb" --kernel "$d/attest.bin" --append opengz.attest=1 &&
    pvmfw_dtb "$gzvmm" "$fw" "$d/initrd.dtb" --kernel "$d/initrd.bin" --initrd "$d/initrd.img" \
      --append opengz.pvmfw=1 --mem 128M &&
    "$sign" sign "$d/k.sec" "$d/hello.sig" --kernel "$d/hello.bin" --dtb "$d/hello.dtb" &&
    "$sign" sign "$d/k.sec" "$d/attest.sig" --kernel "$d/attest.bin" --bootargs opengz.attest=1 \
      --dtb "$d/attest.dtb" &&
    "$sign" sign "$d/o.sec" "$d/other.sig" --kernel "$d/hello.bin" --dtb "$d/hello.dtb" &&
    "$sign" sign "$d/k.sec" "$d/initrd.sig" --kernel "$d/initrd.bin" --initrd "$d/initrd.img" \
      --bootargs opengz.pvmfw=1 --dtb "$d/initrd.dtb" || return 1
  pvmfw_dtb "$gzvmm" "$fw" "$d/hello-sig.dtb" --kernel "$d/hello.bin" --boot-sig "$d/hello.sig" &&
    cp "$d/hello-sig.dtb" "$d/irq.dtb" &&
    fdtput -t u "$d/irq.dtb" /pl011@9000000 interrupts 0 5 4 || return 1
  cp "$d/hello.bin" "$d/hello-bad.bin" && cp "$d/initrd.img" "$d/initrd-bad.img" || return 1
  flip "$d/hello-bad.bin" 200 && flip "$d/initrd-bad.img" 5000 || return 1
  head -c 295 "$d/hello.sig" >"$d/trunc.sig" || return 1
  cp "$d/hello.sig" "$d/magic.sig" && flip "$d/magic.sig" 0 || return 1
  cp "$d/hello.sig" "$d/forged.sig" && flip "$d/forged.sig" 260
}

# pvmfw_dtb GZVMM FW OUT ARGS...: the device tree gzvmm gives a protected VM booted through FW
# with ARGS, written to OUT (what the signer signs; the machine is the same for every backend).
pvmfw_dtb() {
  local gzvmm=$1 fw=$2 out=$3
  shift 3
  "$gzvmm" run --backend sim --dry-run --protected --pvmfw "$fw" --dump-dtb "$out" "$@" >/dev/null
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
memory_changed|5|--kernel @/hello.bin --boot-sig @/hello.sig --mem 128M|gzvmm: pvmfw refused to boot the kernel: device tree's memory does not match its signature|pvmfw: refused: device tree's memory does not match its signature
device_added|5|--kernel @/hello.bin --boot-sig @/hello.sig --disk @/initrd.img,ro|gzvmm: pvmfw refused to boot the kernel: device tree's devices do not match their signature|pvmfw: refused: device tree's devices do not match their signature
device_removed|5|--kernel @/hello.bin --boot-sig @/hello.sig --no-rng|gzvmm: pvmfw refused to boot the kernel: device tree's devices do not match their signature|pvmfw: refused: device tree's devices do not match their signature
signed_dtb|0|--kernel @/hello.bin --boot-sig @/hello.sig --dtb @/hello-sig.dtb|-|hello
interrupt_changed|5|--kernel @/hello.bin --boot-sig @/hello.sig --dtb @/irq.dtb|gzvmm: pvmfw refused to boot the kernel: device tree's devices do not match their signature|pvmfw: refused: device tree's devices do not match their signature
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
    if ! head -n 1 "$con" | grep -Eq '^pvmfw: verified kernel \([0-9]+ bytes\), initrd \([0-9]+ bytes\), bootargs \([0-9]+ bytes\), memory \([0-9]+ MiB\), devices \([0-9]+\)$'; then
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

# The attest guest's arguments after --protected --pvmfw FW (@ = DIR).
pvmfw_attest_args() {
  echo "--kernel @/attest.bin --append opengz.attest=1 --boot-sig @/attest.sig"
}

# pvmfw_attest_check GZSIGN FW DIR STATUS CONSOLE CERT EXPECTED_DIR: the attest guest booted
# (status 0, its transcript but the report and certificate equal to attest.txt), the
# certificate it found in its DICE page is CERT (the one the platform published), and gz-sign
# report accepts its report up to the platform's attestation root (DIR/root.pub) with that
# certificate, the nonce it used and the measurements of FW, attest.bin, its bootargs and its
# machine; it refuses the report for another nonce, another kernel, other bootargs, another
# machine, another root, a certificate of another key, a forged or truncated certificate, and
# once a byte of it changed.
pvmfw_attest_check() {
  local sign=$1 fw=$2 d=$3 rc=$4 con=$5 cert=$6 exp=$7 body out hex c ok=0
  local nonce=a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf key=$d/root.pub
  local args=(--cert "$d/guest.cert" --nonce "$nonce" --pvmfw "$fw" --kernel "$d/attest.bin"
              --bootargs opengz.attest=1 --dtb "$d/attest.dtb")
  [ "$rc" = 0 ] || { echo "FAIL: attest: gzvmm exited with $rc"; return 1; }
  body=$(tail -n +2 "$con" | grep -v '^attest: \(report\|certificate\) ')
  if [ "$body" != "$(cat "$exp/attest.txt")" ]; then
    echo "FAIL: attest: the transcript differs from attest.txt:"; diff <(echo "$body") "$exp/attest.txt" | head; return 1
  fi
  sed -n 's/^attest: report \([0-9a-f]*\)$/\1/p' "$con" >"$d/report.hex"
  sed -n 's/^attest: certificate \([0-9a-f]*\)$/\1/p' "$con" >"$d/guest.cert"
  if ! cmp -s "$d/guest.cert" "$cert"; then
    echo "FAIL: attest: the DICE page's certificate '$(cat "$d/guest.cert")' is not the published '$(cat "$cert")'"
    return 1
  fi
  # want STATUS LINE -- gz-sign report's arguments
  want() {
    local st=$1 line=$2 got
    shift 3
    out=$("$sign" report "$@" 2>&1)
    got=$?
    if [ $got != "$st" ] || [ "$out" != "gz-sign: $line" ]; then
      echo "FAIL: attest: gz-sign report $*: status $got, '$out' (want $st, '$line')"; ok=1
    fi
  }
  want 0 "report verified: firmware, kernel, initrd and configuration as expected, nonce fresh" -- "$key" "$d/report.hex" "${args[@]}"
  want 1 "report is not for this nonce" -- "$key" "$d/report.hex" "${args[@]}" --nonce "${nonce/a0/a1}"
  want 1 "kernel is not the one expected" -- "$key" "$d/report.hex" "${args[@]}" --kernel "$d/hello.bin"
  want 1 "configuration (bootargs, memory, devices) is not the one expected" -- "$key" "$d/report.hex" "${args[@]}" --bootargs opengz.attest=2
  want 1 "configuration (bootargs, memory, devices) is not the one expected" -- "$key" "$d/report.hex" "${args[@]}" --dtb "$d/initrd.dtb"
  want 1 "firmware is not the one expected" -- "$key" "$d/report.hex" "${args[@]}" --pvmfw "$d/hello.bin"
  want 1 "initrd is not the one expected" -- "$key" "$d/report.hex" "${args[@]}" --initrd "$d/initrd.img"
  # the certificate: another root, another key certified, a forged signature, cut short
  want 1 "certificate not issued by the trusted key" -- "$d/o.pub" "$d/report.hex" "${args[@]}"
  want 1 "report made with another attestation key than the certified one" -- "$key" "$d/report.hex" "${args[@]}" --cert "$d/other.cert"
  hex=$(cat "$d/guest.cert")
  if [ "${hex:200:1}" = 0 ]; then c=1; else c=0; fi
  echo "${hex:0:200}$c${hex:201}" >"$d/forged.cert"
  echo "${hex:0:280}" >"$d/short.cert"
  want 1 "certificate signature does not verify" -- "$key" "$d/report.hex" "${args[@]}" --cert "$d/forged.cert"
  want 1 "certificate truncated" -- "$key" "$d/report.hex" "${args[@]}" --cert "$d/short.cert"
  # a measurement changed in the report itself: its signature no longer holds
  out=$(cat "$d/report.hex")
  if [ "${out:100:1}" = 0 ]; then c=1; else c=0; fi
  echo "${out:0:100}$c${out:101}" >"$d/changed.hex"
  want 1 "report signature does not verify" -- "$key" "$d/changed.hex" "${args[@]}"
  head -c 100 "$d/report.hex" >"$d/short.hex"
  want 1 "not a report (544 hex digits on one line)" -- "$key" "$d/short.hex" "${args[@]}"
  [ $ok = 0 ] && echo "ok: attest (the report verifies up to the platform's root; nonce, kernel, bootargs, machine, firmware, initrd, root, certificate and a changed byte refused)"
  return $ok
}
