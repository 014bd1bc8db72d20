package perf

import (
	"path"
	"strings"
)

// Idle-loop functions of Linux's idle task (kernel/sched/idle.c, the
// cpuidle drivers and the paravirtual halts).
var idlePatterns = []string{
	"intel_idle*", "cpuidle_enter*", "default_idle*", "do_idle", "poll_idle", "acpi_idle*",
	"*safe_halt*", "mwait_idle*", "arch_cpu_idle*", "cpu_idle_poll", "amd_e400_idle", "cpu_startup_entry",
}

// Interrupt and softirq entry points: work below them on the stack is
// busy time even when it interrupted the idle task.
var irqPatterns = []string{
	"asm_*", "sysvec_*", "__sysvec_*", "common_interrupt", "*_interrupt", "irq_exit*", "__irq_exit*",
	"__do_softirq", "handle_softirqs", "do_softirq*", "net_rx_action", "handle_irq*", "do_IRQ",
}

func matchAny(patterns []string, sym string) bool {
	for _, p := range patterns {
		if ok, _ := path.Match(p, sym); ok {
			return true
		}
	}
	return false
}

// isIdle reports whether a sample is the idle task idling: pid 0 (comm
// swapper; a layout without comm and pid lets the stack alone decide) and,
// walking from the leaf, an idle-loop function comes before any interrupt
// entry or frame a rule attributes. Softirq work that interrupted the idle
// loop (packet receive on an idle core) is busy.
func (m *matcher) isIdle(s *sample, frames []frame) bool {
	known := s.hasPid || s.comm != ""
	if known && !(s.hasPid && s.pid == 0) && !strings.HasPrefix(s.comm, "swapper") {
		return false
	}
	for _, f := range frames {
		v := m.classify(f)
		if v.irq || v.stage >= 0 || v.stage == targetOther {
			return false
		}
		if v.idle {
			return true
		}
	}
	return false
}
