#!/usr/bin/python3
# A hostile lockprobe-netd for tests/daemon/ipc_garbage.sh: lockprobed starts
# it in netd's place (netd-path).  It says hello, then sends one of every
# kind of bad message, floods log lines, and from then on answers heartbeats
# correctly, so the test can check that lockprobed rejected everything, kept
# running, and kept this netd.
import os
import struct
import sys

sys.dont_write_bytecode = True  # nothing written into the source tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from ipc_wire import (ENV_HELLO, ENV_HEARTBEAT_ACK, ENV_LOG_LINE,  # noqa: E402
                      ENV_NETD_SETUP, MAGIC, MAX_DATAGRAM, answer_heartbeat,
                      envelope, field_bytes, field_varint, frame, parse,
                      start)

s, hello = start("fake")

s.send(b"\x00\x01")                                    # truncated header
s.send(b"JUNKJUNKJUNK")                                # bad magic
s.send(struct.pack(">II", MAGIC, 50) + b"\x08\x01")    # truncated payload
s.send(frame(b"\x08\xff\xff"))                         # undecodable
s.send(frame(field_varint(1, 2) + field_bytes(60, b"")))  # unknown body
s.send(frame(envelope(3, ENV_HELLO, hello)))          # hello twice
# an ack for nothing
s.send(frame(envelope(999, ENV_HEARTBEAT_ACK, field_varint(1, 1))))
setup = (field_varint(1, 1) + field_bytes(2, b"/") + field_varint(3, 0) +
         field_varint(4, 0) + field_varint(5, 0) + field_varint(6, 5) +
         field_varint(7, 7))
s.send(frame(envelope(4, ENV_NETD_SETUP, setup)))     # wrong direction
s.send(frame(envelope(5, ENV_LOG_LINE, field_varint(1, 3) +
                      field_bytes(2, b"evil\x1b[2Jline\nforged: entry"))))
for n in range(600):                                   # a log flood
    s.send(frame(envelope(0, ENV_LOG_LINE, field_varint(1, 6) +
                          field_bytes(2, b"flood %d" % n))))
s.send(frame(envelope(6, ENV_LOG_LINE, field_varint(1, 0) +
                      field_bytes(2, b"x" * 5000))))

while True:
    data = s.recv(MAX_DATAGRAM)
    if not data:
        break
    if len(data) >= 8:
        answer_heartbeat(s, parse(data[8:]))
