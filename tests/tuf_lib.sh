# Shared by the TUF tests: sourced, not run.
#
# sslib_python: set python to a python3 that can import securesystemslib
# (Debian's package installs for /usr/bin/python3, which need not be the
# python3 first in PATH), or to "" if there is none.
# start_http DIR (after tests/lib.sh): python3's http.server serving DIR on a free loopback
# port, killed on exit; sets URL (http://127.0.0.1:PORT) and REQUEST_LOG
# (the server's stderr, one line per request).  stop_http: stop it.

HTTP_PID=

stop_http() {
	if [ -n "$HTTP_PID" ]; then
		kill "$HTTP_PID" 2>/dev/null
		wait "$HTTP_PID" 2>/dev/null
		HTTP_PID=
	fi
}

start_http() {
	command -v python3 >/dev/null || skip "needs python3"
	REQUEST_LOG=$T/requests.log
	python3 -u -m http.server --bind 127.0.0.1 --directory "$1" 0 \
	    > "$T/http.out" 2> "$REQUEST_LOG" &
	HTTP_PID=$!
	trap 'stop_http; cleanup' EXIT
	wait_for 10 "http.server's port" grep -q ' port [0-9]' "$T/http.out"
	URL=http://127.0.0.1:$(sed -n 's/.* port \([0-9]*\).*/\1/p' \
	    "$T/http.out" | head -n 1)
}

sslib_python() {
	python=
	for _p in ${PYTHON:-} /usr/bin/python3 python3; do
		if "$_p" -c 'import securesystemslib' >/dev/null 2>&1; then
			python=$_p
			return
		fi
	done
}
