#!/usr/bin/env bash
# Installs npusim's build dependencies from Debian's packages (only those missing) and
# builds it into build/. Idempotent; run as root or with sudo available.
#   scripts/setup.sh            install what is missing, configure, build
#   BUILD_DIR=dir BUILD_TYPE=Debug scripts/setup.sh
set -euo pipefail
if [[ ${1:-} == -h || ${1:-} == --help ]]; then  # the header comment is the help
  sed -n '2,/^set -euo/p' "$0" | sed -n 's/^# \{0,1\}//p'; exit 0
fi
cd "$(dirname "$0")/.."

packages=(
  g++ cmake ninja-build pkg-config
  libsystemc-dev            # SystemC 2.3 with TLM-2.0
  libboost-dev libfmt-dev nlohmann-json3-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  zlib1g-dev                # gzip-compressed traces
  clang libclang-rt-dev     # sanitizer build and libFuzzer harnesses (scripts/check-sanitizers.sh)
  libonnx-dev libprotobuf-dev  # the ONNX importer
  python3 python3-matplotlib python3-yaml  # analysis scripts, plots, YAML checks in tests
  python3-pandas python3-pytest python3-pip python3-setuptools  # the Python package (python/) and its tests
  chromium                  # renders the HTML reports headless in the tests
  time                      # /usr/bin/time: CPU seconds in scripts/bench_run.sh and bench_dram_peers.sh
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

build_dir=${BUILD_DIR:-build}
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-Release}" >/dev/null
cmake --build "$build_dir" -j "$(nproc)"
echo "setup: built $build_dir/npusim" >&2
# The Python package, into Debian's python3 (its dependencies are Debian packages above).
sudo=""
[[ $(id -u) -eq 0 ]] || sudo="sudo"
$sudo /usr/bin/python3 -m pip install -q --no-deps --no-build-isolation --break-system-packages --root-user-action=ignore \
  ./python >/dev/null
# ... which finds the binary on PATH (or through NPUSIM_BIN).
$sudo ln -sf "$(pwd)/$build_dir/npusim" /usr/local/bin/npusim
echo "setup: installed the npusim Python package (import npusim) and /usr/local/bin/npusim" >&2
