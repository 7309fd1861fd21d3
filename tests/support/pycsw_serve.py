"""Serve pycsw's WSGI app on 127.0.0.1 (a free port) and print the port; run by the pycsw venv's Python.

Usage: python pycsw_serve.py /path/to/pycsw.cfg
This file must not import anything from the project: it runs in pycsw's own virtualenv.
"""

import os
import sys
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass


class ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


def main() -> None:
    os.environ["PYCSW_CONFIG"] = sys.argv[1]
    from pycsw.wsgi import application

    server = make_server("127.0.0.1", 0, application, server_class=ThreadingServer, handler_class=QuietHandler)
    # pycsw.wsgi prints every request path to stdout: the port goes out first, then stdout is silenced.
    print(server.server_port, flush=True)
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - lives as long as the process
    server.serve_forever()


if __name__ == "__main__":
    main()
