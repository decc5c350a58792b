#!/bin/sh
# Interoperability of the TUF library with securesystemslib and OpenSSL:
#  1. tests/tuf_interop.py makes ed25519, ECDSA P-256 and RSA (PSS, PKCS#1
#     v1.5) keys with securesystemslib and the openssl command line, signs
#     canonical payloads, and writes canonical JSON cases;
#  2. tests/tuf_interop_check (built from libtuf.a) must verify every
#     signature, refuse every tampered copy, and agree on key ids and on every
#     canonical form;
#  3. tuf_interop_check canonicalises and signs a payload with ed25519, and
#     securesystemslib must verify it;
#  4. tests/tuf_interop.py writes a TUF repository signed by securesystemslib
#     (root rotation, consistent snapshots, a delegation, every key type)
#     and the C client workflow must refresh it and verify its target.
# Exit 77 (skip) without python3-securesystemslib or openssl, except under
# CI=true, where that is a failure.
set -u

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
checker=${TUF_INTEROP_CHECK:-$top_builddir/tests/tuf_interop_check}
helper=$top_srcdir/tests/tuf_interop.py

missing() {
	if [ "${CI:-}" = true ]; then
		echo "FAIL: $1: install the Debian package $2 (apt-get install $2)" >&2
		exit 1
	fi
	echo "SKIP: $1 (install the Debian package $2)" >&2
	exit 77
}

. "$top_srcdir/tests/tuf_lib.sh"
sslib_python
[ -n "$python" ] || missing "no python3 can import securesystemslib" \
    python3-securesystemslib
command -v openssl >/dev/null 2>&1 || missing "no openssl command" openssl
if [ ! -x "$checker" ]; then
	echo "FAIL: $checker not built (make check builds it)" >&2
	exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tuf_interop.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

status=0
step() {
	echo "== $*"
	"$@" || { echo "FAIL: $*" >&2; status=1; return 1; }
}

echo "python: $python ($("$python" -c 'import securesystemslib; print(securesystemslib.__version__)'))"
step "$python" "$helper" gen "$tmp" || exit 1
step "$checker" verify "$tmp"
step "$python" "$helper" payload "$tmp/payload.json"
step "$checker" sign "$tmp/payload.json" "$tmp/c-signed.json"
step "$python" "$helper" verify "$tmp/c-signed.json" "$tmp/payload.json"
step "$python" "$helper" repo "$tmp/repo"
step "$checker" client "$tmp/repo"

if [ $status -eq 0 ]; then
	echo "tuf_interop: all steps passed"
else
	echo "tuf_interop: FAILED"
fi
exit $status
