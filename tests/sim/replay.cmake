# Record and replay: the echo guest (two vCPUs: one echoes console lines, one prints ticks)
# gets its input through a pipe, in pieces at moments only the host decides; --record keeps
# them, --replay gives the same console and statistics (exits, instructions) without stdin.
# A recording whose instruction counts were altered is a run that went another way: one line
# and status 1. Inputs: GZVMM IMAGE OUT
set(run ${GZVMM} run --backend sim --kernel ${IMAGE} --cpus 2 --input pl011 --stats)
execute_process(COMMAND sh -c "(sleep 0.2; printf 'hello there\\n'; sleep 0.3; printf 'second line\\nq\\n') | \"$0\" \"$@\""
                        ${run} --console file:${OUT}.rec.console --record ${OUT}.rec
                RESULT_VARIABLE rc ERROR_VARIABLE err1 TIMEOUT 120)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "recorded run: gzvmm exited with ${rc}\n${err1}")
endif()
file(READ ${OUT}.rec.console got)
foreach(line "echo: hello there" "echo: second line" "echo: bye")
  string(FIND "${got}" "${line}\n" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "recorded run: no '${line}' in its console:\n${got}")
  endif()
endforeach()
file(STRINGS ${OUT}.rec inputs REGEX "^input ")
if(NOT inputs)
  message(FATAL_ERROR "the recording holds no input")
endif()
execute_process(COMMAND ${run} --console file:${OUT}.play.console --replay ${OUT}.rec
                INPUT_FILE /dev/null RESULT_VARIABLE rc ERROR_VARIABLE err2 TIMEOUT 120)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "replay: gzvmm exited with ${rc}\n${err2}")
endif()
file(READ ${OUT}.play.console again)
if(NOT again STREQUAL got OR NOT err2 STREQUAL err1)
  message(FATAL_ERROR "the replay differs\n--- recorded ---\n${got}${err1}\n--- replayed ---\n${again}${err2}")
endif()
# The same recording with its last input a few instructions off.
file(READ ${OUT}.rec rec)
string(REGEX REPLACE "(input [0-9]+ )([0-9]+)( [0-9a-f]+\n)$" "\\11\\2\\3" bad "${rec}")
file(WRITE ${OUT}.bad "${bad}")
execute_process(COMMAND ${run} --console file:${OUT}.bad.console --replay ${OUT}.bad
                INPUT_FILE /dev/null RESULT_VARIABLE rc ERROR_VARIABLE err3 TIMEOUT 120)
if(NOT rc EQUAL 1 OR NOT err3 MATCHES "^gzvmm: replay: the run went another way than the recording \\(scheduling point [0-9]+ at [0-9]+ instructions, recorded [0-9]+ at 1[0-9]+\\)\n")
  message(FATAL_ERROR "altered recording: status ${rc}\n${err3}")
endif()
message(STATUS "recorded with ${inputs}; the replay gives the same console and statistics")
