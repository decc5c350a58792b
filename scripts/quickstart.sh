#!/bin/bash
# The README's Quick start: install what lockprobe needs from Debian, build
# it, then run the demo or the whole test suite.
#
#   bash scripts/quickstart.sh demo   # install, build, run the end-to-end demo
#   bash scripts/quickstart.sh test   # install, build, run every test
#
# Run as root on Debian 12.  The test run ends with "N passed, N failed,
# N skipped" on a line of its own; under CI=true a skipped test counts as a
# failure.
set -euo pipefail

cd "$(dirname "$0")/.."
top=$(pwd)
what=${1:-}
case $what in
demo|test) ;;
*) echo "usage: bash scripts/quickstart.sh demo|test" >&2; exit 2 ;;
esac

step() { printf '\n==> %s\n' "$*"; }

[ "$(id -u)" = 0 ] || { echo "quickstart: run as root (it installs Debian packages and loads BPF)" >&2; exit 1; }

step "installing Debian packages"
bash scripts/install-deps.sh

step "building"
[ -x configure ] || ./bootstrap
[ -f Makefile ] || ./configure --enable-werror --sysconfdir=/etc --localstatedir=/var --runstatedir=/run
make -j"$(nproc)"

if [ "$what" = demo ]; then
	step "running the demo"
	exec bash contrib/demo.sh "$top"
fi

step "running the test suite"
start=$(date +%s)
status=0
make -j"$(nproc)" check || status=$?
if [ "$status" != 0 ]; then
	for log in $(grep -l -E '^:test-result: (FAIL|ERROR|XPASS)' $(find . -name '*.trs') 2>/dev/null | sed 's/\.trs$/.log/'); do
		echo "--- $log"
		tail -n 80 "$log"
	done
fi

if [ -f kernel-matrix.md ]; then
	step "kernel matrix (kernel-matrix.md)"
	cat kernel-matrix.md
fi

step "make distcheck (the release tarball builds and passes its tests)"
distcheck=PASS
# The kernel matrix ran above; the tarball's own run leaves it out
# (KERNEL_TESTS= reaches the inner make through MAKEFLAGS).
if ! make distcheck KERNEL_TESTS= > distcheck.out 2>&1; then
	distcheck=FAIL
	tail -n 80 distcheck.out
fi
echo "distcheck: $distcheck"

echo "test time: $(( $(date +%s) - start )) s"
exec bash scripts/test-summary.sh "$top" "distcheck=$distcheck"
