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
import sys

sys.dont_write_bytecode = True  # nothing written into the source tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from ipc_wire import (ENV_CONFIG_APPLY, ENV_CONFIG_APPLY_REPLY,  # noqa: E402
                      ENV_REWALK_REQUEST, ENV_REWALK_REPLY,
                      ENV_STATS_REQUEST, ENV_STATS_REPLY,
                      ENV_STATUS_REQUEST, ENV_STATUS_REPLY, MAX_DATAGRAM,
                      answer_heartbeat, envelope, field_bytes, field_varint,
                      frame, one, parse, start)


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
    s, _ = start("config-netd")
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
                s.send(frame(envelope(next_id, num, body)))
        if s in ready:
            data = s.recv(MAX_DATAGRAM)
            if not data:
                return
            env = parse(data[8:])
            if answer_heartbeat(s, env):
                continue
            env_id = one(env, 1, 0)
            if env_id not in pending:
                continue
            del pending[env_id]
            body_num = [n for n in env if n != 1][0]
            out.write(json.dumps(answer(body_num, one(env, body_num))) + "\n")
            out.flush()


main()
