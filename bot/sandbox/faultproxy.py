"""A fault-injecting HTTP proxy on loopback, between the bot and the Bot API emulator.

The bot is pointed at the proxy (``TELEGRAM_API_BASE_URL=proxy.base_url``) and the proxy
passes every request on to the emulator unchanged, except while a fault is on:

- ``"502"``: the request is answered with an HTML "502 Bad Gateway" page, as a load balancer
  in front of Telegram answers during an outage (not JSON: PTB cannot parse it); the emulator
  never sees the request;
- ``"lost"``: the request reaches the emulator (the message is delivered) but its answer is
  withheld until the bot gives up waiting (a read timeout), the case where a retry would
  send a duplicate;
- ``"429"``: a share of the requests is answered with Telegram's flood-control JSON and its
  ``retry_after``; the emulator never sees them;
- ``"refused"``: the proxy stops listening and drops its open connections, so every new
  connection is refused until the fault ends;
- ``"slow"``: the request is held ``delay`` seconds before it is passed on.

A fault concerns a set of Bot API methods (``None``: all of them) and lasts a given number of
seconds of real time, or until :meth:`FaultProxy.heal`. The share of requests a fault hits is
drawn from a seeded random generator, so a run is repeatable. The proxy counts what it
passed on and what it injected (:attr:`FaultProxy.counts`), for the figures a test prints.

The emulator stays the judge of what a resident saw: the proxy only decides what reaches it.
"""

from __future__ import annotations

import asyncio
import json
import random
import socket
from collections import Counter
from contextlib import suppress
from dataclasses import dataclass
from importlib import resources
from typing import Literal
from urllib.parse import parse_qs

import tornado.httpclient
import tornado.httpserver
import tornado.netutil
import tornado.web

from bot.sandbox.loopback import LoopbackServer

FaultKind = Literal["502", "lost", "429", "refused", "slow"]
KINDS: tuple[FaultKind, ...] = ("502", "lost", "429", "refused", "slow")

# The page an nginx in front of Telegram answers with during an outage, as a data file shipped
# beside this module (package data), read once when the module loads.
BAD_GATEWAY = resources.files("bot.sandbox").joinpath("bad_gateway.html").read_bytes()
# Long polls and slow faults pass through: the proxy itself never times a request out first.
UPSTREAM_TIMEOUT = 300.0


@dataclass
class Fault:
    kind: FaultKind
    methods: frozenset[str] | None  # None: every method
    share: float  # of the matching requests, 0 < share <= 1
    until: float | None  # loop time the fault ends; None: until healed
    retry_after: int = 5
    delay: float = 0.0

    def concerns(self, method: str, now: float) -> bool:
        if self.until is not None and now >= self.until:
            return False
        return self.methods is None or method in self.methods


class FaultProxy(LoopbackServer):
    def __init__(self, upstream: str, seed: int = 22) -> None:
        """``upstream``: the emulator's root, such as ``http://127.0.0.1:8081``."""
        self.upstream = upstream.rstrip("/")
        self._random = random.Random(seed)
        self._faults: list[Fault] = []
        self._server: tornado.httpserver.HTTPServer | None = None
        self._port: int | None = None
        self._client = tornado.httpclient.AsyncHTTPClient(force_instance=True)
        self._reopen: asyncio.TimerHandle | None = None
        self.counts: Counter[str] = Counter()  # "passed", "502", "lost", "429", "slow", ...
        self.hit: dict[str, set[int]] = {}  # fault kind → chats whose request it met

    # -- life cycle --------------------------------------------------------------------------

    async def start(self, port: int = 0) -> None:
        sockets = tornado.netutil.bind_sockets(port, "127.0.0.1", socket.AF_INET)
        self._port = sockets[0].getsockname()[1]
        self._listen(sockets)

    def _listen(self, sockets: list[socket.socket]) -> None:
        app = tornado.web.Application([(r"/(.*)", _Forward, {"proxy": self})], log_function=_quiet)
        self._server = tornado.httpserver.HTTPServer(app)
        self._server.add_sockets(sockets)

    async def _close(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.stop()
            await server.close_all_connections()

    async def stop(self) -> None:
        if self._reopen is not None:
            self._reopen.cancel()
        await self._close()
        self._client.close()

    # -- faults ------------------------------------------------------------------------------

    async def fail(
        self,
        kind: FaultKind,
        *,
        methods: str | tuple[str, ...] | None = ("sendMessage",),
        seconds: float | None = None,
        share: float = 1.0,
        retry_after: int = 5,
        delay: float = 0.0,
    ) -> None:
        """Turn a fault on now, for ``seconds`` (None: until :meth:`heal`)."""
        if kind not in KINDS:
            raise ValueError(f"unknown fault {kind!r}")
        if not 0 < share <= 1:
            raise ValueError("share must be in (0, 1]")
        loop = asyncio.get_running_loop()
        until = None if seconds is None else loop.time() + seconds
        if kind == "refused":
            # Refusing is not per method: nothing can connect.
            await self._close()
            if seconds is not None:
                self._reopen = loop.call_later(seconds, self._listen_again)
            self.counts["refused"] += 1
            return
        chosen = (
            None
            if methods is None
            else frozenset((methods,) if isinstance(methods, str) else methods)
        )
        self._faults.append(Fault(kind, chosen, share, until, retry_after, delay))

    def _listen_again(self) -> None:
        self._reopen = None
        if self._server is None:
            self._listen(
                tornado.netutil.bind_sockets(self.port, "127.0.0.1", family=socket.AF_INET)
            )

    def heal(self) -> None:
        """Every fault off at once; a refusing proxy listens again."""
        self._faults.clear()
        if self._reopen is not None:
            self._reopen.cancel()
        self._listen_again()

    def fault_for(self, method: str) -> Fault | None:
        now = asyncio.get_running_loop().time()
        self._faults = [f for f in self._faults if f.until is None or now < f.until]
        for fault in self._faults:
            if fault.concerns(method, now) and (
                fault.share >= 1 or self._random.random() < fault.share
            ):
                return fault
        return None

    async def forward(
        self, method: str, verb: str, path: str, body: bytes | None, content_type: str | None
    ) -> tornado.httpclient.HTTPResponse:
        headers = {"Content-Type": content_type} if content_type else {}
        return await self._client.fetch(
            f"{self.upstream}/{path}",
            method=verb,
            body=body if verb == "POST" else None,
            headers=headers,
            request_timeout=UPSTREAM_TIMEOUT,
            raise_error=False,
            allow_nonstandard_methods=True,
        )


class _Forward(tornado.web.RequestHandler):
    SUPPORTED_METHODS = ("GET", "POST")

    def initialize(self, proxy: FaultProxy) -> None:
        self.proxy = proxy
        self._gone = asyncio.Event()

    def on_connection_close(self) -> None:
        self._gone.set()

    async def get(self, path: str) -> None:
        await self._handle("GET", path)

    async def post(self, path: str) -> None:
        await self._handle("POST", path)

    async def _handle(self, verb: str, path: str) -> None:
        proxy = self.proxy
        method = path.rsplit("/", 1)[-1]
        fault = proxy.fault_for(method)
        if fault is not None:
            chat = _chat_id(self.request.body, self.request.headers.get("Content-Type", ""))
            if chat is not None:
                proxy.hit.setdefault(fault.kind, set()).add(chat)
        if fault is not None and fault.kind == "502":
            proxy.counts["502"] += 1
            self.set_status(502)
            self.set_header("Content-Type", "text/html")
            self.finish(BAD_GATEWAY)
            return
        if fault is not None and fault.kind == "429":
            proxy.counts["429"] += 1
            self.set_status(429)
            self.set_header("Content-Type", "application/json")
            self.finish(
                b'{"ok":false,"error_code":429,"description":"Too Many Requests: retry after '
                + str(fault.retry_after).encode()
                + b'","parameters":{"retry_after":'
                + str(fault.retry_after).encode()
                + b"}}"
            )
            return
        if fault is not None and fault.kind == "slow":
            proxy.counts["slow"] += 1
            await asyncio.sleep(fault.delay)
        body = self.request.body if verb == "POST" else None
        response = await proxy.forward(
            method, verb, path + _query(self.request.query), body,
            self.request.headers.get("Content-Type"),
        )  # fmt: skip
        if fault is not None and fault.kind == "lost":
            # Delivered upstream; the answer never comes back: hold the connection until
            # the bot stops waiting for it.
            proxy.counts["lost"] += 1
            with suppress(TimeoutError):
                await asyncio.wait_for(self._gone.wait(), timeout=UPSTREAM_TIMEOUT)
            return
        proxy.counts["passed"] += 1
        if self._gone.is_set():
            return
        # 599 is tornado's own code for an upstream it could not reach.
        self.set_status(502 if response.code == 599 else response.code)
        content_type = response.headers.get("Content-Type")
        if content_type:
            self.set_header("Content-Type", content_type)
        self.finish(response.body or b"")


def _chat_id(body: bytes, content_type: str) -> int | None:
    """The ``chat_id`` a request is for (PTB posts JSON or a form), or None."""
    try:
        if content_type.startswith("application/json"):
            value = json.loads(body).get("chat_id")
        else:
            value = parse_qs(body.decode())["chat_id"][0]
        return int(value)
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        return None


def _quiet(handler: tornado.web.RequestHandler) -> None:
    """No access log: the figures count what the proxy did."""


def _query(query: str) -> str:
    return f"?{query}" if query else ""
