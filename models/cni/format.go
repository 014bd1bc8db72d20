package cni

// The model file format, as decoded. Field tags are the exact key
// spellings; knownKeys below lists them for the strict-key check.

type fileModel struct {
	Name        string     `toml:"name"`
	Description string     `toml:"description"`
	DefaultMode string     `toml:"default_mode"`
	Features    []string   `toml:"features"`
	Intra       []fileStep `toml:"intra"`
	Mode        []fileMode `toml:"mode"`
}

type fileMode struct {
	Name          string   `toml:"name"`
	Description   string   `toml:"description"`
	NetworkModel  string   `toml:"network_model"`
	Encapsulation string   `toml:"encapsulation"`
	Policy        string   `toml:"policy"`
	PolicyEngine  string   `toml:"policy_engine"`
	PolicyEngines []string `toml:"policy_engines"`
	Encryption    string   `toml:"encryption"`
	MTURule       string   `toml:"mtu_rule"`
	OuterDF       bool     `toml:"outer_df"`
	// DeviceOffloads overrides the built-in device capabilities
	// (devices/devices.toml) for this mode: device -> "gso,gro", "gso",
	// "gro" or "none" (a veth with XDP has GRO; a NIC with ESP offload
	// lets ESP carry super-packets).
	DeviceOffloads map[string]string `toml:"device_offloads"`
	Intra          []fileStep        `toml:"intra"`
	Inter          []fileStep        `toml:"inter"`
}

type fileStep struct {
	Stage   string `toml:"stage"`
	Side    string `toml:"side"`
	Context string `toml:"context"`
	Count   *int   `toml:"count"`
	Policy  bool   `toml:"policy"`
	Rules   bool   `toml:"rules"`
	When    string `toml:"when"`
}

var (
	topKeys  = []string{"name", "description", "default_mode", "features", "intra", "mode"}
	modeKeys = []string{"name", "description", "network_model", "encapsulation", "policy",
		"policy_engine", "policy_engines", "encryption", "mtu_rule", "outer_df", "device_offloads", "intra", "inter"}
	stepKeys = []string{"stage", "side", "context", "count", "policy", "rules", "when"}
)

// knownKeys is every valid key path (array indices elided, as in
// toml.MetaData.Keys).
var knownKeys = func() map[string]bool {
	k := map[string]bool{}
	for _, t := range topKeys {
		k[t] = true
	}
	for _, s := range stepKeys {
		k["intra."+s] = true
		k["mode.intra."+s] = true
		k["mode.inter."+s] = true
	}
	for _, m := range modeKeys {
		k["mode."+m] = true
	}
	for _, d := range deviceNames() {
		k["mode.device_offloads."+d] = true
	}
	return k
}()

// allowedAt lists the valid keys at the level of an unknown key, for the
// error message.
func allowedAt(path []string) []string {
	switch {
	case len(path) == 1:
		return topKeys
	case len(path) == 2 && path[0] == "mode":
		return modeKeys
	case len(path) == 3 && path[1] == "device_offloads":
		return deviceNames()
	default:
		return stepKeys
	}
}
