"""A fake Moodle: a real HTTP server on 127.0.0.1 answering /webservice/rest/server.php as Moodle 4.3 does.

Form-encoded parameters in PHP's array notation, Moodle's order of checks (token, function exists,
function in the service, parameters, then the function's own errors), errors as HTTP 200 JSON, reply
shapes as recorded in ../shared/fixtures/moodle/ws. The data is live: change `fake.data` between calls.

    fake = FakeMoodle(data).start()        # or the `fake_moodle` fixture (tests/fakes/fixtures.py)
    client = MoodleClient(fake.url, fake.token)
    fake.fail_next(2)                      # the next 2 requests get HTTP 500
    fake.delay_next(1, seconds=0.5)        # the next request answers after 0.5 s (a client timeout)
    fake.drop_next(1)                      # the next request gets its connection closed, no reply
    fake.pass_next(40); fake.fail_next(9)  # requests 41-49 from now get HTTP 500 (a fault half-way)
    fake.remove_function("mod_scorm_get_scorm_sco_tracks")    # not in the token's service any more
    fake.missing_capabilities.add("mod/scorm:viewreport")     # the token's user lacks a capability
    fake.calls("core_enrol_get_enrolled_users")               # requests seen for that function
    fake.latency = 0.012                   # every request takes 12 ms, as a real Moodle's might
"""

from __future__ import annotations

import json
import re
import secrets
import threading
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qsl

from tests.fakes.moodle_api import Context, MoodleException, Struct, missing_record, validate
from tests.fakes.moodle_data import MoodleData
from tests.fakes.moodle_functions import FUNCTIONS, OTHER_MOODLE_FUNCTIONS

__all__ = ["REST_PATH", "FakeMoodle", "MoodleData", "RecordedRequest", "php_form"]

REST_PATH = "/webservice/rest/server.php"
_PROTOCOL_FIELDS = ("wstoken", "wsfunction", "moodlewsrestformat")


@dataclass(frozen=True)
class RecordedRequest:
    """One HTTP request the fake received, faulted or not, with its form fields in the order sent."""

    method: str
    path: str
    content_type: str
    form: tuple[tuple[str, str], ...]
    fault: str | None = None  # "status", "delay" or "drop" when a fault was applied to it

    @property
    def function(self) -> str | None:
        return next((value for name, value in self.form if name == "wsfunction"), None)

    @property
    def params(self) -> list[tuple[str, str]]:
        """The function's parameters: the form without wstoken, wsfunction and moodlewsrestformat."""
        return [(name, value) for name, value in self.form if name not in _PROTOCOL_FIELDS]


@dataclass(frozen=True)
class _Fault:
    kind: str  # "status", "delay", "drop", or "none" (a request let through before later faults)
    status: int = 500
    seconds: float = 0.0
    body: bytes = b"<html><body><h1>Internal Server Error</h1></body></html>"
    content_type: str = "text/html"
    headers: tuple[tuple[str, str], ...] = ()


_KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")
_INDEX = re.compile(r"\[([^\[\]]*)\]")


def php_form(pairs: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """Form fields as the nested arrays PHP makes of them: options[0][name]=x -> {"options": {"0": {...}}}.

    Moodle takes a PHP array for a list, so its keys are ignored and its order kept."""
    root: dict[str, Any] = {}
    for name, value in pairs:
        match = _KEY.match(name)
        keys = [match.group(1), *_INDEX.findall(match.group(2))] if match else [name]
        node = root
        for key in keys[:-1]:
            if not isinstance(node.get(key), dict):
                node[key] = {}
            node = node[key]
        last = keys[-1] if keys[-1] != "" else str(len(node))  # a[] appends
        node[last] = value
    return root


class FakeMoodle:
    """A Moodle site on 127.0.0.1: its data, its tokens, its web service's functions, and faults."""

    def __init__(
        self,
        data: MoodleData | None = None,
        *,
        tokens: Mapping[str, int] | None = None,
        service_functions: Sequence[str] | None = None,
    ) -> None:
        """`tokens` maps token -> Moodle user id (default: one random token of the admin; the first
        is `token`). `service_functions` is what the tokens' service offers (default: all the fake has)."""
        self.data = data if data is not None else MoodleData()
        self.tokens = dict(tokens) if tokens else {secrets.token_hex(16): self.data.admin.id}
        self.token = next(iter(self.tokens))
        self.service_functions = list(service_functions if service_functions is not None else FUNCTIONS)
        self.missing_capabilities: set[str] = set()
        # Seconds each request takes before it is answered: a real Moodle answers some 70-100 calls a
        # second, so a benchmark can let calls, not this process, set the time.
        self.latency = 0.0
        self.requests: list[RecordedRequest] = []
        self._faults: deque[_Fault] = deque()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle -----------------------------------------------------------------------------------

    def start(self) -> Self:
        self._stopping.clear()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.fake = self
        self._thread = threading.Thread(
            # A short poll makes stop() quick: every test starts and stops its own fake.
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.02},
            name="fake-moodle",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes delayed replies
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """The site's base URL (wwwroot), as a client is configured with."""
        assert self._server is not None, "start() the fake first"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    # --- faults and configuration --------------------------------------------------------------------

    def fail_next(
        self,
        count: int = 1,
        *,
        status: int = 500,
        body: bytes | None = None,
        content_type: str = "text/html",
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """The next `count` requests get `status` and, by default, an HTML body, as a crashed PHP or a
        proxy gives; `body`, `content_type` and `headers` make other replies (a redirect, a JSON error)."""
        fault = _Fault(
            "status", status=status, content_type=content_type, headers=tuple((headers or {}).items())
        )
        if body is not None:
            fault = replace(fault, body=body)
        with self._lock:
            self._faults.extend(fault for _ in range(count))

    def pass_next(self, count: int) -> None:
        """Let the next `count` requests through before the faults queued after this (a fault half-way)."""
        with self._lock:
            self._faults.extend(_Fault("none") for _ in range(count))

    def delay_next(self, count: int = 1, *, seconds: float) -> None:
        """The next `count` requests are answered only after `seconds` (longer than a client's read
        timeout, that is a timeout)."""
        with self._lock:
            self._faults.extend(_Fault("delay", seconds=seconds) for _ in range(count))

    def drop_next(self, count: int = 1) -> None:
        """The next `count` requests get their connection closed without a reply."""
        with self._lock:
            self._faults.extend(_Fault("drop") for _ in range(count))

    def remove_function(self, name: str) -> None:
        """Take a function out of the tokens' service: calling it is then an access exception."""
        self.service_functions.remove(name)

    def add_token(self, user_id: int) -> str:
        """A new token of the user `user_id` (e.g. a learner's own), on the same service."""
        token = secrets.token_hex(16)
        self.tokens[token] = user_id
        return token

    # --- what happened -------------------------------------------------------------------------------

    def calls(self, function: str | None = None) -> int:
        """Requests received (retries and faulted ones included), for `function` or in all."""
        with self._lock:
            return sum(1 for r in self.requests if function is None or r.function == function)

    def clear_requests(self) -> None:
        with self._lock:
            self.requests.clear()

    # --- answering -----------------------------------------------------------------------------------

    def _take_fault(self) -> _Fault | None:
        with self._lock:
            fault = self._faults.popleft() if self._faults else None
        return None if fault is not None and fault.kind == "none" else fault

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def answer(self, form: Sequence[tuple[str, str]]) -> Any:
        """Moodle's reply to a REST form (the decoded JSON), errors included."""
        fields = dict(form)
        function = fields.get("wsfunction", "")
        try:
            user_id = self.tokens.get(fields.get("wstoken", ""))
            if user_id is None:
                raise MoodleException("moodle_exception", "invalidtoken", "Invalid token - token not found")
            if function not in FUNCTIONS and function not in OTHER_MOODLE_FUNCTIONS:
                raise missing_record("external_functions")
            if function not in self.service_functions:
                raise MoodleException(
                    "webservice_access_exception", "accessexception", "Access control exception"
                )
            if function not in FUNCTIONS:
                raise NotImplementedError(f"the fake Moodle does not implement {function}")
            spec, implementation = FUNCTIONS[function]
            # server.php hands the function everything but its own fields (and moodlewssetting*).
            params = [
                (n, v) for n, v in form if n not in _PROTOCOL_FIELDS and not n.startswith("moodlewssetting")
            ]
            context = Context(
                self.data, self.data.users[user_id], self.service_functions, self.missing_capabilities
            )
            return implementation(context, validate(Struct(spec), php_form(params)))
        except MoodleException as error:
            return error.reply


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeMoodle


class _Handler(BaseHTTPRequestHandler):
    # Keep-alive, as Moodle behind Apache or nginx: a sync makes thousands of calls on one connection.
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; with Nagle's algorithm on, the client's delayed ACK
    # holds each reply back ~40 ms, which would make 10,000 calls take minutes instead of seconds.
    disable_nagle_algorithm = True
    server: _Server

    def do_POST(self) -> None:
        self._handle()

    def do_GET(self) -> None:  # Moodle takes the same fields in the query string
        self._handle()

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _handle(self) -> None:
        fake = self.server.fake
        path, _, query = self.path.partition("?")
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8") if length else ""
        form = parse_qsl(query, keep_blank_values=True) + parse_qsl(body, keep_blank_values=True)
        fault = fake._take_fault()
        fake._record(
            RecordedRequest(
                self.command,
                path,
                self.headers.get("Content-Type", ""),
                tuple(form),
                fault.kind if fault else None,
            )
        )
        if fault is not None and fault.kind == "drop":
            self.close_connection = True
            return
        if fault is not None and fault.kind == "status":
            self._send(fault.status, fault.body, fault.content_type, fault.headers)
            return
        delay = fake.latency + (fault.seconds if fault is not None and fault.kind == "delay" else 0.0)
        if delay and fake._stopping.wait(delay):
            return
        if path != REST_PATH:
            self._send(404, b"<html><body>Not Found</body></html>", "text/html")
            return
        if dict(form).get("moodlewsrestformat") != "json":
            self._send(400, b"the fake Moodle answers moodlewsrestformat=json only", "text/plain")
            return
        try:
            reply = fake.answer(form)
        except NotImplementedError as error:
            self._send(500, str(error).encode(), "text/plain")
            return
        # PHP's json_encode escapes "/" and non-ASCII; doing the same keeps clients from relying on raw text.
        self._send(200, json.dumps(reply).replace("/", "\\/").encode(), "application/json")

    def _send(
        self, status: int, body: bytes, content_type: str, headers: Iterable[tuple[str, str]] = ()
    ) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up waiting (a delayed reply): nothing left to tell it.
            self.close_connection = True
