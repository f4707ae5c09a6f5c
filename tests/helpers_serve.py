"""Helpers for the tuning-page tests (tests/test_serve*.py): a real server on a free port."""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from helpers_pack import EXAMPLE_APPS, EXAMPLE_RUBRIC

from pine_select.loading.loader import load_call
from pine_select.serve import TuningServer, TuningSession


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Running:
    server: TuningServer

    @property
    def port(self) -> int:
        return self.server.port

    @property
    def key(self) -> str:
        return self.server.key

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> Reply:
        """One request on its own connection; Host is the server's unless given."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
            sent = {"Host": f"127.0.0.1:{self.port}", **(headers or {})}
            if body is not None and "Content-Length" not in sent:
                sent["Content-Length"] = str(len(body))
            for name, value in sent.items():
                connection.putheader(name, value)
            connection.endheaders(body)
            response = connection.getresponse()
            return Reply(response.status, {k.lower(): v for k, v in response.getheaders()},
                         response.read())
        finally:
            connection.close()

    def post(self, path: str, data: Any, **headers: str) -> Reply:
        sent = {"Content-Type": "application/json", "X-Pine-Token": self.key,
                **{k.replace("_", "-"): v for k, v in headers.items()}}
        return self.request("POST", path, json.dumps(data).encode(), sent)


@contextmanager
def running_server(save_dir: Path, rubric: Path = EXAMPLE_RUBRIC,
                   apps: Path = EXAMPLE_APPS) -> Iterator[Running]:
    """The tuning page's server for a call, in a thread, on a free port; stopped after."""
    session = TuningSession.start(load_call(rubric, apps), rubric, save_dir)
    server = TuningServer(session, 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Running(server)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    """The example call's server for one test module (bind it there: ``served = ...``)."""
    with running_server(tmp_path_factory.mktemp("saves")) as running:
        yield running


@pytest.fixture(scope="module")
def saves(served: Running) -> Path:
    """The folder ``served`` saves tuned rubrics into."""
    return served.server.session.save_dir
