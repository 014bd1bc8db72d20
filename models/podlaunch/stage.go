package podlaunch

// Stage is one step of a pod's launch, in pipeline order.
type Stage int

// The stages. Their names (String) are used in parameter files and results.
const (
	APIAdmission   Stage = iota // API server admission and the pod object's etcd write
	Scheduling                  // one scheduling cycle (serial in kube-scheduler)
	KubeletSync                 // bind write, watch delivery, kubelet's syncPod set-up (volumes)
	Sandbox                     // pod sandbox (pause container, network namespace)
	CNIIPAM                     // CNI ADD: IP address allocation
	CNIVeth                     // CNI ADD: veth pair creation, move into the pod namespace, attach
	CNIRoutes                   // CNI ADD: addresses and routes in the pod namespace
	CNIPolicy                   // CNI ADD: policy programming for the new endpoint
	CNILabels                   // CNI ADD: fetch of the pod's labels from the API server
	CNISetupDelay               // the deferred work when Config.SetupDelay overrides policy+labels
	ContainerStart              // application container create and start (image cached)
	StatusUpdate                // PLEG detection and the status write through the API server to etcd
	NumStages
)

var stageNames = [NumStages]string{
	"api_admission", "scheduling", "kubelet_sync", "sandbox",
	"cni_ipam", "cni_veth", "cni_routes", "cni_policy", "cni_labels", "cni_setup_delay",
	"container_start", "status_update",
}

// String returns the stage's canonical name.
func (s Stage) String() string {
	if s < 0 || s >= NumStages {
		return "stage(?)"
	}
	return stageNames[s]
}

// IsCNI reports whether s is part of the CNI ADD call (network set-up).
func (s Stage) IsCNI() bool { return s >= CNIIPAM && s <= CNISetupDelay }

// Deferrable reports whether an asynchronous CNI runs s in the background
// after ADD returns (the vendor analysis: policy and label fetch).
func (s Stage) Deferrable() bool { return s == CNIPolicy || s == CNILabels || s == CNISetupDelay }

// clusterStages are declared by the cluster parameter file, cniStages by
// each plugin's file. CNISetupDelay comes from Config, not from a file.
var (
	clusterStages = []Stage{APIAdmission, Scheduling, KubeletSync, Sandbox, ContainerStart, StatusUpdate}
	cniStages     = []Stage{CNIIPAM, CNIVeth, CNIRoutes, CNIPolicy, CNILabels}
)

// Wait is a queue a pod can wait in; waits complete the breakdown so that
// a pod's launch time is the sum of its critical-path stages and waits.
type Wait int

// The queues.
const (
	WaitAPIQPS        Wait = iota // the creating client's token bucket
	WaitAPIInflight               // the API server's mutating in-flight limit
	WaitScheduler                 // the scheduling queue
	WaitBindQPS                   // the scheduler client's token bucket (bind)
	WaitKubeletWorker             // a free kubelet pod worker on the node
	WaitCNILock                   // the node's CNI lock, for plugins that serialise
	WaitKubeletQPS                // the node's kubelet client token bucket (status)
	NumWaits
)

var waitNames = [NumWaits]string{
	"wait_api_qps", "wait_api_inflight", "wait_scheduler", "wait_bind_qps",
	"wait_kubelet_worker", "wait_cni_lock", "wait_kubelet_qps",
}

// String returns the queue's name as used in breakdowns.
func (w Wait) String() string {
	if w < 0 || w >= NumWaits {
		return "wait(?)"
	}
	return waitNames[w]
}

func stageByName(name string) (Stage, bool) {
	for s := Stage(0); s < NumStages; s++ {
		if stageNames[s] == name {
			return s, true
		}
	}
	return 0, false
}
