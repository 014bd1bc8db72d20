#!/bin/bash
# Integration test of the Slurm path against a real one-node Slurm cluster on
# localhost: runs what `cnisim submit slurm` prints for deploy/testdata/sweep.toml
# (8 points x 2 replications in 4 shards) and checks that the merged results are
# byte-identical to a local `cnisim run`.
#
# Needs root and Debian's packages only (installs slurm-wlm and munge if missing).
# Starts munged (unless one is already running), slurmctld and slurmd, and stops
# the ones it started by their PIDs on exit, whatever happens. Follows the tested
# recipe in ../shared/notes/slurm-localhost.md.
#
#   deploy/slurm-integration.sh                          # the linked simulator
#   CNISIM_BUILD_TAGS=cnisimfake deploy/slurm-integration.sh   # the fake model
# Environment: CNISIM_BUILD_TAGS (go build -tags), SHARDS (4), TIMEOUT (300 s),
# KEEP=1 keeps the work directory.
set -euo pipefail
cd "$(dirname "$0")/.."
export GOFLAGS="${GOFLAGS:--buildvcs=false}"
SHARDS=${SHARDS:-4}
TIMEOUT=${TIMEOUT:-300}
SCENARIO=deploy/testdata/sweep.toml

log() { echo "== $*" >&2; }
die() { echo "slurm-integration: FAIL: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "needs root (apt-get, munged, slurmd)"
if pgrep -x slurmctld >/dev/null || pgrep -x slurmd >/dev/null; then
  die "a Slurm daemon is already running here; this test starts and stops its own"
fi

TMP=$(mktemp -d /tmp/cnisim-slurm.XXXXXX)
STARTED=()        # "name:pid" of the daemons this script started, in start order
CREATED_RUN_MUNGE=0
CONF=/etc/slurm/slurm.conf
CONF_BACKUP=""

cleanup() {
  local rc=$? i name pid
  # Stop in reverse start order (slurmd, slurmctld, then munged), by PID only.
  for ((i = ${#STARTED[@]} - 1; i >= 0; i--)); do
    name=${STARTED[i]%%:*}; pid=${STARTED[i]#*:}
    kill "$pid" 2>/dev/null || continue
    for _ in $(seq 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    if kill -0 "$pid" 2>/dev/null; then echo "$name ($pid) ignored SIGTERM: SIGKILL" >&2; kill -9 "$pid" 2>/dev/null || true; fi
  done
  rm -rf /var/spool/slurmctld /var/spool/slurmd /var/log/slurm/slurmctld.log /var/log/slurm/slurmd.log
  if [ -n "$CONF_BACKUP" ]; then mv -f "$CONF_BACKUP" "$CONF"; else rm -f "$CONF"; fi
  [ "$CREATED_RUN_MUNGE" = 1 ] && rm -rf /run/munge
  if [ "${KEEP:-0}" = 1 ]; then echo "kept $TMP" >&2; else rm -rf "$TMP"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# 1. Packages.
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v munged >/dev/null || ! command -v sbatch >/dev/null; then
  log "installing slurm-wlm and munge"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y slurm-wlm munge >"$TMP/apt.log" 2>&1 ||
    { apt-get update >>"$TMP/apt.log" 2>&1 && apt-get install -y slurm-wlm munge >>"$TMP/apt.log" 2>&1; } ||
    { tail -20 "$TMP/apt.log" >&2; die "apt-get install slurm-wlm munge"; }
fi

# 2. munge: reuse a running munged, else start one (setpriv execs, so $! is munged).
if munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
  log "munged already running: using it"
else
  log "starting munged"
  [ -s /etc/munge/munge.key ] || mungekey --create --keyfile=/etc/munge/munge.key
  chown munge:munge /etc/munge/munge.key; chmod 0400 /etc/munge/munge.key
  [ -d /run/munge ] || CREATED_RUN_MUNGE=1
  install -d -o munge -g munge -m 0755 /run/munge
  setpriv --reuid=munge --regid=munge --init-groups -- /usr/sbin/munged -F >"$TMP/munged.out" 2>&1 &
  STARTED+=("munged:$!")
  for _ in $(seq 50); do munge -n >/dev/null 2>&1 && break; sleep 0.1; done
  munge -n | unmunge >/dev/null || { cat "$TMP/munged.out" >&2; die "munged did not start"; }
fi

# 3. slurmctld and slurmd with a minimal configuration for this node.
log "starting slurmctld and slurmd"
[ -e "$CONF" ] && { CONF_BACKUP="$TMP/slurm.conf.orig"; cp -p "$CONF" "$CONF_BACKUP"; }
rm -rf /var/spool/slurmctld /var/spool/slurmd
mkdir -p /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm
cat >"$CONF" <<EOF
ClusterName=ci
SlurmctldHost=$(hostname -s)
SlurmUser=root
AuthType=auth/munge
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
MailProg=/bin/true
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
$(slurmd -C | head -1) State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
/usr/sbin/slurmctld -D >"$TMP/slurmctld.out" 2>&1 & STARTED+=("slurmctld:$!")
/usr/sbin/slurmd -D >"$TMP/slurmd.out" 2>&1 & STARTED+=("slurmd:$!")
for _ in $(seq 120); do sinfo -h -N -o %T 2>/dev/null | grep -qx idle && break; sleep 0.25; done
sinfo -h -N -o %T | grep -qx idle || { sinfo -N -l >&2 || true; tail "$TMP"/slurm*.out >&2; die "the node did not become idle"; }

# 4. cnisim, and the reference: a local run of the same scenario.
log "building cnisim${CNISIM_BUILD_TAGS:+ (tags $CNISIM_BUILD_TAGS)}"
BIN="$TMP/bin/cnisim"
go build ${CNISIM_BUILD_TAGS:+-tags "$CNISIM_BUILD_TAGS"} -ldflags "-X main.version=slurm-ci" -o "$BIN" ./cmd/cnisim
"$BIN" run "$SCENARIO" --out "$TMP/local" 2>"$TMP/local.err" || { cat "$TMP/local.err" >&2; die "local cnisim run"; }

# 5. Submit exactly what `cnisim submit slurm` prints, then wait for both jobs.
# The work directory's name has a space, quotes, a "$(...)" and sbatch's own
# "%" patterns: the script must pass it through quoted and escaped.
WORK="$TMP/work dir %A %% 'q' \$(false)"
log "submitting $SHARDS shards"
"$BIN" submit slurm "$SCENARIO" --shards "$SHARDS" --partition debug --time 10:00 \
  --workdir "$WORK" --binary "$BIN" >"$TMP/submit.sh"
ids=$(bash "$TMP/submit.sh") || die "the submit script failed"
read -r ARRAY MERGE <<<"$ids"
[ -n "${MERGE:-}" ] || die "the submit script printed no job ids"
log "array job $ARRAY, merge job $MERGE"
start=$SECONDS
while [ -n "$(squeue -h -j "$ARRAY,$MERGE" 2>/dev/null)" ]; do
  [ $((SECONDS - start)) -lt "$TIMEOUT" ] || { squeue >&2; die "jobs still queued after $TIMEOUT s"; }
  sleep 0.25
done
log "jobs done in $((SECONDS - start)) s"
state=$(scontrol -o show job "$MERGE" | grep -o 'JobState=[A-Z]*' || true)
if [ "$state" != JobState=COMPLETED ]; then
  scontrol -o show job "$ARRAY" >&2 || true
  tail -n 20 "$WORK"/logs/*.log >&2 || true
  die "merge job $MERGE: $state"
fi

# 6. The merged results are the local run's, byte for byte.
for i in $(seq 0 $((SHARDS - 1))); do
  [ -s "$WORK/shards/partial-$i-of-$SHARDS.json" ] || die "no partial result from shard $i"
done
for f in results.json results.csv scenario.toml; do
  cmp "$TMP/local/$f" "$WORK/results/$f" || die "merged $f differs from the local run"
done
# The logs landed in WORKDIR/logs: its "%" were not taken for sbatch patterns.
n=$(find "$WORK/logs" -name 'shard-*.log' | wc -l)
[ "$n" = "$SHARDS" ] || { ls -la "$WORK/logs" >&2; die "$n shard logs in WORKDIR/logs, want $SHARDS"; }
[ -n "$(find "$WORK/logs" -name 'merge-*.log')" ] || die "no merge log in WORKDIR/logs"
log "PASS: $SHARDS Slurm array tasks merged to the local run's bytes ($(grep -c '"params"' "$TMP/local/results.json" || true) points)"
