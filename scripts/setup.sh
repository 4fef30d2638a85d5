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
