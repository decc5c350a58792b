#!/bin/sh
# A short bounded run of every libFuzzer target (make fuzz), all at once,
# starting from the committed seed corpora in fuzz/corpus/NAME/, which also
# hold the inputs of every crash found so far (so each is replayed).  A crash,
# leak, timeout or sanitizer report fails the test; the input that caused it
# is kept as fuzz/crash-NAME-* in the build directory.
#
#   FUZZ_SMOKE_SECONDS=20 sh tests/fuzz_smoke.sh
#
# Exit status: 0 pass, 1 fail, 77 skip (no libFuzzer; under CI=true a fail).
# The longer run is in fuzz/README.md.

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
secs=${FUZZ_SMOKE_SECONDS:-20}
name=fuzz_smoke
targets="fuzz_conf fuzz_ipc fuzz_control fuzz_tuf_json fuzz_tuf_key fuzz_tuf_metadata fuzz_metrics fuzz_products fuzz_http"

for t in $targets; do
	if [ ! -x "$top_builddir/fuzz/$t" ]; then
		why="fuzz/$t is not built: configure found no libFuzzer (install the Debian package libclang-rt-14-dev)"
		if [ "${CI:-}" = true ]; then
			echo "FAIL: $name would skip, which CI=true does not allow: $why"
			exit 1
		fi
		echo "SKIP: $name: $why"
		exit 77
	fi
done

work=$(mktemp -d /tmp/lockprobe-fuzz.XXXXXX) || exit 1
trap 'rm -rf "$work"' EXIT
for t in $targets; do
	mkdir "$work/$t"
	# new inputs go to the first (scratch) directory, never to the seeds;
	# niced, so that the daemon tests running beside it keep their pace
	nice -n 19 "$top_builddir/fuzz/$t" -max_total_time="$secs" -timeout=10 \
	    -rss_limit_mb=2048 -print_final_stats=1 \
	    -artifact_prefix="$top_builddir/fuzz/crash-$t-" \
	    "$work/$t" "$top_srcdir/fuzz/corpus/$t" > "$work/$t.log" 2>&1 &
	echo $! > "$work/$t.pid"
done

status=0
for t in $targets; do
	wait "$(cat "$work/$t.pid")"
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$t.log")
	if [ "$rc" = 0 ]; then
		echo "ok: $t: ${runs:-?} runs in ${secs} s, $(ls "$top_srcdir/fuzz/corpus/$t" | wc -l) seeds"
	else
		echo "FAIL: $t exited with status $rc:"
		grep -v '^#[0-9]' "$work/$t.log" | tail -n 60
		ls "$top_builddir/fuzz/crash-$t-"* 2>/dev/null | sed 's/^/  input kept: /'
		status=1
	fi
done
[ "$status" = 0 ] && echo "PASS: $name"
exit "$status"
