#!/bin/bash
# Install the Debian 12 packages lockprobe builds, runs and tests with, and
# the system user its network process runs as.  libclang-rt-14-dev is
# clang's sanitizer and libFuzzer runtime (configure --enable-sanitizers,
# make fuzz); binutils' readelf checks the hardening (tests/hardening.sh).
set -euo pipefail

packages=(
	build-essential autoconf automake pkg-config
	clang llvm bpftool
	libclang-rt-14-dev binutils
	libbpf-dev libelf-dev zlib1g-dev
	libevent-dev libseccomp-dev libsodium-dev libssl-dev
	libprotobuf-c-dev protobuf-c-compiler libjansson-dev check
	mandoc procps adduser openssl python3 python3-securesystemslib
)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "installing: ${missing[*]}"
	apt-get update -q
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
else
	echo "all ${#packages[@]} packages are installed"
fi

# lockprobe-netd's own user (lockprobe.conf: netd-user)
if ! getent passwd _lockprobe >/dev/null; then
	adduser --system --group --no-create-home --home /var/lib/lockprobe \
	    --quiet _lockprobe
	echo "created the system user _lockprobe"
fi
