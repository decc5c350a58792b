#!/usr/bin/env python3
"""Loopback servers for the fetch tests: HTTP, HTTPS and DNS on 127.0.0.1.

usage: fetch_server.py DIR CERT KEY

Binds free ports, writes "HTTP_PORT=n HTTPS_PORT=n DNS_PORT=n HTTP6_PORT=n
SILENT_PORT=n" to DIR/ports (atomically) and serves until killed, or for at
most 300 s.  HTTP6_PORT is HTTP on ::1 (0 if the host has no IPv6
loopback); SILENT_PORT accepts TCP connections and never answers.

HTTP paths (the same on HTTP and HTTPS; a proxy request's absolute URL is
routed by its path):
  /ok            200, ETag "v1", a Last-Modified; 304 if either matches
  /missing       404
  /error         500
  /slow-headers  nothing for 5 s
  /slow-body     Content-Length 100, 10 bytes, then nothing for 5 s
  /truncated     Content-Length 1000, 100 bytes, then close
  /garbage       not HTTP, then close
  /big           Content-Length 100000, all of it
  /big-chunked   100000 bytes chunked, no Content-Length
  /redirect      302 to /ok
  /echo          200, the request line and headers as the body
  /huge-headers  200 with 20000 bytes of headers
  /bad-length    200 with Content-Length: abc
  /bad-chunk     200, chunked, with a chunk size that is not hex
  /repo/PATH     the file DIR/repo/PATH (a TUF repository), with an ETag
                 (its SHA-256) and its Last-Modified; 304 if If-None-Match
                 matches, or without it, If-Modified-Since.  DIR/repo-mode, if present, says how to fail
                 instead: "error" (500), "garbage" (not HTTP), "absent"
                 (404), "slow" (nothing for 15 s, then 500), "truncate" or
                 "truncate:TEXT" (for every path, or those containing
                 TEXT: the headers and half the body, then close).  Every request is logged to DIR/requests.log as
                 "PATH STATUS BODY-BYTES REQUEST-HEADER-BYTES
                 RESPONSE-HEADER-BYTES".
DNS: A queries for *.test answer 127.0.0.1 except nxdomain.test (NXDOMAIN);
other types answer no records.
"""
import email.utils
import hashlib
import http.server
import os
import socket
import socketserver
import ssl
import struct
import sys
import threading
import time

ETAG = '"v1"'
LAST_MODIFIED = "Tue, 01 Sep 2026 10:00:00 GMT"
OK_BODY = b"hello lockprobe\n"


OUT_DIR = "."
LOG_LOCK = threading.Lock()


def log_request(path, status, body_bytes, req_bytes, resp_bytes=0):
    with LOG_LOCK:
        with open(os.path.join(OUT_DIR, "requests.log"), "a") as f:
            f.write("%s %d %d %d %d\n" % (path, status, body_bytes,
                                          req_bytes, resp_bytes))


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 10

    def serve_repo(self, rel):
        try:
            with open(os.path.join(OUT_DIR, "repo-mode")) as f:
                mode = f.read().strip()
        except OSError:
            mode = ""
        # the request line, its headers and the blank line after them
        req_bytes = len(self.requestline) + 2 + len(str(self.headers))
        if mode == "garbage":
            self.wfile.write(b"\x00\x01 this is not HTTP\r\n\r\n")
            self.close_connection = True
            log_request(rel, 0, 0, req_bytes)
            return
        full = os.path.realpath(os.path.join(OUT_DIR, "repo", rel))
        root = os.path.realpath(os.path.join(OUT_DIR, "repo"))
        if mode == "slow":
            time.sleep(15)
        if mode in ("error", "slow"):
            self.send_body(500, b"broken\n")
            log_request(rel, 500, 7, req_bytes)
            return
        if (mode == "absent" or not full.startswith(root + "/") or
                not os.path.isfile(full)):
            self.send_body(404, b"not here\n")
            log_request(rel, 404, 9, req_bytes)
            return
        with open(full, "rb") as f:
            body = f.read()
        etag = '"%s"' % hashlib.sha256(body).hexdigest()[:32]
        lastmod = email.utils.formatdate(os.stat(full).st_mtime,
                                         usegmt=True)
        inm = self.headers.get("If-None-Match")
        # RFC 9110: If-Modified-Since only without If-None-Match
        if (inm == etag or (inm is None and
                            self.headers.get("If-Modified-Since") ==
                            lastmod)):
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Connection", "close")
            resp_bytes = sum(len(b) for b in self._headers_buffer) + 2
            self.end_headers()
            log_request(rel, 304, 0, req_bytes, resp_bytes)
            return
        if mode.startswith("truncate") and mode[9:] in rel:
            # all the headers, half the body, then the connection closes
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[:len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            log_request(rel, 200, len(body) // 2, req_bytes)
            return
        self.send_body(200, body, [("ETag", etag),
                                   ("Last-Modified", lastmod)])
        log_request(rel, 200, len(body), req_bytes)

    def log_message(self, fmt, *args):
        pass

    def send_body(self, code, body, headers=()):
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)
        self.close_connection = True

    def do_GET(self):
        path = self.path
        if path.startswith("http://"):
            path = "/" + path.split("/", 3)[3]
        path = path.split("?", 1)[0]
        self.close_connection = True
        if path.startswith("/repo/"):
            self.serve_repo(path[len("/repo/"):])
        elif path == "/ok":
            if (self.headers.get("If-None-Match") == ETAG or
                    self.headers.get("If-Modified-Since") == LAST_MODIFIED):
                self.send_response(304)
                self.send_header("ETag", ETAG)
                self.send_header("Connection", "close")
                self.end_headers()
                return
            self.send_body(200, OK_BODY, [("ETag", ETAG),
                                          ("Last-Modified", LAST_MODIFIED)])
        elif path == "/missing":
            self.send_body(404, b"not here\n")
        elif path == "/error":
            self.send_body(500, b"broken\n")
        elif path == "/slow-headers":
            time.sleep(5)
        elif path == "/slow-body":
            self.send_response(200)
            self.send_header("Content-Length", "100")
            self.end_headers()
            self.wfile.write(b"x" * 10)
            self.wfile.flush()
            time.sleep(5)
        elif path == "/truncated":
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b"x" * 100)
        elif path == "/garbage":
            self.wfile.write(b"SSH-2.0-not-http\r\n\x00\x01\x02\r\n\r\n")
        elif path == "/big":
            self.send_body(200, b"b" * 100000)
        elif path == "/big-chunked":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for _ in range(100):
                self.wfile.write(b"3e8\r\n" + b"c" * 1000 + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
        elif path == "/redirect":
            self.send_body(302, b"", [("Location", "/ok")])
        elif path == "/huge-headers":
            self.send_response(200)
            for i in range(200):
                self.send_header("X-Filler-%d" % i, "f" * 90)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")
        elif path == "/bad-length":
            self.send_response(200)
            self.send_header("Content-Length", "abc")
            self.end_headers()
            self.wfile.write(b"ok")
        elif path == "/bad-chunk":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self.wfile.write(b"zz\r\nhello\r\n0\r\n\r\n")
        elif path == "/echo":
            text = self.requestline + "\n" + str(self.headers)
            self.send_body(200, text.encode())
        else:
            self.send_body(404, b"no such test path\n")


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        pass    # clients that stop reading (the size limit) are expected


class TLSServer(Server):
    def __init__(self, addr, handler, ctx):
        super().__init__(addr, handler)
        self.ctx = ctx

    def get_request(self):
        sock, addr = self.socket.accept()
        sock.settimeout(10)
        try:
            return self.ctx.wrap_socket(sock, server_side=True), addr
        except (ssl.SSLError, OSError):
            sock.close()
            raise


def dns_answer(query):
    if len(query) < 12:
        return None
    qid, flags, qd = struct.unpack(">HHH", query[:6])
    if qd != 1:
        return None
    pos, labels = 12, []
    while pos < len(query) and query[pos] != 0:
        n = query[pos]
        labels.append(query[pos + 1:pos + 1 + n].decode("ascii", "replace"))
        pos += 1 + n
    pos += 1
    if pos + 4 > len(query):
        return None
    qtype, qclass = struct.unpack(">HH", query[pos:pos + 4])
    question = query[12:pos + 4]
    name = ".".join(labels).lower()
    rcode, answers = 0, b""
    if not name.endswith(".test") or name == "nxdomain.test":
        rcode = 3
    elif qtype == 1:
        answers = (b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 60, 4) +
                   socket.inet_aton("127.0.0.1"))
    head = struct.pack(">HHHHHH", qid, 0x8180 | rcode, 1,
                       1 if answers else 0, 0, 0)
    return head + question + answers


def serve_dns(sock):
    while True:
        try:
            data, peer = sock.recvfrom(512)
        except OSError:
            return
        reply = dns_answer(data)
        if reply is not None:
            sock.sendto(reply, peer)


class Server6(Server):
    address_family = socket.AF_INET6


def serve_silent(sock):
    held = []
    while True:
        try:
            conn, _ = sock.accept()
        except OSError:
            return
        held.append(conn)
        if len(held) > 50:
            held.pop(0).close()


def main():
    global OUT_DIR
    out, cert, key = sys.argv[1:4]
    OUT_DIR = out
    http_srv = Server(("127.0.0.1", 0), Handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    https_srv = TLSServer(("127.0.0.1", 0), Handler, ctx)
    dns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    dns.bind(("127.0.0.1", 0))
    silent = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    silent.bind(("127.0.0.1", 0))
    silent.listen(64)
    servers = [http_srv.serve_forever, https_srv.serve_forever]
    http6_port = 0
    try:
        http6_srv = Server6(("::1", 0), Handler)
        http6_port = http6_srv.server_address[1]
        servers.append(http6_srv.serve_forever)
    except OSError:
        pass
    for target in servers:
        threading.Thread(target=target, daemon=True).start()
    threading.Thread(target=serve_dns, args=(dns,), daemon=True).start()
    threading.Thread(target=serve_silent, args=(silent,), daemon=True).start()
    with open(os.path.join(out, "ports.tmp"), "w") as f:
        f.write("HTTP_PORT=%d HTTPS_PORT=%d DNS_PORT=%d HTTP6_PORT=%d "
                "SILENT_PORT=%d\n" % (
                    http_srv.server_address[1], https_srv.server_address[1],
                    dns.getsockname()[1], http6_port,
                    silent.getsockname()[1]))
    os.rename(os.path.join(out, "ports.tmp"), os.path.join(out, "ports"))
    time.sleep(300)


if __name__ == "__main__":
    main()
