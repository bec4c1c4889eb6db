# End to end through the simulator: test guests booted by `gzvmm run --backend sim` (ELF
# images from the el2 sub-build), transcripts compared with tests/sim/expected/. Labels
# "sim" and "vmm". Only guests whose transcript gzvmm reproduces today are listed; see
# docs/vmm.md for the others.
if(NOT GZ_VMM_HAVE_SIM OR NOT GZ_HAVE_EL2)
  return()
endif()
set(_guests ${GZ_EL2_BUILD_DIR}/tests/guests)
set(_expected ${GZ_ROOT}/tests/sim/expected)

# vmm_sim_guest(GUEST CPUS [EXTRA args]): expected/<guest>[-<cpus>].txt, or
# expected/${VMM_SIM_EXPECTED}.txt when that variable is set
function(vmm_sim_guest guest cpus)
  set(name vmm_sim_${guest})
  set(exp ${_expected}/${guest}.txt)
  if(NOT cpus EQUAL 1)
    set(name vmm_sim_${guest}_${cpus}cpus)
    set(exp ${_expected}/${guest}-${cpus}.txt)
  endif()
  if(VMM_SIM_EXPECTED)
    set(exp ${_expected}/${VMM_SIM_EXPECTED}.txt)
  endif()
  add_test(NAME ${name}
           COMMAND ${CMAKE_COMMAND} -DGZVMM=$<TARGET_FILE:gzvmm> -DIMAGE=${_guests}/${guest}.elf
                   -DCPUS=${cpus} -DEXPECTED=${exp} -DOUT=${CMAKE_CURRENT_BINARY_DIR}/${name}.out
                   -DRUNS=3 "-DEXTRA=${ARGN}" -P ${CMAKE_CURRENT_SOURCE_DIR}/run_guest.cmake)
  set_tests_properties(${name} PROPERTIES LABELS "sim;vmm" TIMEOUT 400
                       ENVIRONMENT "LSAN_OPTIONS=suppressions=${CMAKE_CURRENT_SOURCE_DIR}/lsan.supp")
endfunction()

vmm_sim_guest(hello 1)
vmm_sim_guest(mmio 1 --testdev)
vmm_sim_guest(ipi 4)
vmm_sim_guest(smp 4)
vmm_sim_guest(timer 1)
vmm_sim_guest(ipi 8)
vmm_sim_guest(smp 8)
vmm_sim_guest(fault 1)
vmm_sim_guest(attack 2)
vmm_sim_guest(el0 1)
# A VMM sees an MMIO exit's IPA only, never the guest's VA: the transcript of the MMU guest
# through a VMM is mmu-core.txt (FAR_EL1 = the IPA), as under gzsim-run --platform core.
set(VMM_SIM_EXPECTED mmu-core)
vmm_sim_guest(mmu 1)
unset(VMM_SIM_EXPECTED)
