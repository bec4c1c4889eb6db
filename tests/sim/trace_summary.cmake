# Exit traces: a deterministic run of the ipi guest traced in full and with --trace-max 8K
# (cut, with its last line saying so); scripts/trace-summary reads both, counts every exit,
# names the reasons, handlers and the PL011 the guest writes to, and draws a well-formed SVG.
# Inputs: GZVMM IMAGE OUT SCRIPT
foreach(kind full cut)
  set(max)
  if(kind STREQUAL cut)
    set(max --trace-max 8K)
  endif()
  execute_process(COMMAND ${GZVMM} run --backend sim --kernel ${IMAGE} --cpus 4 --deterministic
                          --console file:${OUT}.console --trace ${OUT}.${kind} ${max}
                  RESULT_VARIABLE rc ERROR_VARIABLE err TIMEOUT 120)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${kind} run: gzvmm exited with ${rc}\n${err}")
  endif()
  file(SIZE ${OUT}.${kind} size)
  file(STRINGS ${OUT}.${kind} lines)
  list(LENGTH lines n)
  list(GET lines -1 lastline)
  execute_process(COMMAND python3 ${SCRIPT} ${OUT}.${kind} --svg ${OUT}.${kind}.svg --no-matplotlib
                  RESULT_VARIABLE rc OUTPUT_VARIABLE sum ERROR_VARIABLE err TIMEOUT 60)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "trace-summary on the ${kind} trace: ${rc}\n${err}")
  endif()
  if(kind STREQUAL cut)
    math(EXPR exits "${n} - 1")
    if(size GREATER 8192 OR NOT lastline STREQUAL "{\"truncated\":true}" OR
       NOT sum MATCHES "^${exits} exits over [0-9]+ guest instructions .* \\(trace cut at --trace-max\\)")
      message(FATAL_ERROR "cut trace: ${size} bytes, last line ${lastline}\n${sum}")
    endif()
  else()
    foreach(want "^${n} exits over [0-9]+ guest instructions \\(0\\.\\.[0-9]+\\), 4 vCPUs\n"
                 "\nby reason:\n  dabt " "\nby handler:\n" "\n  vmm +[0-9]+" "\n  core +[0-9]+"
                 "\nby device \\(exits gzvmm served\\):\n  pl011 " "\n  vcpu3: +[0-9]+"
                 "\nover time \\(40 buckets")
      if(NOT sum MATCHES "${want}")
        message(FATAL_ERROR "full trace summary lacks '${want}':\n${sum}")
      endif()
    endforeach()
  endif()
  execute_process(COMMAND python3 -c "import sys, xml.etree.ElementTree as E; r = E.parse(sys.argv[1]).getroot(); sys.exit(0 if r.tag.endswith('svg') and len(r) > 10 else 1)" ${OUT}.${kind}.svg
                  RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${kind}: the picture is not a well-formed SVG")
  endif()
endforeach()
message(STATUS "traces summarised:\n${sum}")
