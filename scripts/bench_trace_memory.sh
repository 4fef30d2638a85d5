#!/usr/bin/env bash
# Peak memory (max RSS) and wall time of a whole run with and without every trace: the
# trace writers stream, so memory must stay flat however much they write.
#   scripts/bench_trace_memory.sh [NET] [ARCH]       default resnet50 edge-32x32
set -euo pipefail
if [[ ${1:-} == -h || ${1:-} == --help ]]; then  # the header comment is the help
  sed -n '2,/^set -euo/p' "$0" | sed -n 's/^# \{0,1\}//p'; exit 0
fi
cd "$(dirname "$0")/.."
net=${1:-resnet50}
arch=${2:-edge-32x32}
out=$(mktemp -d); trap 'rm -rf "$out"' EXIT
python3 - "$net" "$arch" "$out" <<'PY'
import os, resource, subprocess, sys, time
net, arch, out = sys.argv[1:]
def run(tag, extra):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.time()
    subprocess.run(["build/npusim", "run", "--net", net, "--arch", arch, "--quiet", "--out", f"{out}/{tag}"] + extra,
                   check=True)
    wall = time.time() - t0
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB, max over children so far
    size = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(f"{out}/{tag}/trace") for f in fs)
    return wall, rss, size
# Traced first: ru_maxrss of children is a running maximum, so the untraced run's own peak is
# only visible if it is the larger one; run it in a fresh interpreter instead.
u = subprocess.run([sys.executable, "-c", f"""
import resource, subprocess, time
t0 = time.time()
subprocess.run(['build/npusim', 'run', '--net', '{net}', '--arch', '{arch}', '--quiet', '--out', '{out}/plain'], check=True)
print(time.time() - t0, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""], capture_output=True, text=True, check=True).stdout.split()
wall_t, rss_t, size = run("traced", ["--trace", "dram-cmd,dram-req,timeline,vcd"])
print(f"{net} on {arch}")
print(f"  untraced: {float(u[0]):6.2f} s wall, peak RSS {int(u[1]) / 1024:6.1f} MiB")
print(f"  traced:   {wall_t:6.2f} s wall, peak RSS {rss_t / 1024:6.1f} MiB, {size / 1e6:.0f} MB of traces written")
PY
