package testbed

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/cnisim/cnisim/calibration"
)

// The AEAD benchmark measures what encryption costs per packet and per
// byte on this CPU when the kernel cannot be asked: this VM's kernel has
// neither IPsec ESP nor AF_ALG's AEAD interface nor WireGuard (the esp
// configuration is skipped, topo_esp_linux.go), so the ciphers the CNI
// plugins use are timed in user space, on one pinned thread, in thread CPU
// time (CLOCK_THREAD_CPUTIME_ID), at several message sizes; a line through
// the medians separates the per-call and the per-byte cycles.

// AEADFile is the benchmark's measurement file in its directory.
const AEADFile = "aead.json"

// AEADAlg is one cipher the benchmark times and the profile entry it
// informs.
type AEADAlg struct {
	Name string // as in aead.json
	// What the measured code is and where the plugin runs the same AEAD.
	Impl, UsedBy string
	// Plugin and Mode of the profile entry (paper.toml's keys).
	Plugin, Mode string
	// Measured: the plugin runs this very code (Weave sleeve's Go
	// router); else the kernel runs its own implementation of the same
	// AEAD and only the per-byte cost is transferred (derived).
	Measured bool
}

// AEADAlgs are the benchmark's ciphers, in the order of aead.json.
var AEADAlgs = []AEADAlg{
	{Name: "aes-128-gcm", Impl: "Go crypto/aes + crypto/cipher GCM (AES-NI and PCLMULQDQ assembly), 12-byte nonce, 8-byte associated data (ESP's SPI and sequence number), 16-byte tag",
		UsedBy: "IPsec ESP rfc4106(gcm(aes)) with a 128-bit key (Weave fastdp encryption; Cilium IPsec); the kernel's aesni/VAES GCM is another implementation of the same AEAD"},
	{Name: "chacha20-poly1305", Impl: "golang.org/x/crypto/chacha20poly1305 v0.54.0 (AVX2 assembly), 12-byte nonce, no associated data",
		UsedBy: "WireGuard's data packets (Cilium encryption); the kernel's chacha20poly1305 library is another implementation of the same AEAD", Plugin: "cilium"},
	{Name: "xsalsa20-poly1305", Impl: "golang.org/x/crypto/nacl/secretbox v0.54.0, sealed into a buffer and opened into a new slice per packet as Weave's router does (router/crypto.go: NaClEncryptor.Bytes, NaClDecryptor.decrypt)",
		UsedBy: "Weave sleeve's NaCl encryption in the Go router", Plugin: "weave", Mode: "sleeve", Measured: true},
}

// AEADOps are the two directions: the sender's node seals, the receiver's
// opens; the model's encrypt stage is crossed once on each node.
var AEADOps = []string{"seal", "open"}

// AEADWindow is one timed loop.
type AEADWindow struct {
	Calls  int64 `json:"calls"`
	CPUNS  int64 `json:"thread_cpu_ns"` // CLOCK_THREAD_CPUTIME_ID over the loop
	WallNS int64 `json:"wall_ns"`       // CLOCK_MONOTONIC over the loop (cpu/wall < 1: preempted)
}

// AEADCase is one cipher, direction and message size with its windows.
type AEADCase struct {
	Alg     string       `json:"alg"`
	Op      string       `json:"op"`
	Size    int          `json:"size"` // plaintext bytes per call
	Windows []AEADWindow `json:"windows"`
}

// AEADRun is aead.json: the machine and every case's windows.
type AEADRun struct {
	Command    string     `json:"command"`
	Date       string     `json:"date"`
	Kernel     string     `json:"kernel"`
	CPUModel   string     `json:"cpu_model"`
	CPUGHz     float64    `json:"cpu_ghz"`
	GHzFrom    string     `json:"ghz_from"`
	CPU        int        `json:"cpu"`
	GoVersion  string     `json:"go_version"`
	Loadavg    string     `json:"loadavg"`     // /proc/loadavg at the start
	LoadavgEnd string     `json:"loadavg_end"` // and at the end
	Cases      []AEADCase `json:"cases"`
}

// CyclesPerCall is the case's median window's cycles per call (thread CPU
// time at the run's clock) and the windows' interquartile range over the
// median (max - min would report the one window a busy machine's
// preemption stretched; the median ignores it too).
func (c AEADCase) CyclesPerCall(ghz float64) (median, iqr float64) {
	v := make([]float64, len(c.Windows))
	for i, w := range c.Windows {
		v[i] = float64(w.CPUNS) * ghz / float64(w.Calls)
	}
	slices.Sort(v)
	n := len(v)
	median = v[n/2]
	if n%2 == 0 {
		median = (v[n/2-1] + v[n/2]) / 2
	}
	q := func(f float64) float64 { return v[int(math.Round(f*float64(n-1)))] }
	return median, (q(0.75) - q(0.25)) / median
}

// AEADFit is the line cycles per call = Cycles + CyclesPerByte x size
// through one cipher and direction's medians, with the largest relative
// residual. The line minimises the squared relative residuals (weights
// 1/median^2): an unweighted fit lets the jumbo size decide the line and
// misses the ACK-sized call by more than the windows spread, while the
// model charges both.
type AEADFit struct {
	Alg, Op               string
	Cycles, CyclesPerByte float64
	MaxResidual           float64 // max |fit - median| / median over the sizes
	Sizes                 []int
	Medians, IQRs         []float64
}

// Fits returns every cipher and direction's line, in AEADAlgs and AEADOps
// order; a cipher or direction with fewer than two sizes is an error.
func (r *AEADRun) Fits() ([]AEADFit, error) {
	var out []AEADFit
	for _, a := range AEADAlgs {
		for _, op := range AEADOps {
			f := AEADFit{Alg: a.Name, Op: op}
			for _, c := range r.Cases {
				if c.Alg == a.Name && c.Op == op {
					m, s := c.CyclesPerCall(r.CPUGHz)
					f.Sizes, f.Medians, f.IQRs = append(f.Sizes, c.Size), append(f.Medians, m), append(f.IQRs, s)
				}
			}
			xs := make([]float64, len(f.Sizes))
			for i, s := range f.Sizes {
				xs[i] = float64(s)
			}
			if len(slices.Compact(slices.Sorted(slices.Values(f.Sizes)))) < 2 {
				return nil, fmt.Errorf("%s %s: %d message sizes measured, want two or more to separate per-call and per-byte cycles", a.Name, op, len(f.Sizes))
			}
			f.Cycles, f.CyclesPerByte = relLineFit(xs, f.Medians)
			for i, x := range xs {
				f.MaxResidual = math.Max(f.MaxResidual, math.Abs(f.Cycles+f.CyclesPerByte*x-f.Medians[i])/f.Medians[i])
			}
			out = append(out, f)
		}
	}
	return out, nil
}

// check validates a loaded run.
func (r *AEADRun) check() error {
	if !(r.CPUGHz > 0) {
		return fmt.Errorf("cpu_ghz must be > 0, got %v", r.CPUGHz)
	}
	for i, c := range r.Cases {
		if !slices.ContainsFunc(AEADAlgs, func(a AEADAlg) bool { return a.Name == c.Alg }) || !slices.Contains(AEADOps, c.Op) {
			return fmt.Errorf("cases[%d]: unknown alg %q or op %q", i, c.Alg, c.Op)
		}
		if c.Size <= 0 || len(c.Windows) == 0 {
			return fmt.Errorf("cases[%d] (%s %s): size must be > 0 and windows non-empty", i, c.Alg, c.Op)
		}
		for j, w := range c.Windows {
			if w.Calls <= 0 || w.CPUNS <= 0 || w.WallNS <= 0 {
				return fmt.Errorf("cases[%d].windows[%d] (%s %s %d B): calls, thread_cpu_ns and wall_ns must be > 0", i, j, c.Alg, c.Op, c.Size)
			}
		}
	}
	return nil
}

// LoadAEAD reads dir/aead.json.
func LoadAEAD(dir string) (*AEADRun, error) {
	p := filepath.Join(dir, AEADFile)
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	var r AEADRun
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	if err := r.check(); err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	return &r, nil
}

// Save writes dir/aead.json whole or not at all.
func (r *AEADRun) Save(dir string) error {
	b, err := json.MarshalIndent(r, "", " ")
	if err != nil {
		return err
	}
	return writeWhole(filepath.Join(dir, AEADFile), append(b, '\n'))
}

// paperPacketCycles is paper.toml's assumed per-packet cycles of the ESP
// and WireGuard entries ("xfrm state lookup and ESP framing", "peer lookup
// and framing"): the kernel's work around the cipher, which no user-space
// benchmark measures. The layer adds it to the AEAD's measured per-call
// cycles.
const paperPacketCycles = 400

// AEADLayer is a calibration layer of encrypt entries from the run, meant
// to go over "paper": per crossing (each packet is sealed on one node and
// opened on the other) the mean of the seal and open lines. The per-byte
// cycles are per plaintext byte, charged by the model per IP byte of the
// packet (the tunnel headers ESP also encrypts, ~50 bytes, add under 1% at
// 1400-byte packets). Scaling is "clock": the ciphers run from registers
// and L1 on packet-sized buffers, so their cycles per byte do not move
// with the clock. ghz is the layer's cpu_ghz (the base's clock, so that
// layering changes no ns-stated cost of the base; 0: the run's), which
// the cycles, at clock scaling, do not depend on.
func AEADLayer(r *AEADRun, name string, ghz float64) (*calibration.Profile, error) {
	fits, err := r.Fits()
	if err != nil {
		return nil, err
	}
	if ghz == 0 {
		ghz = r.CPUGHz
	}
	prov := fmt.Sprintf("command %q, %s, kernel %s, CPU %q at %.3f GHz (%s), CPU %d, %s, load average %s at the start and %s at the end",
		r.Command, r.Date, r.Kernel, r.CPUModel, r.CPUGHz, r.GHzFrom, r.CPU, r.GoVersion, r.Loadavg, r.LoadavgEnd)
	p := &calibration.Profile{Name: name, GHz: ghz, PerByteScaling: calibration.ScaleClock,
		Description: "encrypt costs from cnisim testbed aead (user-space AEADs timed in thread CPU time on this machine; the kernel has no ESP, AF_ALG AEAD or WireGuard); layer over paper"}
	for i, a := range AEADAlgs {
		s, o := fits[2*i], fits[2*i+1]
		cyc, cpb := (s.Cycles+o.Cycles)/2, (s.CyclesPerByte+o.CyclesPerByte)/2
		lines := fmt.Sprintf("seal %.4g + %.4g x bytes cycles per call (sizes %v, medians %s, max residual %.1f%%), open %.4g + %.4g x bytes (medians %s, max residual %.1f%%); per crossing the mean: %.4g + %.4g x bytes",
			s.Cycles, s.CyclesPerByte, s.Sizes, fmtList(s.Medians, s.IQRs), 100*s.MaxResidual,
			o.Cycles, o.CyclesPerByte, fmtList(o.Medians, o.IQRs), 100*o.MaxResidual, cyc, cpb)
		e := calibration.Entry{Stage: "encrypt", Plugin: a.Plugin, Mode: a.Mode, CyclesPerByte: round4(cpb)}
		if a.Measured {
			e.Cycles, e.Provenance = round4(cyc), calibration.Measured
			e.Source = fmt.Sprintf("cnisim testbed aead: %s (the code of %s), one pinned thread, median of each size's windows in thread CPU time x the clock; least-squares line over the sizes: %s; %s", a.Impl, a.UsedBy, lines, prov)
		} else {
			e.Cycles, e.Provenance = round4(cyc+paperPacketCycles), calibration.Derived
			e.Source = fmt.Sprintf("the AEAD measured, the rest of the packet's work assumed: %s for %s, timed by cnisim testbed aead (one pinned thread, median of each size's windows in thread CPU time x the clock; least-squares line over the sizes: %s); cycles = the AEAD's per-call %.4g + paper.toml's assumed %d of lookup and framing per packet (not measurable here); the kernel runs its own implementation of the AEAD and this kernel has none to time (no ESP, AF_ALG AEAD or WireGuard built in), so this transfers the CPU's cost of the AEAD, not the kernel's code; %s",
				a.Impl, a.UsedBy, lines, cyc, paperPacketCycles, prov)
		}
		p.Costs = append(p.Costs, e)
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return p, nil
}

// relLineFit is the line a + b x minimising sum ((a + b x_i - y_i) / y_i)^2
// (weighted least squares, weights 1/y_i^2; y_i > 0).
func relLineFit(xs, ys []float64) (a, b float64) {
	var sw, sx, sy, sxx, sxy float64
	for i := range xs {
		w := 1 / (ys[i] * ys[i])
		sw += w
		sx += w * xs[i]
		sy += w * ys[i]
		sxx += w * xs[i] * xs[i]
		sxy += w * xs[i] * ys[i]
	}
	den := sw*sxx - sx*sx
	b = (sw*sxy - sx*sy) / den
	return (sy - b*sx) / sw, b
}

// round4 keeps 4 significant digits: the windows spread more than that.
func round4(v float64) float64 {
	if v == 0 {
		return 0
	}
	e := math.Pow(10, 3-math.Floor(math.Log10(math.Abs(v))))
	return math.Round(v*e) / e
}

func fmtList(m, s []float64) string {
	parts := make([]string, len(m))
	for i := range m {
		parts[i] = fmt.Sprintf("%.4g (IQR %.0f%%)", m[i], 100*s[i])
	}
	return "[" + strings.Join(parts, ", ") + "]"
}
