package podlaunch

// opKind is one instruction of the launch program every pod runs.
type opKind uint8

const (
	opBucket       opKind = iota // wait for a token (which: bucket id)
	opAcquire                    // acquire a resource (which: resource id), FIFO
	opRelease                    // release a resource
	opStage                      // spend the pod's drawn duration of stage
	opForkDeferred               // async: run the deferrable stages in the background
	opAddReturned                // CNI ADD returned (blocking: the network passes traffic)
	opStarted                    // the container is running
	opRunning                    // status persisted: the launch is complete
)

// Buckets and resources an op refers to; per-node ones are indexed by the
// pod's node.
const (
	bucketAPI = iota
	bucketBind
	bucketKubelet // per node
)

const (
	resInflight = iota
	resScheduler
	resKubelet // per node
	resCNILock // per node
)

type op struct {
	kind  opKind
	which int   // bucket or resource id
	stage Stage // opStage
	wait  Wait  // opBucket, opAcquire: which queue the wait is charged to
}

// buildProgram lays out the pipeline of paper III.D: admission, scheduling,
// bind, kubelet sync, sandbox, CNI ADD, container start, status write.
func buildProgram(hasCNI bool, scope string, async bool) []op {
	st := func(s Stage) op { return op{kind: opStage, stage: s} }
	p := []op{
		{kind: opBucket, which: bucketAPI, wait: WaitAPIQPS},
		{kind: opAcquire, which: resInflight, wait: WaitAPIInflight},
		st(APIAdmission),
		{kind: opRelease, which: resInflight},
		{kind: opAcquire, which: resScheduler, wait: WaitScheduler},
		st(Scheduling),
		{kind: opRelease, which: resScheduler},
		// Binding runs outside the serial scheduling cycle.
		{kind: opBucket, which: bucketBind, wait: WaitBindQPS},
		{kind: opAcquire, which: resKubelet, wait: WaitKubeletWorker},
		st(KubeletSync),
		st(Sandbox),
	}
	if hasCNI {
		locked := scope == "ipam" || scope == "add"
		if locked {
			p = append(p, op{kind: opAcquire, which: resCNILock, wait: WaitCNILock})
		}
		p = append(p, st(CNIIPAM))
		if scope == "ipam" {
			p = append(p, op{kind: opRelease, which: resCNILock})
		}
		p = append(p, st(CNIVeth), st(CNIRoutes))
		if async {
			p = append(p, op{kind: opForkDeferred})
		} else {
			p = append(p, st(CNIPolicy), st(CNILabels), st(CNISetupDelay))
		}
		if scope == "add" {
			p = append(p, op{kind: opRelease, which: resCNILock})
		}
	}
	return append(p,
		op{kind: opAddReturned},
		st(ContainerStart),
		op{kind: opRelease, which: resKubelet},
		op{kind: opStarted},
		op{kind: opBucket, which: bucketKubelet, wait: WaitKubeletQPS},
		st(StatusUpdate),
		op{kind: opRunning},
	)
}
