# Boots one test guest with `gzvmm run --backend sim` and compares its console transcript with
# the expected one (tests/sim/expected/); RUNS runs must all match and exit with status 0, or
# with STATUS after gzvmm reported a host access to guest memory the guest did not share.
# Inputs: GZVMM IMAGE CPUS EXPECTED OUT RUNS [EXTRA] [STATUS] [PEER_EXPECTED: the transcript a
# second VM (EXTRA's --peer-vm, console in OUT.peer) must leave] [INPUT: a file given to gzvmm
# as its stdin, for a guest reading its console (EXTRA says --input)]
# Runs are deterministic (gzvmm --deterministic) unless EXTRA has --clock, --threaded or a
# second VM (--peer-vm: the deterministic scheduler runs one VM).
if(NOT EXISTS ${IMAGE})
  message(FATAL_ERROR "guest image ${IMAGE} missing: the el2 sub-build (aarch64-linux-gnu-gcc) builds it")
endif()
file(READ ${EXPECTED} expected)
separate_arguments(extra UNIX_COMMAND "${EXTRA}")
# Deterministic mode (the vCPUs' turns in virtual time) unless the run asks for the wall clock,
# the threaded mode (--threaded, a word of this script's, not gzvmm's) or a second VM.
list(FIND extra --clock _clock)
list(FIND extra --threaded _threaded)
list(FIND extra --peer-vm _peer)
if(_clock EQUAL -1 AND _threaded EQUAL -1 AND _peer EQUAL -1)
  list(APPEND extra --deterministic)
endif()
list(REMOVE_ITEM extra --threaded)
set(_stdin)
if(INPUT)
  set(_stdin INPUT_FILE ${INPUT})
endif()
foreach(run RANGE 1 ${RUNS})
  execute_process(COMMAND ${GZVMM} run --backend sim --kernel ${IMAGE} --cpus ${CPUS}
                          --console file:${OUT}.${run} ${extra}
                  ${_stdin} RESULT_VARIABLE rc ERROR_VARIABLE err TIMEOUT 120)
  if(NOT DEFINED STATUS)
    set(STATUS 0)
  endif()
  if(NOT rc EQUAL STATUS)
    message(FATAL_ERROR "run ${run}: gzvmm exited with ${rc} (want ${STATUS})\n${err}")
  endif()
  if(NOT STATUS EQUAL 0 AND NOT err MATCHES "gzvmm: guest memory at IPA 0x[0-9a-f]+ is not accessible to the host")
    message(FATAL_ERROR "run ${run}: status ${rc} without gzvmm naming the guest address\n${err}")
  endif()
  file(READ ${OUT}.${run} got)
  if(NOT got STREQUAL expected)
    message(FATAL_ERROR "run ${run}: transcript differs from ${EXPECTED}\n--- got ---\n${got}\n--- expected ---\n${expected}")
  endif()
  if(PEER_EXPECTED)
    file(READ ${PEER_EXPECTED} peer_expected)
    file(READ ${OUT}.peer peer_got)
    if(NOT peer_got STREQUAL peer_expected)
      message(FATAL_ERROR "run ${run}: the peer's transcript differs from ${PEER_EXPECTED}\n--- got ---\n${peer_got}\n--- expected ---\n${peer_expected}")
    endif()
  endif()
endforeach()
message(STATUS "transcript matches ${EXPECTED} on ${RUNS} runs")
