//go:build linux

package testbed

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// cpuInfo returns the model name and the "cpu MHz" of CPU cpu from
// /proc/cpuinfo (lscpu shows no MHz on this VM).
func cpuInfo(cpu int) (model string, mhz float64, err error) {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "", 0, err
	}
	proc := -1
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		switch k {
		case "processor":
			proc, _ = strconv.Atoi(v)
		case "model name":
			if model == "" {
				model = v
			}
		case "cpu MHz":
			if proc == cpu {
				mhz, _ = strconv.ParseFloat(v, 64)
			}
		}
	}
	if mhz <= 0 {
		return model, 0, fmt.Errorf("/proc/cpuinfo: no 'cpu MHz' for CPU %d", cpu)
	}
	return model, mhz, nil
}

// userHZ is the unit of /proc/stat's times (USER_HZ, 100 on every
// architecture Linux runs this on but alpha).
const userHZ = 100

// unsampledJiffies returns the jiffies of cpus summed in which cpu-clock
// may take no sample: idle and iowait (a halted vCPU) and steal (the host
// ran something else on it).
func unsampledJiffies(cpus []int) (uint64, error) {
	var sum uint64
	for _, c := range cpus {
		busy, total, steal, err := cpuJiffiesSteal(c)
		if err != nil {
			return 0, err
		}
		sum += total - busy + steal
	}
	return sum, nil
}

// cpuJiffiesSteal is cpuJiffies with the CPU's steal jiffies apart.
func cpuJiffiesSteal(cpu int) (busy, total, steal uint64, err error) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0, 0, err
	}
	want := fmt.Sprintf("cpu%d ", cpu)
	for _, line := range strings.Split(string(b), "\n") {
		if !strings.HasPrefix(line, want) {
			continue
		}
		f := strings.Fields(line)[1:]
		if len(f) > 7 {
			steal, _ = strconv.ParseUint(f[7], 10, 64)
		}
		busy, total, err = cpuJiffies(cpu)
		return busy, total, steal, err
	}
	return 0, 0, 0, fmt.Errorf("/proc/stat: no line for CPU %d", cpu)
}

// cpuJiffies returns busy and total jiffies of one CPU from /proc/stat
// (busy = user + nice + system + irq + softirq + steal).
func cpuJiffies(cpu int) (busy, total uint64, err error) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0, err
	}
	want := fmt.Sprintf("cpu%d ", cpu)
	for _, line := range strings.Split(string(b), "\n") {
		if !strings.HasPrefix(line, want) {
			continue
		}
		f := strings.Fields(line)[1:]
		for i, s := range f {
			v, _ := strconv.ParseUint(s, 10, 64)
			if i >= 8 { // guest times are included in user
				break
			}
			total += v
			if i != 3 && i != 4 { // idle, iowait
				busy += v
			}
		}
		return busy, total, nil
	}
	return 0, 0, fmt.Errorf("/proc/stat: no line for CPU %d", cpu)
}

func kernelRelease() string {
	var u unix.Utsname
	if unix.Uname(&u) != nil {
		return "?"
	}
	return unix.ByteSliceToString(u.Release[:])
}

// kernelHZ is the running kernel's CONFIG_HZ, from /proc/config.gz or
// /boot/config-RELEASE; 0 when neither says.
func kernelHZ() int {
	var cfg io.Reader
	if f, err := os.Open("/proc/config.gz"); err == nil {
		defer f.Close()
		if z, err := gzip.NewReader(f); err == nil {
			cfg = z
		}
	}
	if cfg == nil {
		f, err := os.Open("/boot/config-" + kernelRelease())
		if err != nil {
			return 0
		}
		defer f.Close()
		cfg = f
	}
	return configHZ(cfg)
}

func mono() float64 {
	var ts unix.Timespec
	_ = unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts)
	return float64(ts.Sec) + float64(ts.Nsec)/1e9
}

func selfComm() string {
	b, err := os.ReadFile("/proc/self/comm")
	if err != nil {
		return "cnisim"
	}
	return strings.TrimSpace(string(b))
}
