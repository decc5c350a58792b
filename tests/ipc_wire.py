# The lockprobe IPC wire format for the tests' scripted netds
# (tests/config_netd.py, tests/fake_netd.py): protobuf fields by hand (no
# python3-protobuf on the test machines), the 8-byte frame of common/ipc.c,
# and the netd side of start-up and heartbeats.  Field numbers are
# proto/lockprobe.proto's.
import os
import struct

MAGIC = 0x4C505231
PROTOCOL_VERSION = 2
ENV_NETD_SETUP, ENV_HELLO, ENV_HEARTBEAT, ENV_HEARTBEAT_ACK = 10, 11, 12, 13
ENV_LOG_LINE = 14
ENV_STATUS_REQUEST, ENV_STATUS_REPLY = 17, 18
ENV_STATS_REQUEST, ENV_STATS_REPLY = 21, 22
ENV_CONFIG_APPLY, ENV_CONFIG_APPLY_REPLY = 30, 31
ENV_REWALK_REQUEST, ENV_REWALK_REPLY = 32, 33
MAX_DATAGRAM = 70000


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
    if isinstance(data, str):
        data = data.encode()
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
    """Fields of a message: {number: [varint or bytes, ...]}."""
    fields, i = {}, 0
    while i < len(buf):
        key, i = read_varint(buf, i)
        num, wire = key >> 3, key & 7
        if wire == 0:
            value, i = read_varint(buf, i)
        elif wire == 2:
            n, i = read_varint(buf, i)
            value = bytes(buf[i:i + n])
            i += n
        elif wire == 1:
            value, i = buf[i:i + 8], i + 8
        elif wire == 5:
            value, i = buf[i:i + 4], i + 4
        else:
            raise ValueError("wire type %d" % wire)
        fields.setdefault(num, []).append(value)
    return fields


def one(fields, num, default=None):
    """The last value of field num (protobuf's rule for a repeated scalar)."""
    return fields[num][-1] if num in fields else default


def hello(name):
    """The Hello body a netd sends first."""
    return (field_varint(1, PROTOCOL_VERSION) + field_bytes(2, name) +
            field_varint(3, os.getpid()))


def start(name):
    """Take the socket lockprobed passes on descriptor 3, read the setup,
    say hello; returns the socket and the hello body."""
    import socket
    s = socket.socket(fileno=3)
    s.setblocking(True)
    s.recv(MAX_DATAGRAM)  # the setup
    body = hello(name)
    s.send(frame(envelope(1, ENV_HELLO, body)))
    return s, body


def answer_heartbeat(s, env):
    """If the parsed envelope env is a heartbeat, echo its id and time and
    return True."""
    if ENV_HEARTBEAT not in env:
        return False
    hb = parse(one(env, ENV_HEARTBEAT))
    ack = field_varint(1, one(hb, 1, 0))
    s.send(frame(envelope(one(env, 1, 0), ENV_HEARTBEAT_ACK, ack)))
    return True
