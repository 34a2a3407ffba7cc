"""What a run tells: artifacts on the flow run, the CLI summary, and the failure webhook."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from benchmarks.corpus import write_files
from flows.ingest import ingest
from kabar.config import ConfigError, load_sources
from tests.conftest import run_cli
from tests import site as local_site


def _pages(directory: Path, good: int = 4) -> Path:
    write_files(directory, good)
    (directory / "kosong.html").write_text("<html><body></body></html>", encoding="utf-8")
    return directory


def _artifacts(flow_run_id) -> dict[str, object]:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    with get_client(sync_client=True) as client:
        found = client.read_artifacts(artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id])))
    return {a.key: a for a in found}


def test_run_publishes_report_artifacts(tmp_path: Path) -> None:
    pages = _pages(tmp_path / "halaman")
    state = ingest(paths=[str(pages)], warehouse=str(tmp_path / "wh" / "kabar.duckdb"), return_state=True)
    summary = state.result()
    assert summary["failures"] == [{"stage": "extract", "reason": "no main text found", "count": 1,
                                    "example": (pages / "kosong.html").resolve().as_uri()}]
    artifacts = _artifacts(state.state_details.flow_run_id)
    assert {"kabar-ingest-report", "kabar-ingest-sources", "kabar-ingest-failures"} <= set(artifacts)
    report = artifacts["kabar-ingest-report"].data
    assert "| halaman | 5 | 5 | 4 | 0 | 0 | 1 |" in report
    assert "| extract | no main text found | 1 |" in report
    table = json.loads(artifacts["kabar-ingest-sources"].data)
    assert table == [{"source": "halaman", "discovered": 5, "fetched": 5, "new": 4, "duplicate": 0, "updated": 0, "failed": 1}]


@pytest.mark.slow  # a `kabar ingest` subprocess starts its own Prefect API
def test_cli_prints_the_same_summary(tmp_path: Path) -> None:
    pages = _pages(tmp_path / "halaman")
    done = run_cli("ingest", str(pages), "--warehouse", str(tmp_path / "wh" / "kabar.duckdb"), env={"CI": "1"})
    assert done.returncode == 0, done.stderr
    assert "top failure reasons:" in done.stdout and "no main text found" in done.stdout
    assert "\x1b[" not in done.stdout + done.stderr  # no progress bars off a terminal


class _Receiver:
    """A webhook receiver: records the JSON bodies POSTed to /hook."""

    def __init__(self, site: "local_site.TestSite") -> None:
        self.bodies: list[dict] = []
        self.lock = threading.Lock()
        site.routes["/hook"] = self

    def __call__(self, handler) -> None:
        body = handler.rfile.read(int(handler.headers.get("Content-Length") or 0))
        with self.lock:
            self.bodies.append({"content_type": handler.headers.get("Content-Type"), **json.loads(body)})
        handler.send_response(200)
        handler.send_header("Content-Length", "2")
        handler.end_headers()
        handler.wfile.write(b"ok")


def test_failed_run_notifies_the_webhook(tmp_path: Path) -> None:
    pages = _pages(tmp_path / "halaman", good=1)
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the warehouse directory should be")
    with local_site.TestSite() as site:
        receiver = _Receiver(site)
        config = tmp_path / "sources.toml"
        config.write_text(f'[notify]\nwebhook_url = "{site.url("/hook")}"\n\n'
                          f'[[sources]]\nname = "halaman"\nkind = "files"\nglob = "{pages}/*.html"\n')
        state = ingest(config=str(config), warehouse=str(blocker / "kabar.duckdb"), return_state=True)
    assert state.is_failed()
    assert len(receiver.bodies) == 1
    body = receiver.bodies[0]
    assert body["content_type"] == "application/json"
    assert body["state"] == "Failed" and body["flow"] == "ingest"
    assert body["text"].startswith(":rotating_light: kabar ingest run `ingest[all]` failed")


def test_completed_run_does_not_notify(tmp_path: Path) -> None:
    pages = _pages(tmp_path / "halaman", good=4)  # 1 failed of 6 is under [run] max_failed_share
    with local_site.TestSite() as site:
        receiver = _Receiver(site)
        config = tmp_path / "sources.toml"
        config.write_text(f'[notify]\nwebhook_url = "{site.url("/hook")}"\n\n'
                          f'[[sources]]\nname = "halaman"\nkind = "files"\nglob = "{pages}/*.html"\n')
        state = ingest(config=str(config), warehouse=str(tmp_path / "wh" / "kabar.duckdb"), return_state=True)
    assert state.is_completed() and receiver.bodies == []


@pytest.mark.parametrize("section, line, key", [
    ("notify", 'webhook_url = "ftp://example.org/x"', "notify.webhook_url"),
    ("run", 'task_runner = "ray"', "run.task_runner"),
    ("run", 'dask_address = "localhost:8786"', "run.dask_address"),
])
def test_orchestration_keys_are_validated(tmp_path: Path, section: str, line: str, key: str) -> None:
    config = tmp_path / "sources.toml"
    config.write_text(f'[{section}]\n{line}\n\n[[sources]]\nname = "x"\nkind = "files"\nglob = "*.html"\n')
    with pytest.raises(ConfigError, match=rf"sources.toml: {key}: "):
        load_sources(config)
