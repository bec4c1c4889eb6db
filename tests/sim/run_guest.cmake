# Runs one test guest through the simulator twice and compares each console transcript with
# the expected one: a difference, a non-zero exit or two runs that differ fail the test.
# Inputs: RUNNER IMAGE CPUS EXPECTED OUT [EXTRA]
if(NOT EXISTS ${IMAGE})
  message(FATAL_ERROR "guest image ${IMAGE} missing: the el2 sub-build (aarch64-linux-gnu-gcc) builds it")
endif()
file(READ ${EXPECTED} expected)
separate_arguments(extra UNIX_COMMAND "${EXTRA}")
foreach(run 1 2)
  execute_process(COMMAND ${RUNNER} --kernel ${IMAGE} --cpus ${CPUS} --out ${OUT}.${run} ${extra}
                  RESULT_VARIABLE rc ERROR_VARIABLE err TIMEOUT 120)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "run ${run}: ${RUNNER} exited with ${rc}\n${err}")
  endif()
  file(READ ${OUT}.${run} got)
  if(NOT got STREQUAL expected)
    message(FATAL_ERROR "run ${run}: transcript differs from ${EXPECTED}\n--- got ---\n${got}\n--- expected ---\n${expected}")
  endif()
endforeach()
message(STATUS "transcript matches ${EXPECTED} on both runs")
