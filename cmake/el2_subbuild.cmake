# Drives the cross build (aarch64-linux-gnu, freestanding) from a host build, so one
# configure/build produces the EL2 image and the guest programs that the qemu and sim
# tests use. GZ_EL2_BUILD_DIR is where they land.
include(ExternalProject)
set(GZ_EL2_BUILD_DIR ${CMAKE_BINARY_DIR}/el2)
find_program(GZ_CROSS_GCC aarch64-linux-gnu-gcc)
if(GZ_WITH_EL2 AND GZ_CROSS_GCC)
  ExternalProject_Add(el2
    SOURCE_DIR ${GZ_ROOT}
    BINARY_DIR ${GZ_EL2_BUILD_DIR}
    CMAKE_ARGS -DGZ_EL2=ON -DCMAKE_BUILD_TYPE=Release
               -DCMAKE_TOOLCHAIN_FILE=${GZ_ROOT}/cmake/toolchain-aarch64-el2.cmake
    INSTALL_COMMAND ""
    BUILD_ALWAYS ON
    USES_TERMINAL_BUILD ON)
  set(GZ_HAVE_EL2 ON)
else()
  set(GZ_HAVE_EL2 OFF)
  if(GZ_WITH_EL2)
    message(WARNING "aarch64-linux-gnu-gcc not found: run scripts/deps (EL2 image and guests disabled)")
  endif()
endif()
