"""What the sandbox's loopback servers (the Bot API emulator, the fault proxy) share: the
port they listen on once started, the Bot API base URLs a bot is pointed at, and
``async with`` around ``start`` and ``stop``."""

from __future__ import annotations

from typing import Self


class LoopbackServer:
    _host: str = "127.0.0.1"
    _port: int | None = None

    async def start(self) -> None:
        raise NotImplementedError

    async def stop(self) -> None:
        raise NotImplementedError

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError(f"{type(self).__name__} not started")
        return self._port

    @property
    def base_url(self) -> str:
        """``TELEGRAM_API_BASE_URL`` for a bot talking to this server."""
        return f"http://{self._host}:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://{self._host}:{self.port}/file/bot"
