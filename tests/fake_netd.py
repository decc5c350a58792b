#!/usr/bin/python3
# A hostile lockprobe-netd for tests/daemon/ipc_garbage.sh: lockprobed starts
# it in netd's place (netd-path).  It says hello, then sends one of every
# kind of bad message, floods log lines, and from then on answers heartbeats
# correctly, so the test can check that lockprobed rejected everything, kept
# running, and kept this netd.
import os
import socket
import struct

MAGIC = 0x4C505231


def varint(n):
    out = b""
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out += bytes([b | 0x80])
        else:
            return out + bytes([b])


def field_varint(num, value):
    return varint(num << 3) + varint(value)


def field_bytes(num, data):
    return varint((num << 3) | 2) + varint(len(data)) + data


def frame(payload):
    return struct.pack(">II", MAGIC, len(payload)) + payload


def envelope(msg_id, body_field, body):
    return field_varint(1, msg_id) + field_bytes(body_field, body)


def read_varint(buf, i):
    shift = value = 0
    while True:
        b = buf[i]
        i += 1
        value |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return value, i


def parse(buf):
    """Top-level fields of an envelope: {number: varint or bytes}."""
    fields, i = {}, 0
    while i < len(buf):
        key, i = read_varint(buf, i)
        num, wire = key >> 3, key & 7
        if wire == 0:
            fields[num], i = read_varint(buf, i)
        elif wire == 2:
            n, i = read_varint(buf, i)
            fields[num] = buf[i:i + n]
            i += n
        else:
            raise ValueError("wire type %d" % wire)
    return fields


s = socket.socket(fileno=3)
s.setblocking(True)
s.recv(70000)  # the setup
hello = field_varint(1, 2) + field_bytes(2, b"fake") + field_varint(3, os.getpid())
s.send(frame(envelope(1, 11, hello)))

s.send(b"\x00\x01")                                    # truncated header
s.send(b"JUNKJUNKJUNK")                                # bad magic
s.send(struct.pack(">II", MAGIC, 50) + b"\x08\x01")    # truncated payload
s.send(frame(b"\x08\xff\xff"))                         # undecodable
s.send(frame(field_varint(1, 2) + field_bytes(60, b"")))  # unknown body
s.send(frame(envelope(3, 11, hello)))                  # hello twice
s.send(frame(envelope(999, 13, field_varint(1, 1))))   # ack for nothing
setup = (field_varint(1, 1) + field_bytes(2, b"/") + field_varint(3, 0) +
         field_varint(4, 0) + field_varint(5, 0) + field_varint(6, 5) +
         field_varint(7, 7))
s.send(frame(envelope(4, 10, setup)))                  # wrong direction
s.send(frame(envelope(5, 14, field_varint(1, 3) +
                      field_bytes(2, b"evil\x1b[2Jline\nforged: entry"))))
for n in range(600):                                   # a log flood
    s.send(frame(envelope(0, 14, field_varint(1, 6) +
                          field_bytes(2, b"flood %d" % n))))
s.send(frame(envelope(6, 14, field_varint(1, 0) + field_bytes(2, b"x" * 5000))))

while True:
    data = s.recv(70000)
    if not data:
        break
    if len(data) < 8:
        continue
    env = parse(data[8:])
    if 12 in env:  # heartbeat: echo its id and time
        hb = parse(env[12])
        ack = field_varint(1, hb.get(1, 0))
        s.send(frame(envelope(env[1], 13, ack)))
