#!/bin/sh
# lockprobectl over the control socket: status and reload for real, clear
# errors for users without access, and netd refusing whatever a client sends
# that is not a control request.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
require_root
command -v python3 >/dev/null || skip "needs python3"
setup_test "heartbeat-interval 1" "heartbeat-timeout 5"
ctl() { "$LOCKPROBECTL" -s "$T/ctl.sock" "$@"; }

if ctl status > "$T/out" 2>&1; then
	fail "status worked with no daemon"
fi
grep -q "is lockprobed running" "$T/out" || fail "no hint without a daemon: $(cat "$T/out")"
ok "no daemon: clear error"

start_daemon
wait_netd_up 1
[ "$(stat -c %a:%U:%G "$T/ctl.sock")" = "660:root:root" ] || fail "socket is $(stat -c %a:%U:%G "$T/ctl.sock")"

ctl status > "$T/status" || fail "status failed: $(cat "$T/status")"
grep -q "^lockprobed .*: pid $PRIVD_PID," "$T/status" || fail "status does not name lockprobed's pid: $(cat "$T/status")"
grep -q "^lockprobe-netd: pid $(netd_pid)," "$T/status" || fail "status does not name netd's pid"
grep -q "seccomp $SECCOMP_MODE" "$T/status" || fail "status does not give the seccomp mode"
grep -q "^BTF: kernel, /sys/kernel/btf/vmlinux" "$T/status" || fail "status does not give the BTF source"
ok "status: $(head -n 1 "$T/status")"

ctl -j status > "$T/status.json" || fail "status -j failed"
python3 - "$T/status.json" "$PRIVD_PID" "$(netd_pid)" <<'PY' || fail "status JSON: $(cat "$T/status.json")"
import json, sys
st = json.load(open(sys.argv[1]))
assert st["privd_pid"] == int(sys.argv[2]), st["privd_pid"]
assert st["netd"]["pid"] == int(sys.argv[3]), st["netd"]
assert st["btf"]["source"] == "kernel", st["btf"]
assert st["netd"]["control_clients"] == 1, st["netd"]
assert isinstance(st["assets"], list)
PY
ok "status -j parses and agrees"

pid=$(netd_pid)
cp "$CONF" "$T/good.conf"
echo "log-level loud" >> "$CONF"
if ctl reload > "$T/reload.out" 2>&1; then
	fail "a broken configuration was reloaded"
fi
grep -q "lockprobe.conf:[0-9]*: log-level: 'loud' is not one of" "$T/reload.out" || fail "reload errors: $(cat "$T/reload.out")"
grep -q "reload refused" "$T/reload.out" || fail "no verdict: $(cat "$T/reload.out")"
[ "$(netd_pid)" = "$pid" ] || fail "netd restarted by a refused reload"
ok "reload of a broken file refused with its errors"

sleep 1.1
write_conf "heartbeat-interval 2" "heartbeat-timeout 5"
ctl reload > "$T/reload.out" 2>&1 || fail "reload failed: $(cat "$T/reload.out")"
grep -q "^configuration reloaded$" "$T/reload.out" || fail "reload said: $(cat "$T/reload.out")"
[ "$(netd_pid)" = "$pid" ] || fail "netd restarted though its settings did not change"
sleep 1.1
write_conf "heartbeat-interval 2" "heartbeat-timeout 6"
ctl reload > "$T/reload.out" 2>&1 || fail "reload failed: $(cat "$T/reload.out")"
grep -q "lockprobe-netd restarted" "$T/reload.out" || fail "reload said: $(cat "$T/reload.out")"
wait_netd_up 2
[ "$(netd_pid)" != "$pid" ] || fail "netd not restarted"
ctl status > "$T/status" || fail "status after netd restart: $(cat "$T/status")"
grep -q "started 2 times" "$T/status" || fail "restart not counted: $(cat "$T/status")"
ok "reloads applied; control socket survives a netd restart"

if su -s /bin/sh "$NETD_USER" -c "'$LOCKPROBECTL' -s '$T/ctl.sock' status" > "$T/denied" 2>&1; then
	fail "$NETD_USER could use the control socket"
fi
grep -q "Permission denied" "$T/denied" && grep -q "mode 0660, group root" "$T/denied" || fail "unclear refusal: $(cat "$T/denied")"
ok "a user without access gets a clear error"

"$LOCKPROBECTL" -s "$T/ctl.sock" frobnicate > "$T/usage" 2>&1 && fail "unknown command accepted"
grep -q "unknown command 'frobnicate'" "$T/usage" || fail "usage: $(cat "$T/usage")"

# A hostile client: garbage, an oversized datagram, a message that is not a
# control request, too many connections.  Each is answered with an error or
# refused, and netd keeps serving.
pid=$(netd_pid)
python3 - "$T/ctl.sock" <<'PY' > "$T/hostile" 2>&1 || fail "hostile client: $(cat "$T/hostile")"
import socket, struct, sys
MAGIC = 0x4C505231
def conn():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.settimeout(5)
    s.connect(sys.argv[1])
    return s
def frame(p): return struct.pack(">II", MAGIC, len(p)) + p
s = conn()
s.send(b"GET / HTTP/1.0\r\n\r\n")
assert b"malformed message" in s.recv(70000)
s.send(frame(b"\x08\x05\x62\x02\x08\x01"))       # a heartbeat: not for clients
assert b"not a control request" in s.recv(70000)
s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
s.send(frame(b"\x08\x01" + b"\x00" * 70000))    # oversized
assert b"malformed message" in s.recv(70000)
s.send(frame(b"\x08\x09\x8a\x01\x00"))          # a real status request
r = s.recv(70000)
assert b"lockprobed" not in r or len(r) > 40, r
refused = 0
many = []
for _ in range(20):
    try:
        many.append(conn())
    except (BlockingIOError, socket.timeout):
        refused += 1    # the listen queue is full: refused too
for c in many:
    c.settimeout(1)
    try:
        if c.recv(10) == b"":
            refused += 1
    except socket.timeout:
        pass
assert refused >= 5, refused
print("refused", refused, "of 20 extra clients")
PY
ok "hostile client: $(cat "$T/hostile")"
[ "$(netd_pid)" = "$pid" ] || fail "netd died on a hostile client"
sleep 0.5
ctl status > "$T/status" || fail "status after the hostile client: $(cat "$T/status")"
grep -q "refused [1-9]" "$T/status" || fail "refused clients not counted: $(cat "$T/status")"
ok "netd still serving"
finish
