# Shared by the TUF client tests: sourced after tests/lib.sh, not run.
#
# start_http DIR: python3's http.server serving DIR on a free loopback
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
