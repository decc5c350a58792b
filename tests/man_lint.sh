#!/bin/sh
# Lint the manual pages with mandoc, and check the syntax of the init script.
#
# Run by "make check" with $top_srcdir exported; by hand, from anywhere, as
# "sh tests/man_lint.sh".  Exit status: 0 pass, 1 fail, 77 skip (mandoc is
# missing and CI is not "true").

: "${top_srcdir:=$(dirname "$0")/..}"

status=0

init_script="$top_srcdir/contrib/lockprobed.init.in"
if [ ! -f "$init_script" ]; then
	echo "FAIL: $init_script is missing" >&2
	status=1
elif ! out=$(sh -n "$init_script" 2>&1); then
	echo "FAIL: sh -n $init_script:" >&2
	printf '%s\n' "$out" >&2
	status=1
fi

if ! command -v mandoc >/dev/null 2>&1; then
	if [ "${CI:-}" = true ]; then
		echo "FAIL: mandoc not found; install the Debian package mandoc" \
		    "(apt-get install mandoc)" >&2
		exit 1
	fi
	[ "$status" -ne 0 ] && exit "$status"
	echo "SKIP: mandoc not found; install the Debian package mandoc" \
	    "(apt-get install mandoc) to lint the manual pages" >&2
	exit 77
fi

pages=0
for page in "$top_srcdir"/man/*.[1-9]; do
	[ -f "$page" ] || continue
	pages=$((pages + 1))
	# Any output at all is a failure, whatever the exit status.
	out=$(mandoc -Tlint -W warning "$page" 2>&1)
	rc=$?
	if [ "$rc" -ne 0 ] || [ -n "$out" ]; then
		echo "FAIL: mandoc -Tlint -W warning $page (exit $rc):" >&2
		printf '%s\n' "$out" >&2
		status=1
	fi
done

if [ "$pages" -eq 0 ]; then
	echo "FAIL: no manual pages found in $top_srcdir/man" >&2
	status=1
fi

[ "$status" -eq 0 ] && echo "PASS: $pages manual pages lint clean; init script parses"
exit "$status"
