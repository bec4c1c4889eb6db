/*
 * GET_ONE_REG / SET_ONE_REG on a vCPU with KVM's arm64 id encoding (uapi gzvm.h): the CORE
 * registers of struct gzvm_regs that fit 64 bits (X0-X30, SP, PC, PSTATE, SP_EL1, ELR_EL1,
 * SPSR_EL1, FPSR, FPCR), the EL1 system registers of struct gz_cpu_ctx, MPIDR_EL1 and KVM's
 * timer ids. The value travels in one 64-bit hypercall register, so 128-bit V registers are
 * GZ_ERR_NOT_SUPPORTED; the id's size field must match the register's size
 * (GZ_ERR_INVALID_ARGS). PSTATE only accepts AArch64 EL0t/EL1t/EL1h.
 */
#ifndef GZ_ONE_REG_H
#define GZ_ONE_REG_H

#include <arm64/types.h>

struct gz_vcpu;

int gz_one_reg_get(struct gz_vcpu *vcpu, uint64_t id, uint64_t *val);
int gz_one_reg_set(struct gz_vcpu *vcpu, uint64_t id, uint64_t val);

#endif
