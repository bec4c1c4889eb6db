#!/bin/bash -eu
# ClusterFuzzLite / OSS-Fuzz build: the infrastructure provides $CC, $CFLAGS,
# $LIB_FUZZING_ENGINE, $SRC and $OUT; every fuzz/fuzz_*.c becomes $OUT/<target> with its seed
# corpus and dictionary beside it.
src=${SRC}/opengz
[ -d "$src" ] || src=$(cd "$(dirname "$0")/.." && pwd)
build=${WORK:-/tmp}/opengz-fuzz-build
cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	-DCMAKE_C_COMPILER="$CC" -DCMAKE_C_FLAGS="$CFLAGS" \
	-DGZ_FUZZ=ON -DGZ_FUZZ_EXTERNAL_FLAGS=ON -DGZ_WITH_EL2=OFF \
	-DGZ_FUZZ_ENGINE_LINK="$LIB_FUZZING_ENGINE"
cmake --build "$build"
for src_file in "$src"/fuzz/fuzz_*.c; do
	name=$(basename "$src_file" .c)
	[ -x "$build/fuzz/$name" ] || continue
	cp "$build/fuzz/$name" "$OUT/"
	if [ -n "$(ls -A "$src/fuzz/corpus/$name" 2>/dev/null)" ]; then
		(cd "$src/fuzz/corpus/$name" && zip -qr "$OUT/${name}_seed_corpus.zip" .)
	fi
	[ -f "$src/fuzz/dict/$name.dict" ] && cp "$src/fuzz/dict/$name.dict" "$OUT/$name.dict"
done
