package workload

import (
	"fmt"
	"github.com/cnisim/cnisim/internal/field"

	"github.com/cnisim/cnisim/sim"
)

// Workload kinds served by an application server pod.
const (
	HTTPDownload = "http_download" // curl fetching one file
	HTTPLoad     = "http_load"     // wrk: closed-loop requests over many connections
)

// Measurement semantics of http_download (DESIGN 2, the vendor analysis).
const (
	Curl   = "curl"   // speed_download: body bytes / time since the first connection attempt
	Iperf3 = "iperf3" // body bytes / time since the connection was established
)

// Message sizes and defaults with their provenance.
const (
	// HTTPResponseHeader is an nginx response header, in bytes (derived:
	// the vendor's wrk read 271.07 MiB in 1,214,934 responses = 234 bytes
	// each, less the 1-byte body of message_bytes' default).
	HTTPResponseHeader = 233
	// CurlRequestBytes is curl's GET (assumed: request line, Host,
	// User-Agent and Accept headers of curl 7.x, about 85 bytes).
	CurlRequestBytes = 85
	// WrkRequestBytes is wrk's default request (assumed: "GET /
	// HTTP/1.1" and a Host header, about 40 bytes).
	WrkRequestBytes = 40
	// DefaultClientCyclesPerRequest is wrk's own CPU per request (derived:
	// the vendor's top shows wrk at 282.5% CPU for 40,362.94 requests/s;
	// at an assumed 2.4 GHz that is 2.825 x 2.4e9 / 40363 = 168,000 cycles).
	DefaultClientCyclesPerRequest = 168000
	// ServerChunkBytes is what the server application handles per write
	// (assumed: one 64 KiB write/sendfile call); its CPU cost accrues per
	// chunk, before the chunk enters the socket.
	ServerChunkBytes = 64 << 10
	// DefaultSndBuf is the server socket's send buffer limit (Linux
	// tcp_wmem max 4 MiB, ip-sysctl.rst).
	DefaultSndBuf = 4 << 20
	// DefaultOvertime bounds how long an http_download may run past
	// Duration before it is an error.
	DefaultOvertime = 300 * sim.Second
)

// HTTP configures http_download and http_load. http_load's response body
// is Workload.MessageBytes (default 1: with the header, the vendor's 234
// bytes per response).
type HTTP struct {
	FileBytes   int64  // http_download: the body's size
	Client      string // http_download: curl | iperf3, the semantics of Result.ThroughputMbps
	Threads     int    // http_load: wrk -t, each on its own client core (mod cores per node)
	Connections int    // http_load: wrk -c, spread round-robin over the threads
	// ClientCyclesPerRequest is wrk's own CPU per request on its thread's
	// core; 0 takes DefaultClientCyclesPerRequest.
	ClientCyclesPerRequest float64
	Server                 Server
	SndBuf                 int64    // server socket send buffer; 0 takes DefaultSndBuf
	Overtime               sim.Time // http_download: allowed run past Duration; 0 takes DefaultOvertime
}

// Server is the application server pod (nginx): its worker cores on the
// server's node and its CPU per request and per response byte. The
// kernel's send path of its sockets runs on the same cores.
type Server struct {
	Cores            int
	CyclesPerRequest float64
	CyclesPerByte    float64
}

func (h *HTTP) defaults(kind string) {
	if h.Client == "" {
		h.Client = Curl
	}
	if h.Threads == 0 && kind == HTTPLoad {
		h.Threads = 1
	}
	if h.Connections == 0 && kind == HTTPLoad {
		h.Connections = h.Threads
	}
	if h.ClientCyclesPerRequest == 0 {
		h.ClientCyclesPerRequest = DefaultClientCyclesPerRequest
	}
	if h.Server.Cores == 0 {
		h.Server.Cores = 1
	}
	if h.SndBuf == 0 {
		h.SndBuf = DefaultSndBuf
	}
	if h.Overtime == 0 {
		h.Overtime = DefaultOvertime
	}
}

// validate checks the keys http workloads use.
func (h *HTTP) validate(kind string, coresPerNode int) error {
	switch kind {
	case HTTPDownload:
		if h.FileBytes < 1 {
			return field.Errorf("workload.HTTP.FileBytes", h.FileBytes, "must be >= 1")
		}
		if h.Client != Curl && h.Client != Iperf3 {
			return field.Errorf("workload.HTTP.Client", h.Client, "allowed curl, iperf3")
		}
	case HTTPLoad:
		if h.Threads < 1 {
			return field.Errorf("workload.HTTP.Threads", h.Threads, "must be >= 1")
		}
		if h.Connections < h.Threads || h.Connections > 1_000_000 {
			return field.Errorf("workload.HTTP.Connections", h.Connections, "must be in [Threads (%d), 1000000]", h.Threads)
		}
	default:
		return nil
	}
	s := h.Server
	switch {
	case s.Cores < 1 || s.Cores > coresPerNode:
		return field.Errorf("workload.Server.Cores", s.Cores, "must be in [1, the node's cores (%d)]", coresPerNode)
	case !(s.CyclesPerRequest >= 0):
		return field.Errorf("workload.Server.CyclesPerRequest", s.CyclesPerRequest, "must be >= 0")
	case !(s.CyclesPerByte >= 0):
		return field.Errorf("workload.Server.CyclesPerByte", s.CyclesPerByte, "must be >= 0")
	case !(h.ClientCyclesPerRequest >= 0):
		return fmt.Errorf("workload client cycles per request = %g: must be >= 0", h.ClientCyclesPerRequest)
	case h.SndBuf < 4096:
		return field.Errorf("workload.HTTP.SndBuf", h.SndBuf, "must be >= 4096")
	case h.Overtime < 0:
		return fmt.Errorf("http_download overtime = %v: must be >= 0", h.Overtime)
	}
	return nil
}
