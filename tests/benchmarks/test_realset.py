"""The real-article annotations of benchmarks/realset (read by benchmarks/enrichment_real.py) are
well formed: each names a page once, in a known split; a page of ../shared/corpus/indonesian-news's
ground truth has every annotated name (or one of its alternatives) written in its text and every
quote offset at the first word after an opening quotation mark (the README's convention); a page
annotated by its saved HTML (heldout3) yields an article through kabar's own extraction, whose
text (or dateline) has every annotated name and every quote's anchor, once, right after an
opening mark; a feed summary (heldout4) has every annotated name in its text or dateline. The
benchmark reads every split's pages, and a page or feed item it cannot have is reported, never
raised; a name an annotation leaves open (`ignore`) counts neither way."""

from __future__ import annotations

import gzip
import json
import sys
import tomllib
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SET_DIR = ROOT / "benchmarks" / "realset"
CORPUS = ROOT.parent / "shared" / "corpus"
GROUND_TRUTH = CORPUS / "indonesian-news" / "pages" / "ground-truth.json"

sys.path.insert(0, str(ROOT / "benchmarks"))
import enrichment_real  # noqa: E402

pytestmark = pytest.mark.skipif(not GROUND_TRUTH.exists(), reason="needs ../shared/corpus/indonesian-news")

OPENING_MARKS = "\"“"


def _annotations() -> list[dict]:
    return [tomllib.loads(p.read_text(encoding="utf-8")) for p in sorted(SET_DIR.glob("*.toml"))]


def test_each_page_once_in_a_known_split() -> None:
    annotations = _annotations()
    # the splits benchmarks/enrichment_real.py prints (SPLITS there)
    assert Counter(a["split"] for a in annotations) == {"heldout4": 4, "heldout3": 4, "heldout2": 7, "heldout": 6, "dev": 5}
    assert set(enrichment_real.SPLITS) == {a["split"] for a in annotations}
    names = [enrichment_real.name_of(a) for a in annotations]
    assert len(names) == len(set(names))
    pages = json.loads(GROUND_TRUTH.read_text(encoding="utf-8"))
    assert all(pages.get(a["file"], {}).get("content") for a in annotations if "page" not in a and "feed" not in a)
    # heldout4's items are feed summaries, 51 of them, none the summary of a ground-truth page
    items = [i for a in annotations if a["split"] == "heldout4" for i in a["items"]]
    assert len(items) == 51 and len({i["link"] for i in items}) == 51
    assert not {i["link"] for i in items} & {p.get("url") for p in pages.values()}
    # heldout3's pages are saved HTML of other sets, never a page of the ground truth above
    assert all((CORPUS / a["page"]).is_file() and "file" not in a and a["url"].startswith("https://")
               for a in annotations if a["split"] == "heldout3")


def test_names_are_in_the_text_and_quotes_start_after_a_mark() -> None:
    pages = json.loads(GROUND_TRUTH.read_text(encoding="utf-8"))
    for annotation in _annotations():
        if "page" in annotation or "feed" in annotation:
            continue  # below: their text is kabar's extraction, or a feed's summary
        content = pages[annotation["file"]]["content"]
        for entity in annotation["entities"]:
            assert entity["type"] in ("person", "organization", "place"), entity
            forms = [entity["name"], *entity.get("alt", [])]
            assert any(form in content for form in forms), (annotation["file"], entity["name"])
        for quote in annotation.get("quotes", []):
            assert content[quote["at"] - 1] in OPENING_MARKS and content[quote["at"]].isalnum(), (annotation["file"], quote)


def test_the_benchmark_reads_every_split_and_locates_every_anchored_quote() -> None:
    scored, missing = enrichment_real.load_set()
    assert missing == []
    files = Counter(a["split"] for a in _annotations())
    assert Counter(a["split"] for a, _, _ in scored) == {**files, "heldout4": 51}
    anchored = 0
    for annotation, article, locate in scored:
        assert article.text.strip(), enrichment_real.name_of(annotation)
        for quote in annotation.get("quotes", []):
            at = locate(quote)
            assert at is not None, (enrichment_real.name_of(annotation), quote)
        if annotation["split"] not in ("heldout3", "heldout4"):
            continue
        text, dateline = article.text, article.meta.get("dateline_place") or ""
        for entity in annotation["entities"]:
            assert entity["type"] in ("person", "organization", "place"), entity
            forms = [entity["name"], *entity.get("alt", [])]
            assert any(form in text or form in dateline for form in forms), (enrichment_real.name_of(annotation), entity["name"])
        for quote in annotation.get("quotes", []):
            # once in the text, at the quote's first word: after an opening mark (and an ellipsis)
            assert text.count(quote["anchor"]) == 1, (annotation["page"], quote)
            before = text[:locate(quote)].rstrip(" …")
            assert before[-1:] in OPENING_MARKS, (annotation["page"], quote)
            anchored += 1
    assert anchored == 10


def test_a_page_that_cannot_be_had_is_reported_not_raised(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    empty = tmp_path / "empty.html"
    empty.write_text("<html><body></body></html>", encoding="utf-8")
    broken = tmp_path / "broken.html.gz"
    broken.write_bytes(gzip.compress(b"<html>")[:-6])
    set_dir = tmp_path / "set"
    set_dir.mkdir()
    quotes = 'quotes = [{anchor = "x", speaker = ""}]\n'
    (set_dir / "a-missing.toml").write_text(
        f'page = "indonesian-news/pages/no-such-page.html"\nurl = "https://x.invalid/a"\nsplit = "heldout3"\nentities = []\n{quotes}')
    (set_dir / "b-empty.toml").write_text(f'page = "{empty}"\nurl = "https://x.invalid/b"\nsplit = "heldout3"\nentities = []\n{quotes}')
    (set_dir / "c-broken.toml").write_text(f'page = "{broken}"\nsplit = "heldout3"\nentities = []\n{quotes}')
    (set_dir / "d-not-in-truth.toml").write_text('file = "no-such-page.html"\nsplit = "dev"\nentities = []\n')
    (set_dir / "e-bad.toml").write_text('split = "dev\n')
    scored, missing = enrichment_real.load_set(set_dir)
    assert scored == []
    reasons = {page: reason for _, page, reason in missing}
    assert set(reasons) == {"indonesian-news/pages/no-such-page.html", str(empty), str(broken), "no-such-page.html", "e-bad.toml"}
    assert "cannot read" in reasons["indonesian-news/pages/no-such-page.html"]
    assert "no article" in reasons[str(empty)]
    assert "cannot read" in reasons[str(broken)]
    assert "no content" in reasons["no-such-page.html"]
    assert "unreadable annotation" in reasons["e-bad.toml"]
    # the command says so and stops with an error, naming each page, when nothing could be read
    assert enrichment_real.main(["--set-dir", str(set_dir)]) == 2
    err = capsys.readouterr().err
    assert err.count("not scored") == 5 and "no-such-page.html" in err
    # beside a page that can be read, the others are listed under the totals and the run goes on
    (set_dir / "f-dev.toml").write_text((SET_DIR / "kompas-singlepage.toml").read_text(encoding="utf-8"), encoding="utf-8")
    assert enrichment_real.main(["--set-dir", str(set_dir)]) == 0
    out = capsys.readouterr().out
    assert "dev (1 page): entity recall" in out
    assert "heldout3: indonesian-news/pages/no-such-page.html not scored: " in out
    assert out.count("not scored") == 5


def test_feed_items_are_read_and_a_missing_one_reported(tmp_path: Path) -> None:
    feed = tmp_path / "feed.xml"
    feed.write_text(
        "\n  <?xml version='1.0' encoding='utf-8'?><rss><channel>"
        "<item><title>Banjir di Kota Padang</title><link>https://x.invalid/1</link>"
        "<description><![CDATA[<p>Wali Kota Padang Hendra Saputra meninjau banjir di Kecamatan Koto Tangah &amp; "
        "sekitarnya bersama Badan Penanggulangan Bencana Daerah.</p>]]></description></item>"
        "<item><title>Tanpa ringkasan</title><link>https://x.invalid/2</link></item>"
        "</channel></rss>", encoding="utf-8")
    set_dir = tmp_path / "set"
    set_dir.mkdir()
    entities = '[{name = "Padang", type = "place"}, {name = "Hendra Saputra", type = "person"}]'
    (set_dir / "a.toml").write_text(
        f'feed = "{feed}"\nsplit = "heldout4"\n'
        f'[[items]]\nlink = "https://x.invalid/1"\nentities = {entities}\n'
        '[[items]]\nlink = "https://x.invalid/2"\nentities = []\n'
        '[[items]]\nlink = "https://x.invalid/3"\nentities = []\n', encoding="utf-8")
    (set_dir / "b.toml").write_text(f'feed = "{tmp_path / "none.xml"}"\nsplit = "heldout4"\nitems = []\n', encoding="utf-8")
    scored, missing = enrichment_real.load_set(set_dir)
    assert len(scored) == 1
    item, article, _ = scored[0]
    assert item["split"] == "heldout4" and item["item"].endswith("#1")
    assert article.title == "Banjir di Kota Padang"
    assert article.text.startswith("Wali Kota Padang Hendra Saputra meninjau") and "Tangah & sekitarnya" in article.text
    reasons = " | ".join(reason for _, _, reason in missing)
    assert "#2: the item has no summary" in reasons and "#3: no item with link" in reasons
    assert "none.xml: cannot read the feed" in reasons and len(missing) == 3
    # what the enricher finds beyond the gold counts against precision, unless the annotation leaves it open
    kb = enrichment_real.load_kb()
    plain = enrichment_real.score_article(item, article, lambda q: None, kb, show=False)
    extra = [n for n in ("Koto Tangah", "Kecamatan Koto Tangah", "Badan Penanggulangan Bencana Daerah")]
    assert len(plain["right"]) > sum(plain["right"])  # something beyond the two gold names was found
    opened = enrichment_real.score_article({**item, "ignore": extra}, article, lambda q: None, kb, show=False)
    assert sum(opened["right"]) == sum(plain["right"]) and len(opened["right"]) < len(plain["right"])
    assert opened["found"] == plain["found"]
