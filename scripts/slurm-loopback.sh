#!/usr/bin/env bash
# A single-node Slurm cluster on localhost (munged + slurmctld + slurmd from Debian's
# slurm-wlm packages), and the end-to-end test of `npusim sweep --emit slurm` on it: a small
# sweep is submitted with sbatch, waited for, merged with `sweep collect`, and its results
# must equal the same sweep run locally. Needs root (it installs packages and starts
# daemons); it stops the daemons it started and leaves the system's Slurm configuration alone
# (everything lives in a temporary folder named by SLURM_CONF).
#   scripts/slurm-loopback.sh test         install what is missing, start, test, stop
#   scripts/slurm-loopback.sh start DIR    install and start a cluster whose files live in DIR
#   scripts/slurm-loopback.sh stop DIR     stop the daemons started in DIR
# Environment: NPUSIM (default build/npusim), SLURM_WAIT (seconds to wait for the jobs, 300).
set -euo pipefail
if [[ ${1:-} == -h || ${1:-} == --help || $# -eq 0 ]]; then  # the header comment is the help
  sed -n '2,/^set -euo/p' "$0" | sed -n 's/^# \{0,1\}//p'; exit 0
fi
cd "$(dirname "$0")/.."
npusim=$(realpath "${NPUSIM:-build/npusim}")

install_missing() {
  local missing=()
  for p in slurmctld slurmd slurm-client munge; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if ((${#missing[@]})); then
    echo "slurm-loopback: installing ${missing[*]}"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

start() {
  local dir=$1 host cpus mem
  mkdir -p "$dir"/{state,spool,munge}
  host=$(hostname -s)
  cpus=$(nproc)
  mem=$(($(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 512))
  # munge: our own key and socket, so a system munged (if any) is not touched.
  dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
  chmod 700 "$dir/munge"; chmod 400 "$dir/munge/munge.key"
  munged --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.socket" \
         --pid-file="$dir/munge/munged.pid" --log-file="$dir/munge/munged.log" \
         --seed-file="$dir/munge/munged.seed" --force
  cat >"$dir/slurm.conf" <<EOF
ClusterName=npusim-loopback
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
SlurmctldPort=16817
SlurmdPort=16818
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
NodeName=$host CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=loopback Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
  export SLURM_CONF=$dir/slurm.conf
  slurmctld
  slurmd
  local i
  for i in $(seq 60); do
    if sinfo -h -o '%T' 2>/dev/null | grep -qE '^(idle|mixed|allocated)'; then
      echo "slurm-loopback: cluster up in $dir (node $host, $cpus CPUs)"; return 0
    fi
    sleep 1
  done
  echo "slurm-loopback: the node did not come up; slurmctld.log and slurmd.log in $dir:" >&2
  tail -n 5 "$dir/slurmctld.log" "$dir/slurmd.log" >&2 || true
  return 1
}

stop() {
  local dir=$1 f pid i
  for f in slurmd.pid slurmctld.pid munge/munged.pid; do
    [[ -f $dir/$f ]] || continue
    pid=$(cat "$dir/$f")
    kill "$pid" 2>/dev/null || continue
    for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  done
}

cluster_dir=
cleanup() { [[ -n $cluster_dir ]] && { stop "$cluster_dir"; rm -rf "$cluster_dir"; }; }

run_test() {
  local dir work rc=0
  dir=$(mktemp -d /tmp/npusim-slurm.XXXXXX)
  cluster_dir=$dir
  trap cleanup EXIT
  chmod 755 "$dir"
  work=$dir/work
  mkdir -p "$work"
  install_missing
  start "$dir"
  export SLURM_CONF=$dir/slurm.conf
  sed "s|@DATA@|$PWD/tests/data|" tests/data/sweep_tiny.json >"$work/sweep.json"
  "$npusim" sweep "$work/sweep.json" --emit slurm --out "$work/slurm" --slurm-time 00:10:00 --quiet
  local job
  job=$(sbatch --parsable "$work/slurm/sweep.slurm")
  echo "slurm-loopback: submitted job array $job"
  local waited=0 limit=${SLURM_WAIT:-300}
  while squeue -h -j "$job" 2>/dev/null | grep -q .; do
    sleep 2; waited=$((waited + 2))
    if ((waited > limit)); then
      echo "slurm-loopback: job $job still queued or running after ${limit} s" >&2
      squeue -j "$job" >&2 || true; scancel "$job" || true; return 1
    fi
  done
  local collected
  collected=$("$npusim" sweep collect "$work/slurm") || rc=$?
  echo "$collected"
  "$npusim" sweep "$work/sweep.json" --out "$work/local" --jobs 2 --quiet
  # The same points, each ok once, with the same reports.
  "$npusim" compare "$work/local" "$work/slurm" >"$work/compare.txt" || rc=$?
  tail -n 1 "$work/compare.txt"
  local n_slurm n_local
  n_slurm=$(sed -nE 's/.*points \(([0-9]+) ok.*/\1/p' <<<"$collected")
  n_local=$(grep -c '"status":"ok"' "$work/local/results.jsonl" || true)
  if ((rc != 0 || n_slurm != n_local || n_local == 0)); then
    echo "slurm-loopback: FAIL (compare exit $rc; ok points: slurm $n_slurm, local $n_local)" >&2
    tail -n 3 "$work"/slurm/slurm-*.out >&2 || true
    return 1
  fi
  echo "slurm-loopback: ok ($n_slurm points through Slurm equal the local sweep)"
}

case $1 in
  test) run_test ;;
  start) install_missing; start "${2:?start DIR}" ;;
  stop) stop "${2:?stop DIR}" ;;
  *) echo "slurm-loopback: unknown action '$1' (expected test, start or stop)" >&2; exit 2 ;;
esac
