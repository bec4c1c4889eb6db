/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gzvm.ko tracepoints: every hypercall (enter/leave) and every vCPU exit, with the exit
 * reason printed by name. Enable with: echo 'geniezone:*' >> /sys/kernel/tracing/set_event
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM geniezone

#if !defined(_GZVM_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _GZVM_TRACE_H

#include <linux/tracepoint.h>

TRACE_EVENT(mtk_hypcall_enter,
	    TP_PROTO(unsigned long id),
	    TP_ARGS(id),
	    TP_STRUCT__entry(__field(unsigned long, id)),
	    TP_fast_assign(__entry->id = id;),
	    TP_printk("id=0x%lx", __entry->id));

TRACE_EVENT(mtk_hypcall_leave,
	    TP_PROTO(unsigned long id, unsigned long invalid),
	    TP_ARGS(id, invalid),
	    TP_STRUCT__entry(__field(unsigned long, id) __field(unsigned long, invalid)),
	    TP_fast_assign(__entry->id = id; __entry->invalid = invalid;),
	    TP_printk("id=0x%lx invalid=%lu", __entry->id, __entry->invalid));

TRACE_EVENT(mtk_vcpu_exit,
	    TP_PROTO(unsigned long exit_reason),
	    TP_ARGS(exit_reason),
	    TP_STRUCT__entry(__field(unsigned long, exit_reason)),
	    TP_fast_assign(__entry->exit_reason = exit_reason;),
	    TP_printk("vcpu exit_reason=%s(0x%lx)",
		      __print_symbolic(__entry->exit_reason,
				       { 0x92920000, "UNKNOWN" }, { 0x92920001, "MMIO" },
				       { 0x92920002, "HYPERCALL" }, { 0x92920003, "IRQ" },
				       { 0x92920004, "EXCEPTION" }, { 0x92920005, "DEBUG" },
				       { 0x92920006, "FAIL_ENTRY" },
				       { 0x92920007, "INTERNAL_ERROR" },
				       { 0x92920008, "SYSTEM_EVENT" }, { 0x92920009, "SHUTDOWN" },
				       { 0x9292000a, "GZ" }, { 0x9292000b, "IDLE" },
				       { 0x9292000d, "IPI" }),
		      __entry->exit_reason));

#endif /* _GZVM_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE gzvm_trace

#include <trace/define_trace.h>
