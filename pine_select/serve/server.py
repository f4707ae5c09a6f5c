"""The local HTTP server of the tuning page: the page, two API calls, nothing else.

Python's own ``http.server`` (a ``ThreadingHTTPServer``) is enough: one user on one machine,
one page, two JSON calls, and no dependency to keep patched. What a framework would add
is done here in a few explicit checks, each of which a test drives over real HTTP:

* it listens on 127.0.0.1 only, and answers only requests whose ``Host`` is
  ``127.0.0.1:PORT`` or ``localhost:PORT``: a web page on another site cannot reach it by
  pointing its own name at 127.0.0.1 (DNS rebinding);
* the page is served only at ``/?key=KEY`` (the address printed at start), so another user
  of the same machine cannot read the applications; the same per-session key is embedded in
  the page and every POST must carry it (``X-Pine-Token``, compared in constant time);
* a POST must come from the page's own origin when a browser says where it comes from
  (``Origin``, ``Sec-Fetch-Site``) and be JSON (a cross-site form cannot send that);
* a body is read only up to :data:`MAX_BODY` bytes and with a ``Content-Length``;
* nothing else is served: no files, no path from a request is ever used as a path;
  everything else is a 404 (or 405), and every error is JSON with a sentence.

Each response carries a strict Content-Security-Policy (the page's script and styles run
by nonce, it may connect only to this server), ``no-store`` and ``nosniff``.
"""

from __future__ import annotations

import hmac
import json
import secrets
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from pine_select.errors import InputError, PineSelectError, SaveError, UsageError
from pine_select.serve.api import RequestError, TuningSession
from pine_select.serve.page import render_page

HOST = "127.0.0.1"
MAX_BODY = 256 * 1024  # bytes: a what-if naming every application of a large call fits
SOCKET_TIMEOUT = 30  # seconds a connection may sit idle before its thread is freed
TOKEN_HEADER = "X-Pine-Token"


class ServeError(Exception):
    """A request refused before it reaches the session: an HTTP status and a sentence."""

    def __init__(self, status: HTTPStatus, message: str) -> None:
        super().__init__(message)
        self.status = status


class TuningServer(ThreadingHTTPServer):
    """The page's server for one session; ``port`` 0 takes a free one."""

    daemon_threads = True  # a browser's idle keep-alive must not hold up Ctrl-C

    def __init__(self, session: TuningSession, port: int = 0) -> None:
        super().__init__((HOST, port), TuningHandler)
        self.session = session
        self.key = secrets.token_urlsafe(32)
        self.port = self.server_address[1]
        self.hosts = {f"127.0.0.1:{self.port}", f"localhost:{self.port}"}
        self.origins = {f"http://{host}" for host in self.hosts}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/?key={self.key}"


Route = Callable[[TuningSession, object], dict[str, Any] | None]
ROUTES: dict[str, Route] = {
    "/api/select": lambda session, body: session.reselect(body),
    "/api/save": lambda session, body: session.save(body),
}


class TuningHandler(BaseHTTPRequestHandler):
    server: TuningServer
    server_version = "pine-select"
    sys_version = ""
    timeout = SOCKET_TIMEOUT
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        with self.answering():
            self.check_host()
            url = urlsplit(self.path)
            if url.path != "/":
                raise ServeError(HTTPStatus.NOT_FOUND, "nothing here: the page is at /")
            given = parse_qs(url.query).get("key", [""])[0]
            if not hmac.compare_digest(given.encode(), self.server.key.encode()):
                raise ServeError(HTTPStatus.FORBIDDEN, "open the address pine-select serve "
                                 "printed: it carries the session's key")
            self.send_page()

    def do_POST(self) -> None:
        with self.answering():
            self.check_host()
            route = ROUTES.get(self.path)
            if route is None:
                raise ServeError(HTTPStatus.NOT_FOUND, "no such API call; expected "
                                 + " or ".join(sorted(ROUTES)))
            self.check_origin()
            self.check_token()
            body = self.read_json()
            found = route(self.server.session, body)
            if found is None:
                raise ServeError(HTTPStatus.CONFLICT, "a newer change replaced this one")
            self.send_json(HTTPStatus.OK, found)

    def refuse_method(self) -> None:
        with self.answering():
            self.check_host()
            raise ServeError(HTTPStatus.METHOD_NOT_ALLOWED, f"{self.command} is not served; "
                             "expected GET of the page or POST to its API")

    do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_HEAD = refuse_method

    # -- checks --------------------------------------------------------------------------

    def check_host(self) -> None:
        host = (self.headers.get("Host") or "").strip().lower()
        if host not in self.server.hosts:
            raise ServeError(HTTPStatus.MISDIRECTED_REQUEST,
                             f"this server answers only to {' or '.join(sorted(self.server.hosts))}"
                             f"; Host {host[:80]!r} refused")

    def check_origin(self) -> None:
        origin = self.headers.get("Origin")
        if origin is not None and origin not in self.server.origins:
            raise ServeError(HTTPStatus.FORBIDDEN, f"requests from {origin[:80]!r} are "
                             "refused; only the page itself may change anything")
        site = self.headers.get("Sec-Fetch-Site")
        if site is not None and site not in ("same-origin", "none"):
            raise ServeError(HTTPStatus.FORBIDDEN, f"a {site[:40]} request is refused; only "
                             "the page itself may change anything")

    def check_token(self) -> None:
        given = self.headers.get(TOKEN_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.server.key.encode()):
            raise ServeError(HTTPStatus.FORBIDDEN, f"missing or wrong {TOKEN_HEADER}: "
                             "changes need the key of this session's page")

    def read_json(self) -> object:
        kind = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if kind != "application/json":
            raise ServeError(HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
                             "expected a body of Content-Type application/json")
        if self.headers.get("Transfer-Encoding"):
            raise ServeError(HTTPStatus.LENGTH_REQUIRED, "chunked bodies are refused; "
                             "expected a Content-Length")
        length = self.headers.get("Content-Length", "")
        if not length.isascii() or not length.isdigit():
            raise ServeError(HTTPStatus.LENGTH_REQUIRED, "expected a Content-Length")
        if int(length) > MAX_BODY:
            raise ServeError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                             f"a body of {int(length):,} bytes; expected at most {MAX_BODY:,}")
        raw = self.rfile.read(int(length))
        try:
            return json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            raise ServeError(HTTPStatus.BAD_REQUEST, "the body is not JSON; expected a "
                             "JSON object") from None

    # -- answers -------------------------------------------------------------------------

    @contextmanager
    def answering(self) -> Iterator[None]:
        """Every refusal and library error as a JSON sentence with its status."""
        try:
            yield
        except ConnectionError:  # the browser went away mid-answer: nobody to tell
            self.close_connection = True
        except ServeError as exc:
            self.send_error_json(exc.status, str(exc))
        except (RequestError, UsageError, InputError) as exc:
            self.send_error_json(HTTPStatus.BAD_REQUEST, str(exc))
        except SaveError as exc:
            self.send_error_json(HTTPStatus.CONFLICT, str(exc))
        except PineSelectError as exc:  # the solver failed: say so, keep serving
            self.send_error_json(HTTPStatus.INTERNAL_SERVER_ERROR, str(exc))
        except Exception as exc:  # a bug: one line on stderr, a sentence to the page
            print(f"pine-select serve: internal error: {exc!r}", file=sys.stderr)
            self.send_error_json(HTTPStatus.INTERNAL_SERVER_ERROR,
                                 "internal error (see the terminal); the change was not made")

    def send_error_json(self, status: HTTPStatus, message: str) -> None:
        self.close_connection = True  # an unread body must not be taken for a request
        self.send_json(status, {"error": message})

    def send_json(self, status: HTTPStatus, data: dict[str, Any]) -> None:
        self.send_body(status, "application/json; charset=utf-8",
                       json.dumps(data, ensure_ascii=False).encode("utf-8"))

    def send_page(self) -> None:
        nonce = secrets.token_urlsafe(18)
        html = render_page(self.server.session.state(), self.server.key, nonce)
        self.send_body(HTTPStatus.OK, "text/html; charset=utf-8", html.encode("utf-8"),
                       nonce)

    def send_body(self, status: HTTPStatus, kind: str, body: bytes, nonce: str = "") -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        for name, value in security_headers(nonce).items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the terminal shows the address and errors, not every slider move."""


def security_headers(nonce: str = "") -> dict[str, str]:
    scripts = f"'nonce-{nonce}'" if nonce else "'none'"
    return {
        "Content-Security-Policy": (
            f"default-src 'none'; script-src {scripts}; style-src {scripts}; "
            "connect-src 'self'; img-src 'none'; base-uri 'none'; form-action 'none'; "
            "frame-ancestors 'none'"),
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "X-Frame-Options": "DENY",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Cross-Origin-Resource-Policy": "same-origin",
    }


def _interrupted(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # SIGTERM stops serve as Ctrl-C does


@contextmanager
def stopped_by_signals(say: Callable[[str], None]) -> Iterator[None]:
    """Ctrl-C (SIGINT) or SIGTERM, at any moment of ``serve``, ends it with one sentence.

    Starting (loading, the first selection, the stability intervals) takes seconds on a
    large call, and a lead may stop it then: the interrupt is not an error (no traceback,
    no click "Aborted!"), and the command exits 0 as it does when stopped while serving.
    SIGTERM is taken as Ctrl-C for the whole command (a service manager's stop).
    """
    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _interrupted) if main else None
    try:
        yield
    except KeyboardInterrupt:
        say("pine-select serve: stopped while starting; nothing was served")
    finally:
        if main:
            signal.signal(signal.SIGTERM, previous)
        sys.stderr.flush()


def serve_until_stopped(server: TuningServer, say: Callable[[str], None]) -> None:
    """Serve until Ctrl-C (SIGINT) or SIGTERM, then close; ``say`` reports on stderr."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _interrupted)
    try:  # the address is said inside: a Ctrl-C right after reading it still stops cleanly
        say(f"pine-select serve: the tuning page is at {server.url} (Ctrl-C stops)")
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    say("pine-select serve: stopped")
    sys.stderr.flush()
