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

# Both builds are out of the source tree, in build/ and (for the tests)
# build-asan/; automake refuses such builds from a tree configured in place.
build() {	# DIRECTORY CONFIGURE-ARGUMENT...
	_dir=$1
	shift
	mkdir -p "$_dir"
	(cd "$_dir" && { [ -f Makefile ] || ../configure "$@"; } &&
	    make -j"$(nproc)")
}
conf_dirs="--sysconfdir=/etc --localstatedir=/var --runstatedir=/run"

step "building (in build/)"
[ -x configure ] || ./bootstrap
if [ -f config.status ]; then
	echo "quickstart: the source tree is configured in place, which stops builds in build/: cleaning it with make distclean"
	make distclean > /dev/null
fi
build build --enable-werror $conf_dirs

if [ "$what" = demo ]; then
	step "running the demo"
	exec bash contrib/demo.sh "$top/build"
fi

show_failures() {	# DIRECTORY
	for log in $(grep -l -E '^:test-result: (FAIL|ERROR|XPASS)' $(find "$1" -name '*.trs') 2>/dev/null | sed 's/\.trs$/.log/'); do
		echo "--- $log"
		tail -n 80 "$log"
	done
}

step "running the test suite (build/)"
start=$(date +%s)
status=0
(cd build && make -j"$(nproc)" check) || { status=$?; show_failures build; }

step "building with AddressSanitizer and UndefinedBehaviorSanitizer (in build-asan/, clang)"
asan_start=$(date +%s)
build build-asan --enable-werror --enable-sanitizers CC=clang $conf_dirs
step "running the test suite again under the sanitizers (build-asan/)"
# the kernel matrix and the package test do not test our code's memory
# safety: they ran in build/
(cd build-asan && make -j"$(nproc)" check KERNEL_TESTS= DEB_TEST=) ||
    { status=$?; show_failures build-asan; }
asan_time=$(( $(date +%s) - asan_start ))

if [ -f build/kernel-matrix.md ]; then
	step "kernel matrix (build/kernel-matrix.md)"
	cat build/kernel-matrix.md
fi

step "make distcheck (the release tarball builds and passes its tests)"
distcheck=PASS
# The kernel matrix and the package test ran in build/; the tarball's own
# run leaves them out (the variables reach the inner make via MAKEFLAGS).
if ! (cd build && make distcheck KERNEL_TESTS= DEB_TEST=) > distcheck.out 2>&1; then
	distcheck=FAIL
	tail -n 80 distcheck.out
fi
echo "distcheck: $distcheck"

echo "test time: $(( $(date +%s) - start )) s, of which the sanitizer build and run: $asan_time s"
exec bash scripts/test-summary.sh "$top" "distcheck=$distcheck"
