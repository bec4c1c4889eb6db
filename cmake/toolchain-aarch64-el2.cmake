# Cross toolchain for the EL2 hypervisor and the bare-metal guests: Debian's
# aarch64-linux-gnu-gcc used freestanding (no libc, no start files).
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_ASM_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_OBJCOPY aarch64-linux-gnu-objcopy CACHE FILEPATH "objcopy")
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
set(CMAKE_C_FLAGS_INIT "-ffreestanding -fno-builtin -nostdlib -fno-stack-protector -fno-pic -mgeneral-regs-only -mstrict-align -mno-outline-atomics -fno-tree-loop-distribute-patterns -g")
set(CMAKE_ASM_FLAGS_INIT "-ffreestanding -nostdlib")
set(CMAKE_EXE_LINKER_FLAGS_INIT "-nostdlib -nostartfiles -static -Wl,--build-id=none")
