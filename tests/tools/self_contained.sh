#!/usr/bin/env bash
# self_contained.sh NM ARCHIVE PREFIX: every symbol the archive's objects leave undefined
# carries PREFIX (is defined by another object of the archive): the library calls nothing
# outside itself.
set -u
nm=$1 archive=$2 prefix=$3
[ -f "$archive" ] || { echo "FAIL: no $archive"; exit 1; }
outside=$("$nm" -u "$archive" | awk 'NF == 2 && $1 == "U" { print $2 }' | grep -v "^$prefix" | sort -u | tr "\n" " ")
if [ -n "$outside" ]; then
	echo "FAIL: $archive needs symbols from outside: $outside"
	exit 1
fi
echo "$archive: self-contained ($("$nm" -u "$archive" | awk 'NF == 2' | sort -u | wc -l) internal references)"
