#!/bin/sh
# The installed programs carry the hardening configure turns on by default:
# position-independent (PIE), full RELRO (a GNU_RELRO segment and BIND_NOW),
# the stack protector (a call to __stack_chk_fail) and, except in sanitizer
# builds, FORTIFY_SOURCE (calls to the checked __*_chk variants).  Each check
# reads the ELF file with readelf, so a flag dropped from the build fails it.
#
#   sh tests/hardening.sh [PROGRAM...]     (default: the three programs)
#
# Exit status: 0 pass, 1 fail, 77 skip (readelf missing, or configure
# --disable-hardening; under CI=true both fail).

: "${top_builddir:=$(cd "$(dirname "$0")/.." && pwd)}"
name=hardening

skip() {
	if [ "${CI:-}" = true ]; then
		echo "FAIL: $name would skip, which CI=true does not allow: $*"
		exit 1
	fi
	echo "SKIP: $name: $*"
	exit 77
}

command -v readelf >/dev/null 2>&1 ||
    skip "readelf not found; install the Debian package binutils"
[ -f "$top_builddir/config.h" ] || { echo "FAIL: no $top_builddir/config.h"; exit 1; }
grep -q '^#define LP_HARDENING 1' "$top_builddir/config.h" ||
    skip "built with configure --disable-hardening"
fortify=yes
grep -q '^#define LP_SANITIZERS 1' "$top_builddir/config.h" && fortify=no

if [ $# -eq 0 ]; then
	set -- "$top_builddir/lockprobed" "$top_builddir/lockprobe-netd" \
	    "$top_builddir/lockprobectl"
fi

status=0 fails=0
bad() {
	echo "FAIL: $1: $2"
	status=1
	fails=$((fails + 1))
}

for prog in "$@"; do
	[ -f "$prog" ] || { bad "$prog" "not built"; continue; }
	header=$(readelf -h "$prog" 2>&1) || { bad "$prog" "readelf -h: $header"; continue; }
	dynamic=$(readelf -dW "$prog" 2>&1)
	segments=$(readelf -lW "$prog" 2>&1)
	symbols=$(readelf -sW --dyn-syms "$prog" 2>&1)
	n=$(basename "$prog")
	before=$fails

	# PIE: a shared-object type executable flagged PIE (DF_1_PIE)
	printf '%s\n' "$header" | grep -q 'Type:[[:space:]]*DYN' ||
	    bad "$n" "not position-independent (ELF type is not DYN; -fPIE -pie dropped?)"
	printf '%s\n' "$dynamic" | grep -q 'FLAGS_1.*PIE' ||
	    bad "$n" "no DF_1_PIE flag (-pie dropped?)"
	# full RELRO: the segment made read-only after relocation, and every
	# symbol bound at start-up so the GOT can be in it
	printf '%s\n' "$segments" | grep -q 'GNU_RELRO' ||
	    bad "$n" "no GNU_RELRO segment (-Wl,-z,relro dropped?)"
	printf '%s\n' "$dynamic" | grep -q -E '\(BIND_NOW\)|FLAGS[[:space:]].*BIND_NOW|FLAGS_1.*NOW' ||
	    bad "$n" "not BIND_NOW (-Wl,-z,now dropped?)"
	# the stack protector's failure handler is referenced
	printf '%s\n' "$symbols" | grep -q '__stack_chk_fail' ||
	    bad "$n" "no __stack_chk_fail (-fstack-protector-strong dropped?)"
	# FORTIFY_SOURCE turns snprintf, memcpy, read, ... into __*_chk calls
	if [ "$fortify" = yes ]; then
		printf '%s\n' "$symbols" | grep -q -E '__[a-z0-9_]+_chk(@|[[:space:]]|$)' ||
		    bad "$n" "no fortified __*_chk call (-D_FORTIFY_SOURCE=2 dropped?)"
	fi
	if [ "$fails" = "$before" ]; then
		[ "$fortify" = yes ] && what=", FORTIFY_SOURCE" || what=" (sanitizer build: no FORTIFY_SOURCE)"
		echo "ok: $n: PIE, full RELRO, BIND_NOW, stack protector$what"
	fi
done
[ "$status" = 0 ] && echo "PASS: $name"
exit "$status"
