#!/usr/bin/env python3
"""A tiny EC2 instance metadata service (IMDSv2 only) for FlowS3's credential tests.

Pure standard library. Binds 127.0.0.1 only, prints "LISTENING <port>", and serves until its
standard input closes or it gets SIGTERM. Credentials need the token from PUT /latest/api/token
(which needs X-aws-ec2-metadata-token-ttl-seconds); without it they answer 401.
"""
import argparse
import json
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOKEN = "stub-imds-session-token"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    args = None

    def log_message(self, *args):
        pass

    def answer(self, status: int, body: str) -> None:
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_PUT(self):
        if self.path != "/latest/api/token":
            return self.answer(404, "not found")
        if not self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
            return self.answer(400, "missing ttl header")
        self.answer(200, TOKEN)

    def do_GET(self):
        if self.headers.get("X-aws-ec2-metadata-token") != TOKEN:
            return self.answer(401, "")
        base = "/latest/meta-data/iam/security-credentials/"
        if self.path == base:
            return self.answer(200, self.args.role + "\n")
        if self.path == base + self.args.role:
            return self.answer(200, json.dumps({
                "Code": "Success",
                "LastUpdated": "2026-01-01T00:00:00Z",
                "Type": "AWS-HMAC",
                "AccessKeyId": self.args.key,
                "SecretAccessKey": self.args.secret,
                "Token": self.args.token,
                "Expiration": "2099-01-01T00:00:00Z",
            }))
        self.answer(404, "not found")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--role", default="flowq-test-role")
    parser.add_argument("--key", default="ASIAIMDSSTUBEXAMPLE")
    parser.add_argument("--secret", default="imds-stub-secret")
    parser.add_argument("--token", default="imds-stub-session-token")
    Handler.args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print(f"LISTENING {server.server_address[1]}", flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    threading.Thread(target=lambda: (sys.stdin.read(), done.set()), daemon=True).start()
    done.wait()
    server.shutdown()


if __name__ == "__main__":
    main()
