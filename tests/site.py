"""A real HTTP server on 127.0.0.1 for tests: static fixture files plus programmable routes.

Static files under a root directory are served with ``{{BASE}}`` replaced by the server's own
base URL. Routes (exact path -> handler function) let a test play any behaviour: faults,
changed pages, slow bodies. Every request is logged in ``server.requests`` (method, path,
headers) so tests can assert what was, or was not, asked for.
"""

from __future__ import annotations

import mimetypes
import sys
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

Handler = Callable[[BaseHTTPRequestHandler], None]


@dataclass
class Response:
    """A canned response for a route."""

    body: bytes | str = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "text/html; charset=utf-8"})

    def __call__(self, handler: BaseHTTPRequestHandler) -> None:
        body = self.body.encode("utf-8") if isinstance(self.body, str) else self.body
        handler.send_response(self.status)
        for key, value in self.headers.items():
            handler.send_header(key, value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        if handler.command != "HEAD":
            handler.wfile.write(body)


class _Handler(BaseHTTPRequestHandler):
    server: "TestSite"
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass

    def _handle(self) -> None:
        path = urlsplit(self.path).path
        with self.server.lock:
            self.server.requests.append((self.command, self.path, dict(self.headers.items())))
        route = self.server.routes.get(path) or self.server.routes.get(self.path)
        if route is not None:
            route(self)
            return
        if self.server.root is not None:
            target = (self.server.root / path.lstrip("/")).resolve()
            if target.is_file() and self.server.root.resolve() in target.parents:
                data = target.read_bytes()
                if target.suffix in (".html", ".xml", ".txt", ".htm"):
                    data = data.replace(b"{{BASE}}", self.server.base_url.encode())
                kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
                if target.suffix == ".xml":
                    kind = "application/xml"
                charset = "; charset=utf-8" if kind.startswith("text/") or kind.endswith("xml") else ""
                Response(data, 200, {"Content-Type": kind + charset})(self)
                return
        Response("<html><body>not found</body></html>", 404)(self)

    do_GET = _handle
    do_HEAD = _handle
    do_POST = _handle


class TestSite(ThreadingHTTPServer):
    """Use as a context manager; ``base_url`` is http://127.0.0.1:PORT."""

    __test__ = False  # not a test class, despite its name
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, root: Path | None = None) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.root = root
        self.routes: dict[str, Handler] = {}
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.lock = threading.Lock()
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def handle_error(self, request, client_address) -> None:
        # A client that closes its keep-alive connection while the server waits for the next
        # request line is normal (httpx does it when a run ends); socketserver would print a
        # traceback to stderr for it, which tests that assert a clean stderr then read as the
        # run's own. Anything else is still reported.
        if isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            return
        super().handle_error(request, client_address)

    def paths_requested(self) -> list[str]:
        with self.lock:
            return [urlsplit(p).path for _, p, _ in self.requests]

    def __enter__(self) -> "TestSite":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()
