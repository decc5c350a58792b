#!/bin/sh
# lockprobe-netd runs only when started by lockprobed, and rejects a peer that
# does not speak the protocol.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
setup_test

if "$NETD" > "$T/out" 2>&1; then
	fail "netd ran without its IPC descriptor"
fi
grep -q "must be started by lockprobed" "$T/out" || fail "unclear refusal: $(cat "$T/out")"
ok "no descriptor 3: refused"

if "$NETD" 3< "$CONF" 4< "$CONF" > "$T/out" 2>&1; then
	fail "netd ran with a regular file on descriptor 3"
fi
grep -q "must be started by lockprobed" "$T/out" || fail "unclear refusal: $(cat "$T/out")"
ok "a file on descriptor 3: refused"

if "$NETD" extra-argument 3< "$CONF" > /dev/null 2>&1; then
	fail "netd accepted arguments"
fi

# A real SOCK_SEQPACKET peer that sends garbage, then closes: netd rejects
# each datagram (its log lines come back over the socket) and exits non-zero.
command -v python3 >/dev/null || skip "needs python3"
python3 - "$NETD" "$T/ctl.sock" > "$T/py.out" 2>&1 <<'PY' || fail "garbage peer: $(cat "$T/py.out")"
import os, socket, struct, subprocess, sys, time
placeholders = [os.open("/dev/null", os.O_RDONLY) for _ in range(2)]  # 3, 4
a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
ctl = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
ctl.bind(sys.argv[2])
ctl.listen(1)
os.dup2(b.fileno(), 3, inheritable=True)
os.dup2(ctl.fileno(), 4, inheritable=True)
p = subprocess.Popen([sys.argv[1]], pass_fds=(3, 4))
os.close(3)
os.close(4)
b.close()
a.send(b"GET / HTTP/1.0\r\n\r\n")                       # bad magic
a.send(struct.pack(">II", 0x4c505231, 100) + b"\x08")   # truncated
a.send(struct.pack(">II", 0x4c505231, 3) + b"\x08\xff\xff")  # undecodable
a.send(struct.pack(">II", 0x4c505231, 6) + b"\x08\x01\x62\x02\x08\x05")  # heartbeat first: out of order
time.sleep(0.5)
a.settimeout(2)
lines = []
try:
    while True:
        lines.append(a.recv(70000))
except socket.timeout:
    pass
a.close()
rc = p.wait(timeout=15)
text = b"\n".join(lines)
for want in (b"bad magic", b"truncated", b"undecodable", b"out of order", b"netd-setup must come first"):
    if want not in text:
        print("netd did not report", want, "; got", text)
        sys.exit(1)
if rc == 0:
    print("netd exited 0 after garbage")
    sys.exit(1)
print("netd exited", rc)
PY
ok "garbage peer: every datagram rejected and reported, netd exited non-zero"
finish
