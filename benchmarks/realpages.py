"""Real pages from ../shared/corpus for benchmarks, written to a temporary folder (never into the
project): trafilatura-eval's ``cache/*.html`` (110 pages, about 130 KB each) then its
``eval/*.gz`` pages; beyond the 1,033 distinct pages the set repeats with a numbered HTML comment
appended, so every file has its own content hash (a new article, not a duplicate body).
Also: ``tree_rss_mb(pid)``, the summed resident memory of a process and its descendants, and
``tree_pss_mb(pid)``, the same counting shared pages once."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT.parent / "shared" / "corpus" / "trafilatura-eval"


def page_sources() -> list[Path]:
    if not EVAL.exists():
        raise SystemExit(f"{EVAL} is missing (the shared corpus beside the project root)")
    return sorted((EVAL / "cache").glob("*.html")) + sorted((EVAL / "eval").glob("*.gz"))


def read_page(path: Path) -> bytes:
    return gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()


def write_pages(folder: Path, count: int, offset: int = 0) -> list[Path]:
    """Write pages ``offset .. offset+count`` of the real set to ``folder``; returns the files."""
    sources = page_sources()
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for n in range(offset, offset + count):
        source = sources[n % len(sources)]
        body = read_page(source)
        if n >= len(sources):
            body += f"\n<!-- copy {n // len(sources)} -->\n".encode()
        target = folder / f"{n:06d}-{source.name.removesuffix('.gz').removesuffix('.html')}.html"
        target.write_bytes(body)
        written.append(target)
    return written


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            tree.setdefault(ppid, []).append(int(entry))
    return tree


def _proc_mb(path: str, key: str) -> float:
    """The kB figure on the ``key`` line of a /proc file, in MB; 0 when the process is gone."""
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(key):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def rss_mb(pid: int) -> float:
    """Resident memory (MB) of one process (Linux /proc); 0 when it is gone."""
    return _proc_mb(f"/proc/{pid}/status", "VmRSS:")


def pss_mb(pid: int) -> float:
    """Proportional set size (MB) of one process: its resident pages, each page shared with other
    processes counted in shares (extraction workers share the fork server's preloaded modules,
    which a sum of RSS counts once per process). 0 when it is gone."""
    return _proc_mb(f"/proc/{pid}/smaps_rollup", "Pss:")


def tree_pss_mb(pid: int) -> float:
    """Proportional set size (MB) of ``pid`` and its descendants, summed: the memory the run takes."""
    tree, total, todo = _children(), 0.0, [pid]
    while todo:
        current = todo.pop()
        total += pss_mb(current)
        todo += tree.get(current, [])
    return total


def tree_rss_split_mb(pid: int) -> tuple[float, float]:
    """Resident memory (MB) of ``pid`` itself and of all its descendants, summed (Linux /proc)."""
    tree = _children()
    children, todo = 0.0, list(tree.get(pid, []))
    while todo:
        current = todo.pop()
        children += rss_mb(current)
        todo += tree.get(current, [])
    return rss_mb(pid), children


def tree_rss_mb(pid: int) -> float:
    """Resident memory (MB) of ``pid`` and all its descendants, summed (Linux /proc)."""
    return sum(tree_rss_split_mb(pid))
