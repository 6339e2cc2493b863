#!/usr/bin/env python3
"""An HTTP proxy in front of an S3 server that injects faults, for FlowS3's retry tests.

Pure standard library. Binds 127.0.0.1 only, prints "LISTENING <port>", and serves until its
standard input closes or it gets SIGTERM.

Faults apply to object GETs (GET requests without a `list-type` query; with `--scope all`, to
every request) and to at most `--times` of them (-1: every one, forever):

  none          pass everything through
  slowdown      answer 503 with an S3 <Error><Code>SlowDown</Code> body
  drop          send the headers and --after body bytes, then reset the connection (RST)
  short         send the headers (full Content-Length) and --after bytes, then close cleanly
  stall         send the headers and --after bytes, then go silent for --stall-seconds

With `--strip-range`, Range and If-Match are removed from every request, as a server that does
not support ranges would ignore them: the whole object comes back with 200.

GET /__proxy/stats answers JSON: {"requests": n, "faults": n, "ranges": [...], "if_match": [...]}.
"""
import argparse
import http.client
import json
import signal
import socket
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade"}
SLOWDOWN_BODY = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b"<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message>"
    b"<RequestId>FAULTPROXY</RequestId></Error>"
)


class State:
    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.requests = 0
        self.faults = 0
        self.ranges = []
        self.if_match = []

    def take_fault(self) -> bool:
        """Whether this object GET gets the fault (counts it if so)."""
        with self.lock:
            if self.args.fault == "none":
                return False
            if self.args.times >= 0 and self.faults >= self.args.times:
                return False
            self.faults += 1
            return True


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    state: State = None  # set in main

    def log_message(self, *args):  # keep test output quiet
        pass

    def do_GET(self):
        self.relay()

    def do_PUT(self):
        self.relay()

    def do_HEAD(self):
        self.relay()

    def do_POST(self):
        self.relay()

    def do_DELETE(self):
        self.relay()

    def relay(self):
        st = self.state
        if self.path.startswith("/__proxy/stats"):
            with st.lock:
                body = json.dumps({"requests": st.requests, "faults": st.faults,
                                   "ranges": st.ranges, "if_match": st.if_match}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return

        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        is_object_get = self.command == "GET" and "list-type=" not in urlsplit(self.path).query
        faultable = is_object_get or st.args.scope == "all"
        with st.lock:
            st.requests += 1
            if is_object_get:
                st.ranges.append(self.headers.get("Range"))
                st.if_match.append(self.headers.get("If-Match"))
        fault = st.args.fault if faultable and st.take_fault() else "none"

        if fault == "slowdown":
            self.send_response(503)
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(SLOWDOWN_BODY)))
            self.end_headers()
            self.wfile.write(SLOWDOWN_BODY)
            return

        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        if st.args.strip_range:
            headers = {k: v for k, v in headers.items() if k.lower() not in ("range", "if-match")}
        upstream = http.client.HTTPConnection(st.args.upstream_host, st.args.upstream_port, timeout=30)
        try:
            upstream.request(self.command, self.path, body=body, headers=headers)
            response = upstream.getresponse()
            payload = response.read() if self.command != "HEAD" else b""
            resp_headers = [(k, v) for k, v in response.getheaders() if k.lower() not in HOP_BY_HOP]
            status = response.status
        finally:
            upstream.close()

        self.send_response(status)
        has_length = False
        for k, v in resp_headers:
            if k.lower() == "content-length":
                has_length = True
            self.send_header(k, v)
        if not has_length:
            self.send_header("Content-Length", str(len(payload)))
        self.end_headers()

        if fault in ("drop", "short", "stall") and status in (200, 206):
            cut = min(st.args.after, max(len(payload) - 1, 0))
            self.wfile.write(payload[:cut])
            self.wfile.flush()
            if fault == "stall":
                time.sleep(st.args.stall_seconds)
            if fault == "drop":
                # SO_LINGER with a zero timeout makes close() send RST: a dropped connection.
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            else:
                self.connection.shutdown(socket.SHUT_WR)
            self.close_connection = True
            return
        self.wfile.write(payload)


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # the faults make broken pipes on purpose


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--upstream", required=True, help="host:port of the S3 server")
    parser.add_argument("--fault", default="none",
                        choices=["none", "slowdown", "drop", "short", "stall"])
    parser.add_argument("--scope", default="objects", choices=["objects", "all"])
    parser.add_argument("--strip-range", action="store_true")
    parser.add_argument("--times", type=int, default=1, help="how many object GETs to fault; -1: all")
    parser.add_argument("--after", type=int, default=1000, help="body bytes sent before drop/short/stall")
    parser.add_argument("--stall-seconds", type=float, default=5.0)
    args = parser.parse_args()
    host, _, port = args.upstream.rpartition(":")
    args.upstream_host, args.upstream_port = host or "127.0.0.1", int(port)

    Handler.state = State(args)
    server = Server(("127.0.0.1", 0), Handler)
    print(f"LISTENING {server.server_address[1]}", flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    threading.Thread(target=lambda: (sys.stdin.read(), done.set()), daemon=True).start()
    done.wait()
    server.shutdown()


if __name__ == "__main__":
    main()
