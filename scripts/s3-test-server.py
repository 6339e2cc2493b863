#!/usr/bin/env python3
"""Runs moto's S3 server on 127.0.0.1 for FlowS3's tests.

Prints "LISTENING <port>" once it accepts connections, then serves until its standard input
closes (the test process ended, however it ended) or it gets SIGTERM. Binds loopback only.

Needs `pip install 'moto[server]'` in the Python that runs it (see FLOWQ_TEST_VENV).
"""
import argparse
import logging
import signal
import sys
import threading

from moto.server import ThreadedMotoServer


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    args = parser.parse_args()

    # One line per request would bury the test output.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=args.port, verbose=False)
    server.start()
    _, port = server.get_host_and_port()
    print(f"LISTENING {port}", flush=True)

    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())

    def watch_stdin() -> None:
        sys.stdin.read()  # returns at EOF: the parent closed the pipe or died
        done.set()

    threading.Thread(target=watch_stdin, daemon=True).start()
    done.wait()
    server.stop()


if __name__ == "__main__":
    main()
