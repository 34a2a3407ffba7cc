"""tasks/stories.py: salient terms, the date window and entity ids."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from kabar.config import DedupeSettings
from kabar.models import Article
from tasks.enrich import Enrichment
from tasks.stories import StoryContext, assign_stories, raw_terms, story_date

WHEN = datetime(2024, 3, 1, tzinfo=timezone.utc)
FLOOD = ("Banjir rendam Dayeuhkolot", "Sungai Citarum meluap dan merendam rumah warga di Dayeuhkolot dan Baleendah. "
         "BPBD Kabupaten Bandung mengevakuasi warga dengan perahu karet.")
FLOOD2 = ("Citarum meluap, warga Baleendah mengungsi", "Ribuan warga Baleendah dan Dayeuhkolot mengungsi setelah Citarum "
          "meluap. Petugas BPBD Bandung menyiapkan perahu karet dan dapur umum.")
MARKET = ("Harga cabai melonjak", "Harga cabai rawit di Pasar Induk Kramat Jati melonjak menjelang Ramadan, kata pedagang.")


def _article(n: int, title: str, text: str, published: datetime | None = WHEN) -> Article:
    article = Article(url=f"https://o{n}.id/{n}", source="s", fetched_at=WHEN, text=text, title=title,
                      published_at=published, article_id=f"a{n}")
    article.meta["status"] = "new"
    return article


def test_raw_terms_drop_stopwords_and_boost_titles_and_names() -> None:
    terms = raw_terms("Banjir di Bandung", "Warga di Baleendah yang terdampak banjir dievakuasi.")
    assert "yang" not in terms and "di" not in terms
    assert terms["banjir"] > terms["warga"]
    assert terms["baleendah"] > terms["dievakuasi"]  # a capitalised word inside a sentence looks like a name


def test_story_date_prefers_published_then_dateline() -> None:
    undated = _article(1, "x", "Seperti dilansir AFP, Rabu (15/5/2024), Kim berkata", published=None)
    assert story_date(undated) == datetime(2024, 5, 15, tzinfo=timezone.utc)
    assert story_date(_article(2, "x", "tanpa tanggal", published=None)) is None


def test_same_event_joins_other_event_starts_a_story_and_the_window_separates() -> None:
    config = DedupeSettings()
    late = _article(4, *FLOOD2, published=datetime(2024, 9, 1, tzinfo=timezone.utc))
    batch = [_article(1, *FLOOD), _article(2, *FLOOD2), _article(3, *MARKET), late]
    # In a warehouse of 100 articles: in one of four, every word of the flood is in most of them,
    # and no count of documents can tell the event's words from the subject's.
    assign_stories(batch, StoryContext(documents=100), config)
    stories = [a.meta["story_id"] for a in batch]
    assert stories[0] == stories[1] == "a1"
    assert stories[2] == "a3"
    assert stories[3] == "a4"  # same words, six months later: another flood


def test_shared_entities_count_as_specific_terms_but_two_actors_alone_are_not_an_event() -> None:
    config = DedupeSettings()
    when = datetime(2024, 3, 1, tzinfo=timezone.utc)
    first = _article(1, "Menteri meninjau pelabuhan Tanjung Emas", "Kunjungan kerja di Tanjung Emas berlangsung sejak "
                     "pagi bersama rombongan Pelindo dan Syahbandar Semarang.", published=when)
    second = _article(2, "Peresmian dermaga baru Tanjung Emas", "Acara di Tanjung Emas dihadiri pejabat Pelindo, "
                      "Syahbandar Semarang dan tokoh masyarakat setempat.", published=when)
    for article in (first, second):
        article.enrichments["entities"] = Enrichment(rows={"mentions": [{"entity_id": "Q1"}, {"entity_id": "Q2"}]})
    # A warehouse of 1,000 articles in which these words and entities are rare (as they would be).
    assign_stories([first, second], StoryContext(documents=1000), config)
    assert first.meta["story_id"] == second.meta["story_id"]
    # The same two actors and nothing else of the event in common: two stories (issue 14: "KPA"
    # and "UN Security Council" made two North Korea reports a year apart one story).
    third = _article(3, "Menteri meninjau pelabuhan", "Kunjungan kerja berlangsung sejak pagi bersama rombongan.")
    fourth = _article(4, "Peresmian dermaga baru", "Acara dihadiri pejabat daerah dan tokoh masyarakat setempat.")
    for article in (third, fourth):
        article.enrichments["entities"] = Enrichment(rows={"mentions": [{"entity_id": "Q1"}, {"entity_id": "Q2"}]})
    assign_stories([third, fourth], StoryContext(documents=1000), config)
    assert third.meta["story_id"] != fourth.meta["story_id"]


def test_an_undated_article_needs_twice_the_shared_terms() -> None:
    """Without dates the window cannot keep two events of one subject apart: an article that
    shares 6-11 specific terms with a story joins it when both are dated, not when one is not."""
    config = DedupeSettings()
    words = "Citarum Baleendah Dayeuhkolot BPBD perahu karet mengungsi meluap".split()
    text = "Warga " + " dan ".join(words) + "."
    dated = [_article(1, "Banjir", text), _article(2, "Banjir lagi", text + " Hujan deras.")]
    assign_stories(dated, StoryContext(documents=1000), config)
    assert dated[0].meta["story_id"] == dated[1].meta["story_id"]
    undated = [_article(1, "Banjir", text), _article(2, "Banjir lagi", text + " Hujan deras.", published=None)]
    assign_stories(undated, StoryContext(documents=1000), config)
    assert undated[0].meta["story_id"] != undated[1].meta["story_id"]


SHARED = Path(__file__).resolve().parents[3] / "shared"


@pytest.mark.skipif(not (SHARED / "seeds").exists(), reason="needs ../shared/seeds")
@pytest.mark.parametrize("with_corpus", [False, True])
def test_seeds_form_four_stories_alone_or_among_unrelated_pages(with_corpus: bool) -> None:
    """Four seeds on one subject (North Korea's arms industry), three events: 000; 001 with 003;
    002; 004, whatever else is in the batch and in whichever order (issue 14)."""
    seeds = [(p.name[:3], None, p.read_text(encoding="utf-8")) for p in sorted((SHARED / "seeds").glob("*.txt"))]
    others = []
    truth = SHARED / "corpus" / "indonesian-news" / "pages" / "ground-truth.json"
    if with_corpus and truth.exists():
        pages = json.loads(truth.read_text(encoding="utf-8"))
        others = [(name, page.get("title"), page["content"]) for name, page in sorted(pages.items()) if page.get("content")]
    for order in (seeds + others, others[::-1] + seeds[::-1]):
        batch = []
        for n, (name, title, text) in enumerate(order):
            article = Article(url=f"https://x.id/{n}", source="s", fetched_at=WHEN, text=text, title=title,
                              published_at=None, article_id=name)
            article.meta["status"] = "new"
            batch.append(article)
        assign_stories(batch, StoryContext(), DedupeSettings())
        story = {a.article_id: a.meta["story_id"] for a in batch}
        groups = {frozenset(k for k in ("000", "001", "002", "003", "004") if story[k] == s)
                  for s in (story[k] for k in ("000", "001", "002", "003", "004"))}
        assert groups == {frozenset({"000"}), frozenset({"001", "003"}), frozenset({"002"}), frozenset({"004"})}
        assert not any(story[name] in {story[k] for k in ("000", "001", "002", "003", "004")} for name, _, _ in others)
