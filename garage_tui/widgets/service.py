"""Running `shop` calls off the UI thread.

Every database call goes through `ServiceCalls.call_service`: it runs in a Textual thread worker
(exclusive per group, so a newer search cancels an older one), and the result comes back on the UI
thread as a worker state message. Expected failures (`ShopError`) go to the caller's `fail` callback
or a notification in plain words; anything else is logged with its traceback and shown briefly,
and the app keeps running.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from textual.worker import Worker, WorkerState

from shop.db import close_database
from shop.errors import ShopError

log = logging.getLogger("garage_tui")


def _in_thread(fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Callable[[], Any]:
    def job() -> Any:
        try:
            return fn(*args, **kwargs)
        finally:
            close_database()  # this thread's connection only; the worker thread ends here

    return job


class ServiceCalls:
    """Mixin for widgets and screens that call `shop`."""

    def call_service(
        self,
        fn: Callable[..., Any],
        *args: Any,
        then: Callable[[Any], Any] | None = None,
        fail: Callable[[ShopError], Any] | None = None,
        group: str = "service",
        **kwargs: Any,
    ) -> Worker:
        callbacks = self.__dict__.setdefault("_service_callbacks", {})
        worker = self.run_worker(  # type: ignore[attr-defined]
            _in_thread(fn, args, kwargs),
            name=group,
            group=group,
            thread=True,
            exclusive=True,
            exit_on_error=False,
        )
        callbacks[worker] = (then, fail)
        return worker

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        callbacks = self.__dict__.get("_service_callbacks", {})
        if event.worker not in callbacks or event.state in (WorkerState.PENDING, WorkerState.RUNNING):
            return
        then, fail = callbacks.pop(event.worker)
        if event.state == WorkerState.SUCCESS:
            if then is not None:
                then(event.worker.result)
        elif event.state == WorkerState.ERROR:
            error = event.worker.error
            if isinstance(error, ShopError):
                if fail is not None:
                    fail(error)
                else:
                    self.app.notify(str(error), title="Not done", severity="error")  # type: ignore[attr-defined]
            else:
                log.error("unexpected error in %s", event.worker.name, exc_info=error)
                self.app.notify(  # type: ignore[attr-defined]
                    f"Something went wrong ({type(error).__name__}); it was logged. Try again.",
                    title="Error",
                    severity="error",
                    timeout=6,
                )
