"""Tell someone when a run fails: a JSON POST to a Slack-compatible incoming webhook.

The webhook comes from ``$KABAR_WEBHOOK_URL`` or the sources file's ``[notify] webhook_url``
(the file the run was given as its ``config`` parameter). The body is ``{"text": ...}`` (what
Slack, Mattermost and most chat webhooks accept) plus machine-readable fields. Used as Prefect
``on_failure``/``on_crashed`` hooks; a notification that cannot be delivered is logged, never raised.
"""

from __future__ import annotations

import logging
import os
from typing import Any

import httpx

from kabar import settings

LOGGER = logging.getLogger(__name__)


def webhook_url(config: str | None = None) -> str | None:
    """The webhook to notify: $KABAR_WEBHOOK_URL, else the config file's [notify] webhook_url."""
    env = os.environ.get("KABAR_WEBHOOK_URL", "").strip()
    if env:
        return env
    if config:
        from kabar.config import ConfigError, load_sources

        try:
            return load_sources(config).notify.webhook_url
        except ConfigError as exc:
            LOGGER.warning("cannot read the webhook from %s: %s", config, exc)
    return None


def failure_message(flow_name: str, run_name: str, state_name: str, message: str | None, run_url: str | None) -> dict[str, Any]:
    """The JSON body of a failure notification."""
    text = f":rotating_light: kabar {flow_name} run `{run_name}` {state_name.lower()}"
    if message:
        text += f": {message[:400]}"
    if run_url:
        text += f"\n{run_url}"
    return {"text": text, "flow": flow_name, "flow_run": run_name, "state": state_name, "message": message}


def send(url: str, payload: dict[str, Any]) -> bool:
    """POST ``payload`` as JSON; True when the receiver answered 2xx."""
    try:
        response = httpx.post(url, json=payload, timeout=settings.WEBHOOK_TIMEOUT_S)
    except httpx.HTTPError as exc:
        LOGGER.warning("webhook %s unreachable: %s", url, exc)
        return False
    if response.status_code >= 300:
        LOGGER.warning("webhook %s answered HTTP %s", url, response.status_code)
        return False
    return True


def _run_url(flow_run: Any) -> str | None:
    from prefect.settings import PREFECT_UI_URL

    base = PREFECT_UI_URL.value()
    return f"{base}/runs/flow-run/{flow_run.id}" if base else None


def on_run_failure(flow: Any, flow_run: Any, state: Any) -> None:
    """Prefect flow hook (on_failure, on_crashed): notify the configured webhook, if any."""
    url = webhook_url((flow_run.parameters or {}).get("config"))
    if not url:
        return
    payload = failure_message(flow.name, flow_run.name, state.name or state.type.value, state.message, _run_url(flow_run))
    if send(url, payload):
        LOGGER.info("notified %s of %s run %s", url, state.name, flow_run.name)
