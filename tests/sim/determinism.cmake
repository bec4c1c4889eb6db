# A deterministic run (gzvmm --deterministic) is a function of the guest and its inputs: RUNS
# runs of one guest must give the same console, the same statistics (exits per vCPU and
# device, instructions executed) and the same exit trace, compared by their SHA-256 hashes.
# Inputs: GZVMM IMAGE CPUS OUT RUNS [EXTRA]
separate_arguments(extra UNIX_COMMAND "${EXTRA}")
set(first "")
foreach(run RANGE 1 ${RUNS})
  execute_process(COMMAND ${GZVMM} run --backend sim --kernel ${IMAGE} --cpus ${CPUS}
                          --deterministic --stats --console file:${OUT}.${run}.console
                          --trace ${OUT}.${run}.trace ${extra}
                  RESULT_VARIABLE rc ERROR_VARIABLE err TIMEOUT 120)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "run ${run}: gzvmm exited with ${rc}\n${err}")
  endif()
  file(WRITE ${OUT}.${run}.stats "${err}")
  file(SHA256 ${OUT}.${run}.console hc)
  file(SHA256 ${OUT}.${run}.stats hs)
  # The trace without its host times (the cost of each exit in host ns, its last field).
  file(READ ${OUT}.${run}.trace trace)
  string(REGEX REPLACE ",\"host_ns\":[0-9]+}" "}" trace "${trace}")
  string(SHA256 ht "${trace}")
  if(trace STREQUAL "")
    message(FATAL_ERROR "run ${run}: empty trace")
  endif()
  set(h "${hc} ${hs} ${ht}")
  if(run EQUAL 1)
    set(first "${h}")
  elseif(NOT h STREQUAL first)
    message(FATAL_ERROR "run ${run} differs from run 1 (console, statistics, trace): ${h} vs ${first}\n${err}")
  endif()
endforeach()
message(STATUS "${RUNS} runs, one result: ${first}")
