# virtio round trips from a guest: a disk whose sector 0 holds a known string, a line on
# stdin for the virtio-console, then gzvmm --backend sim boots guests/virtio.c. The console
# transcript must equal expected/virtio.txt, and the disk file must hold what the guest wrote
# to sector 1. Inputs: GZVMM IMAGE EXPECTED WORK
file(MAKE_DIRECTORY ${WORK})
string(REPEAT "." 496 pad)
file(WRITE ${WORK}/disk.img "opengz disk, sector zero${pad}")
file(READ ${WORK}/disk.img d0)
string(REPEAT "${d0}" 7 rest)
file(APPEND ${WORK}/disk.img "${rest}")
file(WRITE ${WORK}/input.txt "typed on stdin")
execute_process(COMMAND ${GZVMM} run --backend sim --kernel ${IMAGE} --disk ${WORK}/disk.img
                        --console file:${WORK}/out.txt --input virtio --stats
                INPUT_FILE ${WORK}/input.txt RESULT_VARIABLE rc ERROR_VARIABLE err TIMEOUT 200)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "gzvmm exited with ${rc}\n${err}")
endif()
file(READ ${WORK}/out.txt got)
file(READ ${EXPECTED} expected)
if(NOT got STREQUAL expected)
  message(FATAL_ERROR "transcript differs from ${EXPECTED}\n--- got ---\n${got}\n--- expected ---\n${expected}\n${err}")
endif()
file(READ ${WORK}/disk.img s1 OFFSET 512 LIMIT 20)
if(NOT s1 STREQUAL "written by the guest")
  message(FATAL_ERROR "disk sector 1 holds '${s1}'")
endif()
message(STATUS "virtio round trips match; gzvmm:\n${err}")
