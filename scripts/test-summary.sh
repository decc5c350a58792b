#!/bin/bash
# Count the results of "make check" (automake's .trs files) plus any extra
# NAME=RESULT given on the command line, and print the closing line
# "N passed, N failed, N skipped".  Under CI=true a skip is a failure.
# Exit 0 only if nothing failed.
set -u
top=${1:-.}
shift || true
passed=0 failed=0 skipped=0

# Results are also counted per build directory (build/, build-asan/, or
# . for a build in the source tree), each printed on a line of its own.
declare -A dir_pass dir_fail dir_skip
dirs=()

count() {	# RESULT NAME [BUILD-DIRECTORY]
	_d=${3:-}
	if [ -n "$_d" ] && [ -z "${dir_pass[$_d]+set}" ]; then
		dirs+=("$_d")
		dir_pass[$_d]=0 dir_fail[$_d]=0 dir_skip[$_d]=0
	fi
	case $1 in
	PASS|XFAIL)
		passed=$((passed + 1))
		[ -z "$_d" ] || dir_pass[$_d]=$((dir_pass[$_d] + 1)) ;;
	SKIP)
		if [ "${CI:-}" = true ]; then
			echo "FAIL (skipped under CI=true): $2"
			failed=$((failed + 1))
			[ -z "$_d" ] || dir_fail[$_d]=$((dir_fail[$_d] + 1))
		else
			skipped=$((skipped + 1))
			[ -z "$_d" ] || dir_skip[$_d]=$((dir_skip[$_d] + 1))
		fi ;;
	*)
		echo "FAIL: $2"; failed=$((failed + 1))
		[ -z "$_d" ] || dir_fail[$_d]=$((dir_fail[$_d] + 1)) ;;
	esac
}

# the build directory of a .trs file: the directory under $top holding the
# Makefile that ran it
build_dir() {
	_p=${1#"$top"/}
	case $_p in
	*/*) _first=${_p%%/*}
		if [ -f "$top/$_first/config.status" ]; then
			echo "$_first"
			return
		fi ;;
	esac
	echo .
}

ntrs=0
while IFS= read -r trs; do
	ntrs=$((ntrs + 1))
	result=$(sed -n 's/^:test-result: //p' "$trs" | head -n 1)
	count "${result:-ERROR}" "${trs%.trs}" "$(build_dir "$trs")"
done < <(find "$top" -name '*.trs' -not -path '*/lockprobe-*/_build/*' | sort)
[ "$ntrs" -gt 0 ] || { echo "no test results found under $top"; failed=$((failed + 1)); }

for extra in "$@"; do
	count "${extra#*=}" "${extra%%=*}"
done

for d in "${dirs[@]}"; do
	echo "$d: ${dir_pass[$d]} passed, ${dir_fail[$d]} failed, ${dir_skip[$d]} skipped"
done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
