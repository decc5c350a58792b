#!/usr/bin/python3
# A scripted lockprobe-netd for tests/daemon/config_apply.sh: lockprobed
# starts it in netd's place (through a wrapper that passes the two paths).
# It says hello, answers heartbeats, and runs the JSON requests the test
# writes to the command FIFO, one a line, against lockprobed:
#   {"op": "apply", "product": ..., "target": ..., "version": N,
#    "sha256": ..., "collector": {"enabled": true, "include": [...], ...}}
#   {"op": "status"}   {"op": "rewalk"}   {"op": "stats", "map_id": N}
# Each answer is one JSON line appended to the output file.
import json
import os
import select
import socket
import struct
import sys

MAGIC = 0x4C505231
ENV_STATUS_REQUEST, ENV_STATUS_REPLY = 17, 18
ENV_CONFIG_APPLY, ENV_CONFIG_APPLY_REPLY = 30, 31
ENV_REWALK_REQUEST, ENV_REWALK_REPLY = 32, 33
ENV_STATS_REQUEST, ENV_STATS_REPLY = 21, 22


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
    return fields[num][-1] if num in fields else default


def settings_msg(c):
    out = b""
    if "enabled" in c:
        out += field_varint(1, 1 if c["enabled"] else 0)
    if "rewalk_interval_sec" in c:
        out += field_varint(2, c["rewalk_interval_sec"])
    if "range_budget" in c:
        out += field_varint(3, c["range_budget"])
    for num, key in ((4, "include"), (5, "exclude"), (6, "map_types")):
        for word in c.get(key, []):
            out += field_bytes(num, word)
    return out


def settings_json(buf):
    f = parse(buf)
    strs = lambda n: [w.decode() for w in f.get(n, [])]
    return {"enabled": bool(one(f, 1, 0)),
            "rewalk_interval_sec": one(f, 2), "range_budget": one(f, 3),
            "include": strs(4), "exclude": strs(5), "map_types": strs(6)}


def request(req):
    op = req["op"]
    if op == "apply":
        body = (field_bytes(1, req.get("product", "lockstat")) +
                field_bytes(2, req.get("target", "lockstat/default.json")) +
                field_varint(3, req.get("version", 1)))
        if "sha256" in req:
            body += field_bytes(4, req["sha256"])
        if "collector" in req:
            body += field_bytes(5, settings_msg(req["collector"]))
        return ENV_CONFIG_APPLY, body
    if op == "status":
        return ENV_STATUS_REQUEST, b""
    if op == "rewalk":
        return ENV_REWALK_REQUEST, b""
    if op == "stats":
        return ENV_STATS_REQUEST, field_varint(1, req["map_id"])
    raise ValueError("unknown op " + op)


def answer(body_num, body):
    f = parse(body)
    if body_num == ENV_CONFIG_APPLY_REPLY:
        err = one(f, 2)
        return {"applied": bool(one(f, 1, 0)),
                "error": err.decode() if err is not None else None}
    if body_num == ENV_REWALK_REPLY:
        err = one(f, 4)
        return {"maps": one(f, 1), "ranges": one(f, 2),
                "error": err.decode() if err is not None else None}
    if body_num == ENV_STATS_REPLY:
        err = one(f, 6)
        rows = [parse(r) for r in f.get(1, [])]
        return {"map_ids": sorted({one(r, 1) for r in rows}),
                "lock_kinds": sorted({one(r, 4).decode() for r in rows}),
                "error": err.decode() if err is not None else None}
    if body_num == ENV_STATUS_REPLY:
        col = parse(one(f, 16, b""))
        origin = one(col, 15)
        return {"walks": one(col, 1), "maps": one(col, 2),
                "rewalk_interval_sec": one(col, 8),
                "settings": settings_json(one(col, 14, b"")),
                "settings_origin": origin.decode() if origin else None,
                "maps_filtered": one(col, 16)}
    return {"unexpected": body_num}


def main():
    cmd_path, out_path = sys.argv[1], sys.argv[2]
    s = socket.socket(fileno=3)
    s.setblocking(True)
    s.recv(70000)  # the setup
    hello = (field_varint(1, 2) + field_bytes(2, "config-netd") +
             field_varint(3, os.getpid()))
    s.send(frame(field_varint(1, 1) + field_bytes(11, hello)))
    cmds = os.open(cmd_path, os.O_RDWR)  # never sees EOF
    pending, next_id, line = {}, 100, b""
    out = open(out_path, "a")
    while True:
        ready, _, _ = select.select([s, cmds], [], [])
        if cmds in ready:
            line += os.read(cmds, 4096)
            while b"\n" in line:
                text, line = line.split(b"\n", 1)
                num, body = request(json.loads(text))
                next_id += 1
                pending[next_id] = True
                s.send(frame(field_varint(1, next_id) +
                             field_bytes(num, body)))
        if s in ready:
            data = s.recv(70000)
            if not data:
                return
            env = parse(data[8:])
            env_id = one(env, 1, 0)
            if 12 in env:  # heartbeat: echo its id and time
                hb = parse(one(env, 12))
                ack = field_varint(1, one(hb, 1, 0))
                s.send(frame(field_varint(1, env_id) + field_bytes(13, ack)))
                continue
            if env_id not in pending:
                continue
            del pending[env_id]
            body_num = [n for n in env if n != 1][0]
            out.write(json.dumps(answer(body_num, one(env, body_num))) + "\n")
            out.flush()


main()
