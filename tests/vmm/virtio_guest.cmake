# virtio round trips from a guest: a disk whose sector 0 holds a known string, a line on
# stdin for the virtio-console, then gzvmm --backend sim boots guests/virtio.c. The console
# transcript must equal expected/virtio.txt, and the disk file must hold what the guest wrote
# to sector 1. Twice: with the virtio-mmio identification registers and the PL011's flag
# register answered by the hypervisor (the default) and with --no-mmio-const (every read
# reaches gzvmm): the same transcript, and the default run spares at least the guest's 1,000
# DeviceID reads in MMIO exits, and the PL011 sees none of the flag reads the guest makes
# before each byte it prints. Inputs: GZVMM IMAGE EXPECTED WORK
file(MAKE_DIRECTORY ${WORK})
file(READ ${EXPECTED} expected)

function(virtio_run tag out_mmio out_const out_uart_reads out_tx)
  string(REPEAT "." 496 pad)
  file(WRITE ${WORK}/disk.img "opengz disk, sector zero${pad}")
  file(READ ${WORK}/disk.img d0)
  string(REPEAT "${d0}" 7 rest)
  file(APPEND ${WORK}/disk.img "${rest}")
  file(WRITE ${WORK}/input.txt "typed on stdin")
  execute_process(COMMAND ${GZVMM} run --backend sim --kernel ${IMAGE} --disk ${WORK}/disk.img
                          --console file:${WORK}/out-${tag}.txt --input virtio --stats ${ARGN}
                  INPUT_FILE ${WORK}/input.txt RESULT_VARIABLE rc ERROR_VARIABLE err TIMEOUT 200)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "gzvmm (${tag}) exited with ${rc}\n${err}")
  endif()
  file(READ ${WORK}/out-${tag}.txt got)
  if(NOT got STREQUAL expected)
    message(FATAL_ERROR "transcript (${tag}) differs from ${EXPECTED}\n--- got ---\n${got}\n--- expected ---\n${expected}\n${err}")
  endif()
  file(READ ${WORK}/disk.img s1 OFFSET 512 LIMIT 20)
  if(NOT s1 STREQUAL "written by the guest")
    message(FATAL_ERROR "disk sector 1 holds '${s1}' (${tag})")
  endif()
  if(NOT err MATCHES "exits:[^\n]* mmio=([0-9]+)")
    message(FATAL_ERROR "no MMIO exit count in gzvmm's stats (${tag}):\n${err}")
  endif()
  set(${out_mmio} ${CMAKE_MATCH_1} PARENT_SCOPE)
  if(NOT err MATCHES "mmio constants: ([0-9]+) registers")
    message(FATAL_ERROR "no mmio constants line in gzvmm's stats (${tag}):\n${err}")
  endif()
  set(${out_const} ${CMAKE_MATCH_1} PARENT_SCOPE)
  if(NOT err MATCHES "pl011@9000000: reads=([0-9]+) writes=[0-9]+ tx_bytes=([0-9]+)")
    message(FATAL_ERROR "no PL011 line in gzvmm's stats (${tag}):\n${err}")
  endif()
  set(${out_uart_reads} ${CMAKE_MATCH_1} PARENT_SCOPE)
  set(${out_tx} ${CMAKE_MATCH_2} PARENT_SCOPE)
  message(STATUS "virtio round trips match (${tag}); gzvmm:\n${err}")
endfunction()

virtio_run(const mmio_const nconst uart_const tx_const)
virtio_run(noconst mmio_all nconst_off uart_all tx_all --no-mmio-const)
# 32 transports x MagicValue, Version, DeviceID, VendorID, and the PL011's flag register
if(NOT nconst EQUAL 129 OR NOT nconst_off EQUAL 0)
  message(FATAL_ERROR "registers declared constant: ${nconst} (want 129), with --no-mmio-const ${nconst_off} (want 0)")
endif()
# the guest reads the flag register before each byte it prints, and nothing else of the UART
if(NOT uart_const EQUAL 0 OR uart_all LESS tx_all OR tx_all LESS 100)
  message(FATAL_ERROR "PL011 reads in gzvmm: ${uart_const} with the constants (want 0), ${uart_all} without for ${tx_all} bytes printed")
endif()
math(EXPR spared "${mmio_all} - ${mmio_const}")
if(spared LESS 1000)
  message(FATAL_ERROR "MMIO exits ${mmio_const} with the constants, ${mmio_all} without: the hypervisor answered ${spared} reads (want >= 1000)")
endif()
message(STATUS "MMIO exits to gzvmm: ${mmio_all} -> ${mmio_const} (${spared} reads answered by the hypervisor)")
