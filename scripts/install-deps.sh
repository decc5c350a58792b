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
	# the kernel matrix (tests/kernels/): qemu guests, busybox initramfs
	qemu-system-x86 busybox-static cpio util-linux
	# tests/install.sh lints the installed init script; tests/deb.sh
	# builds and checks the Debian package
	shellcheck debhelper lintian
	# tests/daemon/metrics.sh checks the metrics endpoint's output with
	# promtool and with python3-prometheus-client's parser
	prometheus python3-prometheus-client
)

# The kernel matrix boots bookworm-backports' 6.12 kernel: add that suite,
# from the Debian mirror already configured, in a file of its own (once).
backports=/etc/apt/sources.list.d/bookworm-backports.sources
need_update=no
if ! grep -rqs -E '^[^#]*bookworm-backports' /etc/apt/sources.list \
    /etc/apt/sources.list.d/; then
	mirror=$(sed -n -E 's/^URIs:[[:space:]]*([^[:space:]]+\/debian)\/?$/\1/p' \
	    /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n 1)
	[ -n "$mirror" ] || mirror=$(sed -n -E \
	    's/^deb[[:space:]]+(\[[^]]*\][[:space:]]+)?([^[:space:]]+\/debian)\/?[[:space:]]+bookworm[[:space:]].*/\2/p' \
	    /etc/apt/sources.list 2>/dev/null | head -n 1)
	mirror=${mirror:-http://deb.debian.org/debian}
	{
		echo "# Added by lockprobe's scripts/install-deps.sh: the kernel matrix's"
		echo "# 6.12 kernel (linux-image-cloud-amd64 from bookworm-backports)."
		echo "Types: deb"
		echo "URIs: $mirror"
		echo "Suites: bookworm-backports"
		echo "Components: main"
		echo "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg"
	} > "$backports"
	echo "added $backports ($mirror bookworm-backports)"
	need_update=yes
fi

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ] || [ "$need_update" = yes ]; then
	apt-get update -q
fi
if [ ${#missing[@]} -gt 0 ]; then
	echo "installing: ${missing[*]}"
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
