#!/usr/bin/env bash
# gz-sign end to end: a new key signs a kernel, an initrd and bootargs; the block verifies
# (gzcrypto checking what libsodium signed); each tampering (kernel, initrd, bootargs, the
# signature), another key, a truncated or overlong block gives its own one-line refusal and
# status 1; usage and file errors give status 2.
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

seq 1 20000 >kernel
seq 5 7 30000 >initrd
ARGS="console=hvc0 root=/dev/vda"
"$GZSIGN" sign k.sec block --kernel kernel --initrd initrd --bootargs "$ARGS" || exit 1
[ "$(wc -c <block)" = 232 ] || { echo "FAIL: block size"; fail=1; }
ok="gz-sign: signature verified"
expect 0 "$ok" "$GZSIGN" verify k.pub block --kernel kernel --initrd initrd --bootargs "$ARGS"

cp kernel kernel.bad && printf 'X' | dd of=kernel.bad bs=1 seek=1000 conv=notrunc 2>/dev/null
expect 1 "gz-sign: kernel does not match its signature" \
	"$GZSIGN" verify k.pub block --kernel kernel.bad --initrd initrd --bootargs "$ARGS"
cp initrd initrd.bad && printf 'X' >>initrd.bad
expect 1 "gz-sign: initrd does not match its signature" \
	"$GZSIGN" verify k.pub block --kernel kernel --initrd initrd.bad --bootargs "$ARGS"
expect 1 "gz-sign: initrd does not match its signature" \
	"$GZSIGN" verify k.pub block --kernel kernel --bootargs "$ARGS"
expect 1 "gz-sign: bootargs do not match their signature" \
	"$GZSIGN" verify k.pub block --kernel kernel --initrd initrd --bootargs "$ARGS init=/bin/sh"
expect 1 "gz-sign: signature block made for another key" \
	"$GZSIGN" verify other.pub block --kernel kernel --initrd initrd --bootargs "$ARGS"
head -c 231 block >block.short
expect 1 "gz-sign: signature block truncated" \
	"$GZSIGN" verify k.pub block.short --kernel kernel --initrd initrd --bootargs "$ARGS"
cp block block.long && printf '\0' >>block.long
expect 1 "gz-sign: signature block malformed" \
	"$GZSIGN" verify k.pub block.long --kernel kernel --initrd initrd --bootargs "$ARGS"
cp block block.sig && printf '\x55' | dd of=block.sig bs=1 seek=200 conv=notrunc 2>/dev/null
# a file option given again: the later file counts (under ASan: the earlier one is freed)
expect 0 "$ok" "$GZSIGN" verify k.pub block --kernel kernel.bad --kernel kernel --initrd initrd.bad \
	--initrd initrd --bootargs "$ARGS"
expect 1 "gz-sign: signature does not verify" \
	"$GZSIGN" verify k.pub block.sig --kernel kernel --initrd initrd --bootargs "$ARGS"

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
expect 2 "" "$GZSIGN" report k.pub report.hex --pvmfw kernel --kernel kernel --initrd initrd
expect 2 "" "$GZSIGN" report k.pub report.hex --nonce $N --kernel kernel --initrd initrd
expect 2 "" "$GZSIGN" report k.pub report.hex --nonce abc --pvmfw kernel --kernel kernel
expect 2 "" "$GZSIGN" sign k.sec block2 --kernel kernel --nonce $N
expect 1 "gz-sign: not a report (544 hex digits on one line)" \
	"$GZSIGN" report k.pub report.hex --nonce $N --pvmfw kernel --kernel kernel

[ $fail = 0 ] && echo "gz-sign: all cases as expected"
exit $fail
