#!/usr/bin/env bash
# gz-sign end to end: a new key signs a kernel, an initrd, bootargs and a machine (a DTB made
# with dtc); the block verifies (gzcrypto checking what libsodium signed), also against the same
# machine with its nodes in another order and other names; each tampering (kernel, initrd,
# bootargs, memory, a device added, an interrupt, the signature), another key, a truncated or
# overlong block gives its own one-line refusal and status 1; `machine` prints the canonical
# description; usage and file errors (a DTB that is not one) give status 2.
set -u
GZSIGN=$1
W=$2
rm -rf "$W" && mkdir -p "$W" && cd "$W" || exit 1
fail=0

# expect STATUS LINE CMD...: the command exits STATUS and its stdout is LINE ("-": any)
expect() {
	local want_rc=$1 want_out=$2 out rc
	shift 2
	out=$("$@" 2>/dev/null)
	rc=$?
	if [ "$rc" != "$want_rc" ] || { [ "$want_out" != "-" ] && [ "$out" != "$want_out" ]; }; then
		echo "FAIL: $* -> status $rc, '$out' (want $want_rc, '$want_out')"
		fail=1
	fi
}

"$GZSIGN" keygen k.sec k.pub || exit 1
"$GZSIGN" keygen other.sec other.pub || exit 1
[ "$(wc -c <k.sec)" = 65 ] && [ "$(wc -c <k.pub)" = 65 ] || { echo "FAIL: key file sizes"; fail=1; }
expect 0 "$(cat k.pub)" "$GZSIGN" pubkey k.sec
cmp -s k.pub other.pub && { echo "FAIL: two keygens gave the same key"; fail=1; }

# dts MEM IRQ EXTRA ORDER: a machine of MEM bytes at 1 GiB with a PL011 (interrupt IRQ), a
# virtio-mmio device, EXTRA more nodes, its devices in the order ORDER (fwd or rev)
dts() {
	local uart="uart@9000000 { compatible = \"arm,pl011\", \"arm,primecell\"; reg = <0 0x9000000 0 0x1000>; interrupts = <0 $2 4>; };"
	local virtio="virtio@a000000 { compatible = \"virtio,mmio\"; reg = <0 0xa000000 0 0x200>; interrupts = <0 16 1>; };"
	local cpus="cpus { #address-cells = <1>; #size-cells = <0>; cpu@0 { compatible = \"arm,arm-v8\"; reg = <0>; device_type = \"cpu\"; }; };"
	echo "/dts-v1/; / { #address-cells = <2>; #size-cells = <2>; compatible = \"linux,dummy-virt\";"
	echo "chosen { bootargs = \"ignored\"; };"
	if [ "$4" = fwd ]; then echo "memory@40000000 { device_type = \"memory\"; reg = <0 0x40000000 0 $1>; }; $cpus $uart $virtio"
	else echo "$virtio $uart $cpus mem { device_type = \"memory\"; reg = <0 0x40000000 0 $1>; };"; fi
	[ "$3" = 0 ] || echo "rtc@9010000 { compatible = \"arm,pl031\", \"arm,primecell\"; reg = <0 0x9010000 0 0x1000>; interrupts = <0 2 4>; };"
	echo "};"
}
mkdtb() { # OUT MEM IRQ EXTRA ORDER
	local out=$1
	shift
	dts "$@" | dtc -q -I dts -O dtb -o "$out" - || { echo "FAIL: dtc $out"; exit 1; }
}
mkdtb vm.dtb 0x8000000 1 0 fwd
mkdtb vm-rev.dtb 0x8000000 1 0 rev
mkdtb vm-mem.dtb 0x10000000 1 0 fwd
mkdtb vm-irq.dtb 0x8000000 3 0 fwd
mkdtb vm-dev.dtb 0x8000000 1 1 fwd

seq 1 20000 >kernel
seq 5 7 30000 >initrd
ARGS="console=hvc0 root=/dev/vda"
"$GZSIGN" sign k.sec block --kernel kernel --initrd initrd --bootargs "$ARGS" --dtb vm.dtb || exit 1
[ "$(wc -c <block)" = 296 ] || { echo "FAIL: block size"; fail=1; }
ok="gz-sign: signature verified"
expect 0 "$ok" "$GZSIGN" verify k.pub block --kernel kernel --initrd initrd --bootargs "$ARGS" --dtb vm.dtb
# the machine, not the blob: the same nodes in another order and under other names verify
expect 0 "$ok" "$GZSIGN" verify k.pub block --kernel kernel --initrd initrd --bootargs "$ARGS" --dtb vm-rev.dtb
expect 1 "gz-sign: device tree's memory does not match its signature" \
	"$GZSIGN" verify k.pub block --kernel kernel --initrd initrd --bootargs "$ARGS" --dtb vm-mem.dtb
expect 1 "gz-sign: device tree's devices do not match their signature" \
	"$GZSIGN" verify k.pub block --kernel kernel --initrd initrd --bootargs "$ARGS" --dtb vm-irq.dtb
expect 1 "gz-sign: device tree's devices do not match their signature" \
	"$GZSIGN" verify k.pub block --kernel kernel --initrd initrd --bootargs "$ARGS" --dtb vm-dev.dtb
[ "$("$GZSIGN" machine vm.dtb | head -n 2)" = "memory 0x40000000 0x8000000
devices 3" ] || { echo "FAIL: gz-sign machine vm.dtb:"; "$GZSIGN" machine vm.dtb; fail=1; }
[ "$("$GZSIGN" machine vm.dtb)" = "$("$GZSIGN" machine vm-rev.dtb)" ] ||
	{ echo "FAIL: gz-sign machine differs with the nodes reordered"; fail=1; }
expect 2 "" "$GZSIGN" machine kernel
expect 2 "" "$GZSIGN" verify k.pub block --kernel kernel --dtb kernel
expect 2 "" "$GZSIGN" sign k.sec block2 --kernel kernel

cp kernel kernel.bad && printf 'X' | dd of=kernel.bad bs=1 seek=1000 conv=notrunc 2>/dev/null
expect 1 "gz-sign: kernel does not match its signature" \
	"$GZSIGN" verify k.pub block --kernel kernel.bad --initrd initrd --bootargs "$ARGS" --dtb vm.dtb
cp initrd initrd.bad && printf 'X' >>initrd.bad
expect 1 "gz-sign: initrd does not match its signature" \
	"$GZSIGN" verify k.pub block --kernel kernel --initrd initrd.bad --bootargs "$ARGS" --dtb vm.dtb
expect 1 "gz-sign: initrd does not match its signature" \
	"$GZSIGN" verify k.pub block --kernel kernel --bootargs "$ARGS" --dtb vm.dtb
expect 1 "gz-sign: bootargs do not match their signature" \
	"$GZSIGN" verify k.pub block --kernel kernel --initrd initrd --bootargs "$ARGS init=/bin/sh" --dtb vm.dtb
expect 1 "gz-sign: signature block made for another key" \
	"$GZSIGN" verify other.pub block --kernel kernel --initrd initrd --bootargs "$ARGS" --dtb vm.dtb
head -c 295 block >block.short
expect 1 "gz-sign: signature block truncated" \
	"$GZSIGN" verify k.pub block.short --kernel kernel --initrd initrd --bootargs "$ARGS" --dtb vm.dtb
cp block block.long && printf '\0' >>block.long
expect 1 "gz-sign: signature block malformed" \
	"$GZSIGN" verify k.pub block.long --kernel kernel --initrd initrd --bootargs "$ARGS" --dtb vm.dtb
# a byte of the signature changed (to 0x55, or 0xaa when it was 0x55)
cp block block.sig && printf '\x55' | dd of=block.sig bs=1 seek=260 conv=notrunc 2>/dev/null
cmp -s block block.sig && printf '\xaa' | dd of=block.sig bs=1 seek=260 conv=notrunc 2>/dev/null
# a file option given again: the later file counts (under ASan: the earlier one is freed)
expect 0 "$ok" "$GZSIGN" verify k.pub block --kernel kernel.bad --kernel kernel --initrd initrd.bad \
	--initrd initrd --bootargs "$ARGS" --dtb vm.dtb
expect 1 "gz-sign: signature does not verify" \
	"$GZSIGN" verify k.pub block.sig --kernel kernel --initrd initrd --bootargs "$ARGS" --dtb vm.dtb

# usage and file errors
expect 2 "" "$GZSIGN"
expect 2 "" "$GZSIGN" sign k.sec block2 --initrd initrd --bootargs x
expect 2 "" "$GZSIGN" sign k.sec block2 --kernel missing-file
expect 2 "" "$GZSIGN" sign k.sec block2 --kernel kernel --bogus x
expect 2 "" "$GZSIGN" sign k.sec block2 --kernel kernel --bootargs
printf 'zz\n' >bad.key
expect 2 "" "$GZSIGN" sign bad.key block2 --kernel kernel --bootargs x
expect 2 "" "$GZSIGN" verify k.sec.missing block --kernel kernel --bootargs x
printf 'abcd\n' >short.key
expect 2 "" "$GZSIGN" pubkey short.key
{ tr -d '\n' <k.sec; printf ' trailing\n'; } >trailing.key
expect 2 "" "$GZSIGN" pubkey trailing.key
expect 2 "" "$GZSIGN" keygen no/such/dir/k.sec no/such/dir/k.pub
expect 2 "" "$GZSIGN" keygen only-one-file
expect 2 "" "$GZSIGN" verify k.pub block
expect 2 "" "$GZSIGN" frobnicate k.sec
# report's own usage errors (its verdicts: tests/sim/pvmfw.sh, fullstack_pvmfw)
N=a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf
printf '00\n' >report.hex
# certify: the platform's root (k) vouches for other.pub's key
"$GZSIGN" certify k.sec other.pub other.cert || { echo "FAIL: certify"; fail=1; }
[ "$(wc -c <other.cert)" = 289 ] || { echo "FAIL: certificate size"; fail=1; }
expect 2 "" "$GZSIGN" certify k.sec missing.pub c.cert
expect 2 "" "$GZSIGN" certify k.sec other.pub no/such/dir/c.cert
R="--nonce $N --pvmfw kernel --kernel kernel --dtb vm.dtb"
expect 2 "" "$GZSIGN" report k.pub report.hex --cert other.cert --pvmfw kernel --kernel kernel --initrd initrd --dtb vm.dtb
expect 2 "" "$GZSIGN" report k.pub report.hex --cert other.cert --nonce $N --kernel kernel --initrd initrd --dtb vm.dtb
expect 2 "" "$GZSIGN" report k.pub report.hex --nonce $N --pvmfw kernel --kernel kernel --initrd initrd --dtb vm.dtb
expect 2 "" "$GZSIGN" report k.pub report.hex --cert other.cert --nonce abc --pvmfw kernel --kernel kernel --dtb vm.dtb
expect 2 "" "$GZSIGN" report k.pub report.hex --cert other.cert --nonce $N --pvmfw kernel --kernel kernel
expect 2 "" "$GZSIGN" report k.pub report.hex --cert missing.cert $R
expect 2 "" "$GZSIGN" sign k.sec block2 --kernel kernel --nonce $N --dtb vm.dtb
expect 2 "" "$GZSIGN" sign k.sec block2 --kernel kernel --cert other.cert --dtb vm.dtb
# the certificate is checked first: its issuer, its form, its signature
expect 1 "gz-sign: not a report (544 hex digits on one line)" "$GZSIGN" report k.pub report.hex --cert other.cert $R
expect 1 "gz-sign: certificate not issued by the trusted key" "$GZSIGN" report other.pub report.hex --cert other.cert $R
printf 'zz\n' >bad.cert
expect 1 "gz-sign: not a certificate (hex on one line)" "$GZSIGN" report k.pub report.hex --cert bad.cert $R
{ head -c 288 other.cert; printf '00\n'; } >long.cert
expect 1 "gz-sign: certificate malformed" "$GZSIGN" report k.pub report.hex --cert long.cert $R
{ printf '00'; tail -c +3 other.cert; } >magic.cert
expect 1 "gz-sign: certificate malformed" "$GZSIGN" report k.pub report.hex --cert magic.cert $R
{ head -c 24 other.cert; printf '02'; tail -c +27 other.cert; } >usage.cert
expect 1 "gz-sign: certificate made for another use" "$GZSIGN" report k.pub report.hex --cert usage.cert $R

[ $fail = 0 ] && echo "gz-sign: all cases as expected"
exit $fail
