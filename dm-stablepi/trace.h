/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dm-stablepi tracepoint: stablepi:violation, one per changed interval.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM stablepi

#if !defined(_TRACE_STABLEPI_H) || defined(TRACE_HEADER_MULTI_READ)
#define _TRACE_STABLEPI_H

#include <linux/tracepoint.h>

/* So that trace-cmd and perf can print the names of the checks. */
TRACE_DEFINE_ENUM(STPI_AT_DISPATCH);
TRACE_DEFINE_ENUM(STPI_AT_COMPLETION);

TRACE_EVENT(violation,
	    TP_PROTO(const char *dev, const struct stpi_violation *v),
	    TP_ARGS(dev, v),
	    TP_STRUCT__entry(__string(dev, dev)
			     __field(sector_t, sector)
			     __field(unsigned int, interval)
			     __field(u16, guard_submit)
			     __field(u16, guard_found)
			     __field(int, where)
			     __field(bool, file)
			     __field(dev_t, s_dev)
			     __field(unsigned long, ino)
			     __field(loff_t, offset)
			     __field(pid_t, pid)
			     __array(char, comm, TASK_COMM_LEN)),
	    TP_fast_assign(__assign_str(dev, dev);
			   __entry->sector = v->sector;
			   __entry->interval = v->interval;
			   __entry->guard_submit = v->guard_submit;
			   __entry->guard_found = v->guard_found;
			   __entry->where = v->where;
			   __entry->file = v->file;
			   __entry->s_dev = v->s_dev;
			   __entry->ino = v->ino;
			   __entry->offset = v->offset;
			   __entry->pid = v->pid;
			   memcpy(__entry->comm, v->comm, TASK_COMM_LEN);),
	    TP_printk("%s sector=%llu interval=%u guard=%04x/%04x at=%s owner=%s dev=%u:%u ino=%lu offset=%lld pid=%d comm=%s",
		      __get_str(dev), (unsigned long long)__entry->sector,
		      __entry->interval, __entry->guard_submit,
		      __entry->guard_found,
		      __print_symbolic(__entry->where,
				       { STPI_AT_DISPATCH, "dispatch" },
				       { STPI_AT_COMPLETION, "completion" }),
		      __entry->file ? "file" : "anon",
		      MAJOR(__entry->s_dev), MINOR(__entry->s_dev),
		      __entry->ino, __entry->offset, __entry->pid,
		      __entry->comm)
);

#endif /* _TRACE_STABLEPI_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
