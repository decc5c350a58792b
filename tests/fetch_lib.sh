# Shared by the fetch tests: sourced after tests/lib.sh, not run.
#
# make_certs DIR: a test CA (ca.pem), a second, unrelated CA (wrongca.pem),
# and a server certificate from the first for good.test and 127.0.0.1
# (server.pem, server.key), plus the server key's pin (pin: sha256//base64).
# start_fetch_server DIR: the loopback HTTP/HTTPS/DNS server, killed on
# exit; sets HTTP_PORT, HTTPS_PORT, DNS_PORT, HTTP6_PORT (0: no IPv6) and
# SILENT_PORT (accepts, never answers) and writes DIR/resolv.conf.

SERVER_PID=

make_certs() {
	_d=$1
	command -v openssl >/dev/null || skip "needs the openssl command"
	(
		cd "$_d" || exit 1
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
		    -nodes -keyout ca.key -out ca.pem -days 2 \
		    -subj "/CN=lockprobe test CA" \
		    -addext basicConstraints=critical,CA:TRUE \
		    -addext keyUsage=critical,keyCertSign &&
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
		    -nodes -keyout wrongca.key -out wrongca.pem -days 2 \
		    -subj "/CN=lockprobe wrong CA" \
		    -addext basicConstraints=critical,CA:TRUE \
		    -addext keyUsage=critical,keyCertSign &&
		openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		    -keyout server.key -out server.csr -subj "/CN=good.test" &&
		printf 'subjectAltName=DNS:good.test,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' > server.ext &&
		openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key \
		    -CAcreateserial -days 2 -extfile server.ext -out server.pem &&
		printf 'sha256//%s\n' "$(openssl pkey -in server.key -pubout \
		    -outform DER | openssl dgst -sha256 -binary | base64)" > pin
	) > "$_d/openssl.log" 2>&1 || fail "making the test certificates: $(cat "$_d/openssl.log")"
}

stop_fetch_server() {
	if [ -n "$SERVER_PID" ]; then
		kill "$SERVER_PID" 2>/dev/null
		wait "$SERVER_PID" 2>/dev/null
		SERVER_PID=
	fi
}

start_fetch_server() {
	_d=$1
	command -v python3 >/dev/null || skip "needs python3"
	rm -f "$_d/ports"
	python3 "$top_srcdir/tests/fetch_server.py" "$_d" "$_d/server.pem" \
	    "$_d/server.key" > "$_d/server.log" 2>&1 &
	SERVER_PID=$!
	trap 'stop_fetch_server; cleanup' EXIT
	wait_for 10 "the test server's ports" test -s "$_d/ports"
	eval "$(cat "$_d/ports")"
	printf 'nameserver 127.0.0.1:%s\noptions timeout:1 attempts:2\n' \
	    "$DNS_PORT" > "$_d/resolv.conf"
	export HTTP_PORT HTTPS_PORT DNS_PORT HTTP6_PORT SILENT_PORT
}
