#!/usr/bin/env bash
# Installs what sigstorm needs on this machine, and nothing that is already there.
# Idempotent: when everything is present it only checks, in well under a second.
set -euo pipefail
cd "$(dirname "$0")/.."

# command -> Debian package that provides it
declare -A needs=(
  [gcc]=gcc [make]=make [autoreconf]=autoconf [automake]=automake [libtoolize]=libtool
  [pkg-config]=pkg-config [gdb]=gdb [eu-stack]=elfutils [taskset]=util-linux [nsenter]=util-linux [bwrap]=bubblewrap [iperf3]=iperf3 [git]=git [ss]=iproute2
)
missing=()
for cmd in "${!needs[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("${needs[$cmd]}")
done
# The sanitizer runtimes come with gcc on Debian, but a trimmed image may lack them.
for lib in libasan.so libtsan.so libubsan.so; do
  if ! gcc -print-file-name="$lib" 2>/dev/null | grep -q /; then
    missing+=(gcc)
  fi
done

if ((${#missing[@]})); then
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  echo "sigstorm setup: installing system packages: ${missing[*]}"
  if [[ $(id -u) -ne 0 ]]; then
    sudo=sudo
    command -v sudo >/dev/null || { echo "sigstorm setup: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  else
    sudo=
  fi
  export DEBIAN_FRONTEND=noninteractive
  # iperf3's postinst asks whether to start a daemon; answer no so nothing listens on 5201.
  echo 'iperf3 iperf3/start_daemon boolean false' | $sudo debconf-set-selections 2>/dev/null || true
  # SIGSTORM_APT_ARCHIVES: downloaded packages kept between runs (the GitHub workflow caches the
  # folder): only what is not in it is downloaded.
  archives=()
  if [[ -n "${SIGSTORM_APT_ARCHIVES:-}" ]]; then
    mkdir -p "$SIGSTORM_APT_ARCHIVES/partial"
    archives=(-o "Dir::Cache::Archives=$SIGSTORM_APT_ARCHIVES")
  fi
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${archives[@]}" "${missing[@]}" >/dev/null
fi

# Node dependencies: install when absent or older than the lock file.
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "sigstorm setup: installing node dependencies"
  # Not `npm ci`: lock files written here lack other platforms' optional packages (biome's and
  # rollup's binaries), which `npm ci` rejects as out of sync. `npm install --no-save` installs
  # the locked versions and leaves package-lock.json as it is.
  # better-sqlite3 (the App's job store) compiles SQLite from source where no prebuilt binary can be
  # downloaded: at its own -O3 that is ~75 s of CPU, most of a fresh install. -O1 (flags given here
  # come after the package's own, so they win) halves it; the store runs a few statements per
  # webhook. JOBS: the addon and SQLite compile side by side.
  CFLAGS="${CFLAGS:--O1}" CXXFLAGS="${CXXFLAGS:--O1}" JOBS="${JOBS:-max}" \
    npm install --no-save --no-audit --no-fund --loglevel=error
fi
