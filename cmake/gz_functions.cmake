# Helpers shared by every folder's CMakeLists.txt.

# gz_unit_test(NAME SOURCES... [LIBS libs...]): a CMocka test executable registered with ctest
# under the label "unit".
function(gz_unit_test name)
  cmake_parse_arguments(T "" "" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE ${T_LIBS} ${CMOCKA_LIBRARIES})
  target_include_directories(${name} PRIVATE ${CMOCKA_INCLUDE_DIRS})
  add_test(NAME ${name} COMMAND ${name})
  set(labels unit ${T_LABELS})
  set_tests_properties(${name} PROPERTIES LABELS "${labels}" TIMEOUT 120
                       ENVIRONMENT "CMOCKA_MESSAGE_OUTPUT=stdout")
endfunction()

# gz_source_libs(SRC DEFAULT... OUT var): a test or fuzz source may name the libraries it
# links with a line "<tag>: lib1 lib2" (tag = test-libs or fuzz-libs) in its header comment;
# otherwise it links DEFAULT. This keeps per-target wiring inside the source file.
function(gz_source_libs src tag out)
  file(STRINGS ${src} lines REGEX "${tag}:" LIMIT_COUNT 1)
  if(lines)
    list(GET lines 0 line)
    string(REGEX REPLACE ".*${tag}:[ \t]*" "" libs "${line}")
    string(REGEX REPLACE "[ \t]*\\*/.*" "" libs "${libs}")
    string(REGEX REPLACE "[ \t]+" ";" libs "${libs}")
    set(${out} ${libs} PARENT_SCOPE)
  else()
    set(${out} ${ARGN} PARENT_SCOPE)
  endif()
endfunction()
