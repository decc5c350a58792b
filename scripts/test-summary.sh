#!/bin/bash
# Count the results of "make check" (automake's .trs files) plus any extra
# NAME=RESULT given on the command line, and print the closing line
# "N passed, N failed, N skipped".  Under CI=true a skip is a failure.
# Exit 0 only if nothing failed.
set -u
top=${1:-.}
shift || true
passed=0 failed=0 skipped=0

count() {
	case $1 in
	PASS|XFAIL) passed=$((passed + 1)) ;;
	SKIP)
		if [ "${CI:-}" = true ]; then
			echo "FAIL (skipped under CI=true): $2"
			failed=$((failed + 1))
		else
			skipped=$((skipped + 1))
		fi ;;
	*) echo "FAIL: $2"; failed=$((failed + 1)) ;;
	esac
}

ntrs=0
while IFS= read -r trs; do
	ntrs=$((ntrs + 1))
	result=$(sed -n 's/^:test-result: //p' "$trs" | head -n 1)
	count "${result:-ERROR}" "${trs%.trs}"
done < <(find "$top" -name '*.trs' -not -path '*/lockprobe-*/_build/*' | sort)
[ "$ntrs" -gt 0 ] || { echo "no test results found under $top"; failed=$((failed + 1)); }

for extra in "$@"; do
	count "${extra#*=}" "${extra%%=*}"
done

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
