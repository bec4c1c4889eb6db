# Host dependencies: CMocka and libfdt from Debian, Unicorn 2.1 from the project-local venv
# that scripts/deps creates.
find_package(PkgConfig REQUIRED)
pkg_check_modules(CMOCKA REQUIRED cmocka)

find_path(FDT_INCLUDE_DIR libfdt.h)
find_library(FDT_LIBRARY fdt)

file(GLOB _gz_uc_roots ${GZ_ROOT}/.venv/lib/python3*/site-packages/unicorn)
find_path(UNICORN_INCLUDE_DIR unicorn/unicorn.h HINTS ${_gz_uc_roots} PATH_SUFFIXES include
          NO_DEFAULT_PATH)
find_library(UNICORN_LIBRARY NAMES libunicorn.so.2 unicorn HINTS ${_gz_uc_roots}
             PATH_SUFFIXES lib NO_DEFAULT_PATH)
if(UNICORN_INCLUDE_DIR AND UNICORN_LIBRARY)
  set(GZ_HAVE_UNICORN ON)
  message(STATUS "Unicorn: ${UNICORN_LIBRARY}")
else()
  set(GZ_HAVE_UNICORN OFF)
  message(WARNING "Unicorn 2.1 not found in .venv: run scripts/deps (simulator disabled)")
endif()
