#!/usr/bin/python3
"""HTTP client for the metrics endpoint tests (tests/daemon/metrics.sh,
tests/daemon/dashboard.sh): raw sockets, so that a test can send what no
well-behaved client would.

  metrics_client.py PORT get PATH [METHOD]   print status line, then body
  metrics_client.py PORT raw HEX             send bytes, print the answer
  metrics_client.py PORT huge N              a request with N bytes of headers
  metrics_client.py PORT slow                send half a request, then wait
  metrics_client.py PORT crowd N             hold N idle connections, then
                                             print the status of one more
  metrics_client.py PORT parse FILE          parse FILE with prometheus_client
                                             and print one family per line
"""
import os
import socket
import sys

HOST = "127.0.0.1"


def exchange(port, data, timeout=40):
    s = socket.create_connection((HOST, port), timeout=timeout)
    try:
        if data:
            s.sendall(data)
        return read_all(s)
    finally:
        s.close()


def read_all(s):
    out = b""
    while True:
        try:
            chunk = s.recv(65536)
        except ConnectionResetError:
            break
        if not chunk:
            break
        out += chunk
    return out


def status_line(answer):
    return answer.split(b"\r\n", 1)[0].decode("ascii", "replace")


def main():
    port, cmd, args = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
    if cmd == "get":
        method = args[1] if len(args) > 1 else "GET"
        ans = exchange(port, ("%s %s HTTP/1.1\r\nHost: %s\r\n\r\n" %
                              (method, args[0], HOST)).encode())
        head, _, body = ans.partition(b"\r\n\r\n")
        try:
            print(status_line(head))
            sys.stdout.write(body.decode("utf-8"))
            sys.stdout.flush()
        except BrokenPipeError:     # | head -n 1: as the Python docs say
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    elif cmd == "raw":
        print(status_line(exchange(port, bytes.fromhex(args[0]))))
    elif cmd == "huge":
        req = b"GET /metrics HTTP/1.1\r\nX-Pad: " + b"a" * int(args[0])
        s = socket.create_connection((HOST, port), timeout=40)
        try:
            s.sendall(req + b"\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass    # refused before the end: the answer may still be there
        ans = read_all(s)
        s.close()
        print(status_line(ans) if ans else "no answer")
    elif cmd == "slow":
        s = socket.create_connection((HOST, port), timeout=60)
        s.sendall(b"GET /metrics HTTP/1.1\r\nHost: ")
        # one byte now and then, never the end of the request
        ans = b""
        for _ in range(60):
            try:
                s.sendall(b"x")
            except (BrokenPipeError, ConnectionResetError):
                break
            s.settimeout(1)
            try:
                ans = s.recv(65536)
                if ans:
                    break
            except socket.timeout:
                continue
        s.settimeout(10)
        ans += read_all(s) if ans else b""
        s.close()
        print(status_line(ans) if ans else "no answer")
    elif cmd == "crowd":
        held = []
        for _ in range(int(args[0])):
            held.append(socket.create_connection((HOST, port), timeout=30))
        # netd accepts in order: these hold every slot before the next,
        # which is answered at once, before it sends anything
        print(status_line(exchange(port, b"")))
        for s in held:
            s.close()
    elif cmd == "parse":
        from prometheus_client.parser import text_string_to_metric_families
        with open(args[0], encoding="utf-8") as f:
            for fam in text_string_to_metric_families(f.read()):
                print(fam.name, fam.type, len(fam.samples))
    else:
        sys.exit("unknown command " + cmd)


if __name__ == "__main__":
    main()
