#!/bin/bash
# The kernel matrix driver: boots one Debian kernel under qemu and runs
# every guest test (tests/kernels/guest-tests) in that one boot; or, for
# the host's row of the table, runs the tests guest-tests names on its
# "host" line on the host itself.
#
#   kmatrix.sh NAME META-PACKAGE SERIES
#   kmatrix.sh host
#
# e.g. kmatrix.sh linux-6.1 linux-image-cloud-amd64 6.1: the newest version
# of META-PACKAGE in any configured apt source whose version starts with
# "SERIES." names the kernel image package; it is fetched with
# `apt-get download` into the cache (LP_KERNEL_CACHE, default
# /var/cache/lockprobe/kernels) once, and reused from there afterwards
# (also when apt cannot reach the archive).
#
# The guest: qemu-system-x86_64 (TCG), -cpu qemu64,-hypervisor,-cx16 (see
# QEMU_CPU below), 4 vCPUs, 1 GiB, booted from a busybox initramfs built
# here (boot-guest.sh) with the host-built test programs, the host programs
# and python3 modules the shell tests need, and their shared libraries.  It
# reports on its second serial port (see run-tests.sh); this script prints
# each guest test's result, the kernel's facts and the time the boot took,
# writes tests/kernels/NAME.result.md and regenerates kernel-matrix.md in the
# build directory, and exits 1 if any guest test failed.
#
# LP_KMATRIX_TESTS="NAME..." runs only those tests (while developing one).
#
# Exit 77 (skip) when qemu, busybox, cpio or the kernel package is missing;
# under CI=true that is a failure (exit 1) instead.
set -u

usage="usage: kmatrix.sh NAME META-PACKAGE SERIES, or kmatrix.sh host"
name=${1:?$usage}
if [ "$name" != host ]; then
	meta=${2:?$usage}
	series=${3:?$usage}
fi

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
top_builddir=$(cd "$top_builddir" && pwd)
top_srcdir=$(cd "$top_srcdir" && pwd)
KDIR=$top_srcdir/tests/kernels
CACHE=${LP_KERNEL_CACHE:-/var/cache/lockprobe/kernels}
WORK=$top_builddir/tests/kernels/$name.d
# -hypervisor: the guest believes it runs on bare metal and takes the native
# queued spinlock slow path, which emits lock:contention_begin (SPIN).
# -cx16: Debian 12's qemu 7.2 TCG corrupts EFLAGS around CMPXCHG16B under
# multi-threaded TCG (measured: 3 of 10 boots of 6.12 died with a double
# fault right after the cmpxchg16b in kmem_cache_alloc_noprof, EFLAGS
# holding bits of RAX); without the instruction SLUB takes its locked path
# and 10 of 10 boots pass.  Neither changes how BPF map locks work.
QEMU_CPU=${LP_KMATRIX_CPU:-qemu64,-hypervisor,-cx16}
QEMU_CPUS=${LP_KMATRIX_CPUS:-4}
QEMU_MEM=${LP_KMATRIX_MEM:-1024}
QEMU_TIMEOUT=${LP_KMATRIX_TIMEOUT:-900}
start=$(date +%s.%N)

skip() {
	if [ "${CI:-}" = true ]; then
		echo "FAIL: kmatrix $name would skip, which CI=true does not allow: $*"
		exit 1
	fi
	echo "SKIP: kmatrix $name: $*"
	exit 77
}

fail() {
	echo "FAIL: kmatrix $name: $*"
	exit 1
}

elapsed() {
	awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'
}

# --- what the host needs -----------------------------------------------------
if [ "$name" = host ]; then
	tools="unshare:util-linux flock:util-linux"
else
	tools="qemu-system-x86_64:qemu-system-x86 busybox:busybox-static
	    cpio:cpio apt-get:apt dpkg-deb:dpkg ldd:libc-bin flock:util-linux"
fi
for tool in $tools; do
	command -v "${tool%%:*}" >/dev/null 2>&1 ||
	    skip "${tool%%:*} not found (Debian package ${tool#*:}; scripts/install-deps.sh installs it)"
done
rm -rf "$WORK"
mkdir -p "$WORK" || fail "mkdir $WORK"
CONSOLE=$WORK/console.log
RESULTS=$WORK/results.log

# --- the tests ---------------------------------------------------------------
# guest-tests, parsed: the tests (and, on the host, only those of its
# "host" line) with their commands, and what the guest needs besides
tests=()
declare -A command
guest_files=() host_programs=() python_modules=()
host_tests=$(awk '$1 == "host" { $1 = ""; print }' "$KDIR/guest-tests")
while read -r tname tcmd; do
	case $tname in
	''|'#'*|host)
		continue
		;;
	+)	# more files the guest tests need
		read -r -a more <<< "$tcmd"
		guest_files+=("${more[@]}")
		continue
		;;
	=)	# programs of the host the guest tests need
		read -r -a more <<< "$tcmd"
		host_programs+=("${more[@]}")
		continue
		;;
	python3)	# modules of the host's python3 they need
		read -r -a more <<< "$tcmd"
		python_modules+=("${more[@]}")
		continue
		;;
	esac
	if [ "$name" = host ]; then
		case " $host_tests " in *" $tname "*) ;; *) continue ;; esac
	fi
	# while developing: only the tests named in LP_KMATRIX_TESTS
	if [ -n "${LP_KMATRIX_TESTS:-}" ]; then
		case " $LP_KMATRIX_TESTS " in *" $tname "*) ;; *) continue ;; esac
	fi
	prog=${tcmd%% *}
	[ -e "$top_builddir/$prog" ] || [ -e "$top_srcdir/$prog" ] ||
	    fail "guest test $tname: $top_builddir/$prog is not built"
	tests+=("$tname")
	command[$tname]=$tcmd
done < "$KDIR/guest-tests"
[ ${#tests[@]} -gt 0 ] || fail "no tests for $name in $KDIR/guest-tests"

# run_on_host: the host's row, from the host's own run of its tests, in a
# mount namespace of their own with tracefs mounted (for the kernel facts)
run_on_host() {
	local tname
	kpkg="the host's kernel"
	kver=$(uname -r)
	for tname in "${tests[@]}"; do
		echo "$tname ${command[$tname]}"
	done > "$WORK/host-tests"
	boot0=$(date +%s.%N)
	# shellcheck disable=SC2016 # expanded by that sh
	(
		cd "$top_builddir" &&
		    export CI top_builddir top_srcdir LP_GUEST_TEST_TIMEOUT &&
		    exec unshare -m --propagation private sh -c '
			mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
			tests_file=$2
			. "$1"' sh "$KDIR/run-tests.sh" "$WORK/host-tests"
	) 3> "$RESULTS" > "$CONSOLE" 2>&1
	qrc=$?
	boot_secs=$(awk -v a="$boot0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
	tr -d '\r' < "$RESULTS" > "$RESULTS.txt"
	echo "----- host run ($CONSOLE) -----"
	cat "$CONSOLE"
	echo "----- end of host run -----"
}

if [ "$name" = host ]; then
	run_on_host
else
	# shellcheck source=tests/kernels/boot-guest.sh
	. "$KDIR/boot-guest.sh"
fi

# --- the report ----------------------------------------------------------------
status=0
summary=
declare -A result
while read -r tag what rest; do
	[ "$tag" = LP ] || continue
	case $what in
	result)
		read -r tname st rc secs <<< "$rest"
		result[$tname]="$st $rc $secs"
		;;
	esac
done < "$RESULTS.txt"
guest_up=$(awk '$1 == "LP" && $2 == "boot" { print $3 }' "$RESULTS.txt")
guest_done=$(awk '$1 == "LP" && $2 == "done" { print $3 }' "$RESULTS.txt")
# the test that began but has no result: where a guest died
died_in=$(awk '$1 == "LP" && $2 == "begin" { t = $3 }
    $1 == "LP" && $2 == "result" && $3 == t { t = "" } END { print t }' "$RESULTS.txt")

echo
echo "kernel matrix: $name: $kpkg $kver"
for tname in "${tests[@]}"; do
	if [ -z "${result[$tname]:-}" ]; then
		if [ "$tname" = "$died_in" ]; then
			st=FAIL line="no result: the guest died or timed out during this test (qemu exit $qrc; see the console)"
		else
			st=FAIL line="not run: the guest died or timed out before"
		fi
	else
		read -r st rc secs <<< "${result[$tname]}"
		line="exit $rc, $secs s"
	fi
	case $st in
	PASS) ;;
	SKIP) [ "${CI:-}" = true ] && { st=FAIL; line="$line; skipped, which CI=true does not allow"; } ;;
	*) st=FAIL ;;
	esac
	[ "$st" = FAIL ] && status=1
	printf '  %-4s %-20s %s\n' "$st" "$tname" "$line"
	summary="$summary $tname=$st"
	result[$tname]="$st|$line"
done
echo "  facts:"
awk '$1 == "LP" && $2 == "fact" { $1 = $2 = ""; sub(/^  /, ""); print "    " $0 }' "$RESULTS.txt"
[ -n "$guest_done" ] || { echo "  the guest did not finish (qemu exit $qrc)"; status=1; }
if [ "$name" = host ]; then
	echo "  time: the tests ran $boot_secs s; the host's row added $(elapsed) s in all"
else
	guest_secs="?"
	[ -n "$guest_up" ] && [ -n "$guest_done" ] &&
	    guest_secs=$(awk -v a="$guest_up" -v b="$guest_done" 'BEGIN { printf "%.1f", b - a }')
	echo "  time: qemu ran $boot_secs s (kernel up to init: ${guest_up:-?} s, init to done: $guest_secs s guest time); this kernel added $(elapsed) s in all"
fi

# --- the markdown: NAME.row and NAME.result.md, kernel-matrix.md from all ---
fact() {
	awk -v k="$1" '$1 == "LP" && $2 == "fact" && $3 == k {
	    $1 = $2 = $3 = ""; sub(/^   /, ""); v = $0 } END { print v }' "$RESULTS.txt"
}
# or_missing TEXT: TEXT, or why the table has nothing there
or_missing() {
	if [ -n "$1" ]; then
		echo "$1"
	else
		echo "not reported (see the failed tests)"
	fi
}
# map_types covered|not: the map types check_mapwalk found covered, or
# those not covered grouped by the reason ("map.NAME TYPE covered: KINDS"
# and "map.NAME TYPE not covered: REASON" facts)
map_types() {
	awk -v want="$1" '$1 == "LP" && $2 == "fact" && $3 ~ /^map\./ {
	    type = $4
	    if ($5 == "covered:") {
		if (want == "covered" && !(type in seen)) {
		    seen[type] = 1; out = out (out == "" ? "" : ", ") type
		}
		next
	    }
	    if (want != "not" || $5 != "not")
		next
	    $1 = $2 = $3 = $4 = $5 = $6 = ""; sub(/^ +/, "")
	    if (!($0 in types)) { order[n++] = $0; types[$0] = type }
	    else if (index(", " types[$0] ", ", ", " type ", ") == 0)
		types[$0] = types[$0] ", " type
	} END {
	    if (want == "not")
		for (i = 0; i < n; i++)
		    out = out (i ? "; " : "") types[order[i]] ": " order[i]
	    print out
	}' "$RESULTS.txt"
}
# verdict KEY: the calibration's verdict, without its reason
verdict() {
	fact "$1" | sed 's/: .*//'
}
npass=0 failed=
for tname in "${tests[@]}"; do
	case ${result[$tname]%%|*} in
	PASS) npass=$((npass + 1)) ;;
	*) failed="$failed${failed:+, }$tname ${result[$tname]%%|*}" ;;
	esac
done
# a row's first line is the table's format: rows of another are left out
sig="kernel-matrix row format 2"
{
	echo "$sig"
	printf '| %s | %s | %s |' "$name" "$(fact release)" \
	    "$npass of ${#tests[@]} pass${failed:+; $failed}"
	printf ' %s |' "$(or_missing "$(fact collector)")" \
	    "$(or_missing "$(map_types covered)")" \
	    "$(or_missing "$(map_types not)")" \
	    "$(or_missing "$(fact spin_contention)")" \
	    "$(or_missing "$(verdict calibration_spinning)")" \
	    "$(or_missing "$(verdict calibration_sleeping)")" \
	    "$(or_missing "$(fact ksym_method)")" \
	    "$(or_missing "$(fact btf_source)")" "$(elapsed) s"
	echo
} > "$WORK.row"
if [ "$name" = host ]; then
	how="Run on the build host itself (not under qemu); $(elapsed) s in all."
else
	how="Booted with qemu (TCG) -cpu $QEMU_CPU, $QEMU_CPUS vCPUs, $QEMU_MEM MiB; $(elapsed) s in all."
fi
{
	echo "### $name: $kpkg $kver"
	echo
	echo "$how"
	echo
	echo "| test | result |"
	echo "| --- | --- |"
	for tname in "${tests[@]}"; do
		echo "| $tname | ${result[$tname]%%|*} (${result[$tname]#*|}) |"
	done
	echo
	echo "| fact | value |"
	echo "| --- | --- |"
	awk '$1 == "LP" && $2 == "fact" { k = $3; $1 = $2 = $3 = ""; sub(/^   /, "");
	    gsub(/\|/, "\\|"); print "| " k " | " $0 " |" }' "$RESULTS.txt"
	echo
} > "$WORK.section"
mv "$WORK.row" "$top_builddir/tests/kernels/$name.row"
mv "$WORK.section" "$top_builddir/tests/kernels/$name.result.md"
(
	flock 9
	out=$top_builddir/kernel-matrix.md
	rows=()
	for row in "$top_builddir"/tests/kernels/*.row; do
		[ "$(head -n 1 "$row")" = "$sig" ] && rows+=("$row")
	done
	{
		echo "# lockprobe kernel matrix"
		echo
		echo "Generated by \`make check\` (tests/kernels/, written by kmatrix.sh): the"
		echo "same build of lockprobe, its BPF objects and its tests, run unchanged"
		echo "inside each kernel under qemu, and the host kernel's row from the same"
		echo "tests run on the host. Each row is that kernel's latest run in this"
		echo "build directory; the facts come from the tests' own output (LPFACT"
		echo "lines of check_mapwalk and daemon_report.sh), never from this script."
		echo
		echo "| kernel | release | tests | collector | map types covered | map types not covered | spinlock contention recorded | calibration: spinning locks | calibration: sleeping locks | ksym method | BTF source | time |"
		echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
		for row in "${rows[@]}"; do
			tail -n +2 "$row"
		done
		echo
		for row in "${rows[@]}"; do
			case $row in */host.row) ;; *) tail -n +2 "$row" ;; esac
		done | awk -F'|' '{ t += $(NF - 1); n++ }
		    END { printf "Time the kernels under qemu added: %.1f s for %d kernel(s), " \
		    "summed (make -j runs them side by side: less wall time).\n", t, n }'
		echo
		for row in "${rows[@]}"; do
			cat "${row%.row}.result.md"
		done
	} > "$out.tmp" && mv "$out.tmp" "$out"
) 9> "$top_builddir/tests/kernels/.matrix.lock"

echo "kernel matrix: $name:$summary; results in $top_builddir/kernel-matrix.md"
exit $status
