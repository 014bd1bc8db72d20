package shard

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/cnisim/cnisim/experiments/run"
)

// FormatName identifies the partial-result file format; a change that old
// readers would misread gets a new number.
const FormatName = "cnisim-partial/1"

// Partial is the raw outcome of one shard of a sweep.
type Partial struct {
	Version        string `json:"cnisim_version"`
	Shard          int    `json:"shard"`
	Shards         int    `json:"shards"`
	ScenarioSHA256 string `json:"scenario_sha256"` // of Scenario
	Scenario       string `json:"scenario"`        // the resolved scenario (scenario.Resolved)
	Units          []Unit `json:"units"`           // in run.Units order
}

// Unit is one replication's raw metrics. JSON writes float64 in the
// shortest form that parses back to the same bits, so a merge aggregates
// exactly the numbers the shard measured.
type Unit struct {
	Point   int                           `json:"point"`
	Rep     int                           `json:"replication"`
	Seed    uint64                        `json:"seed"`
	Scalars map[string]float64            `json:"scalars,omitempty"`
	Dists   map[string][]float64          `json:"dists,omitempty"`
	Groups  map[string]map[string]float64 `json:"groups,omitempty"`
	Series  map[string][]float64          `json:"series,omitempty"` // the timeline's bins
	Flows   map[string][]float64          `json:"flows,omitempty"`  // the flow log's rows
	Ports   *run.PortLog                  `json:"ports,omitempty"`  // the port log's rows
	// the packet captures of [trace] (base64 in JSON) and what they left out
	Pcap        map[int][]byte `json:"pcap,omitempty"`
	PcapSkipped uint64         `json:"pcap_skipped,omitempty"`
}

// ScenarioHash is the hex SHA-256 of a resolved scenario's text.
func ScenarioHash(resolved string) string {
	h := sha256.Sum256([]byte(resolved))
	return hex.EncodeToString(h[:])
}

// New builds the partial of shard s from its unit results.
func New(version, resolved string, s Spec, urs []run.UnitResult) *Partial {
	p := &Partial{Version: version, Shard: s.Index, Shards: s.Count,
		ScenarioSHA256: ScenarioHash(resolved), Scenario: resolved, Units: make([]Unit, len(urs))}
	for i, u := range urs {
		p.Units[i] = Unit{Point: u.Point, Rep: u.Rep, Seed: u.Seed,
			Scalars: u.Sample.Scalars, Dists: u.Sample.Dists, Groups: u.Sample.Groups, Series: u.Sample.Series, Flows: u.Sample.Flows,
			Ports: u.Sample.Ports, Pcap: u.Sample.Pcap, PcapSkipped: u.Sample.PcapSkipped}
	}
	return p
}

// UnitResults converts the units back.
func (p *Partial) UnitResults() []run.UnitResult {
	out := make([]run.UnitResult, len(p.Units))
	for i, u := range p.Units {
		out[i] = run.UnitResult{Unit: run.Unit{Point: u.Point, Rep: u.Rep}, Seed: u.Seed,
			Sample: run.Sample{Scalars: u.Scalars, Dists: u.Dists, Groups: u.Groups, Series: u.Series, Flows: u.Flows, Ports: u.Ports,
				Pcap: u.Pcap, PcapSkipped: u.PcapSkipped}}
	}
	return out
}

// envelope is the file: the payload (a Partial) as it appears in the file
// and the SHA-256 of exactly those bytes, so truncation or an edit shows.
type envelope struct {
	Format        string          `json:"format"`
	PayloadSHA256 string          `json:"payload_sha256"`
	Payload       json.RawMessage `json:"payload"`
}

// Marshal renders p as a partial-result file.
func Marshal(p *Partial) ([]byte, error) {
	payload, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(payload)
	var b bytes.Buffer
	fmt.Fprintf(&b, "{\"format\":%q,\"payload_sha256\":%q,\"payload\":", FormatName, hex.EncodeToString(sum[:]))
	b.Write(payload)
	b.WriteString("}\n")
	return b.Bytes(), nil
}

// ErrCorrupt marks a file that is not a whole, intact partial result.
var ErrCorrupt = errors.New("corrupt or truncated partial result")

// Unmarshal parses and checks a partial-result file: the envelope, the
// payload checksum, the scenario hash, the shard numbers and that every
// unit belongs to the shard, once. Errors wrap ErrCorrupt.
func Unmarshal(data []byte) (*Partial, error) {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: %s", ErrCorrupt, fmt.Sprintf(format, a...))
	}
	var env envelope
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&env); err != nil {
		return nil, bad("%v", err)
	}
	if env.Format != FormatName {
		return nil, bad("format %q, want %q", env.Format, FormatName)
	}
	sum := sha256.Sum256(env.Payload)
	if got := hex.EncodeToString(sum[:]); got != env.PayloadSHA256 {
		return nil, bad("payload checksum %s, the file says %s", got, env.PayloadSHA256)
	}
	var p Partial
	pd := json.NewDecoder(bytes.NewReader(env.Payload))
	pd.DisallowUnknownFields()
	if err := pd.Decode(&p); err != nil {
		return nil, bad("%v", err)
	}
	if got := ScenarioHash(p.Scenario); got != p.ScenarioSHA256 {
		return nil, bad("scenario hash %s, the file says %s", got, p.ScenarioSHA256)
	}
	if _, err := check(Spec{p.Shard, p.Shards}, "shard"); err != nil {
		return nil, bad("%v", err)
	}
	seen := map[run.Unit]bool{}
	for _, u := range p.Units {
		k := run.Unit{Point: u.Point, Rep: u.Rep}
		if u.Point < 0 || u.Rep < 0 || seen[k] {
			return nil, bad("unit (point %d, replication %d) negative or repeated", u.Point, u.Rep)
		}
		seen[k] = true
	}
	return &p, nil
}
