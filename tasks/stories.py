"""Stories: articles about one event, from different outlets and in different words, grouped.

In: a batch of deduplicated (and enriched) articles. Out: the same articles with
``meta['story_id']`` and, for originals, ``meta['story_terms']`` (the article's unit term vector
the load step adds to its story's centroid) and ``meta['story_date']``.

An article is a bag of salient terms: words of title and text without Indonesian (and common
English) stopwords, weighted by where they stand (title, lead) and whether they look like names
(capitalised inside a sentence), times their inverse document frequency over the warehouse;
entity ids from the enrichment stage (``enrichments['entities']`` rows with ``entity_id``) join
as ``ent:<id>`` terms with a high weight, so better entities directly sharpen stories.
A new original is compared with the stories sharing a term with it: a story whose centroid (the
sum of its members' vectors) has a cosine of at least ``story_threshold`` with the article, whose
dates lie within ``story_window_days`` of the article's and which shares enough specific terms
with it (the gates: same event, not same subject) is scored by the learned same-story model
(``tasks/story_model.py``: word cosine, headline likeness, shared names and numbers); the article
joins the story with the highest probability at or above the model's threshold; otherwise it
starts a story named after itself.
Undated articles (no published date and no dateline in the text) skip the date test.
Copies join their original's story. Unchanged and edited articles keep the story they have:
nothing is recomputed, so re-ingesting the same sources changes no assignment.
"""

from __future__ import annotations

import logging
import math
import re
import unicodedata
from collections import Counter
from datetime import datetime, timedelta, timezone
from typing import Iterable

from prefect.cache_policies import NONE as NO_CACHE

from kabar.config import DedupeSettings, Warehouse
from kabar.models import Article
from kabar.records import StoryContext, StoryState
from kabar.tasking import task
from tasks.story_model import char_grams, headline, load_model, pair_features
from warehouse.lookup import story_context

LOGGER = logging.getLogger(__name__)

MAX_TERMS = 150
#: Added to every IDF so terms all stored articles share still count a little (see term_vector).
IDF_FLOOR = 0.05
ENTITY_WEIGHT = 4.0
#: Same event, not same subject: an article joins a story only when they share at least this
#: many specific terms (names, places, numbers, words rare in the warehouse: document frequency
#: at most SPECIFIC_DF_SHARE of the originals, or 2), not only the subject's vocabulary. The test
#: holds in a warehouse of any size (issue 14): it used to be skipped below 20 originals, so the
#: seeds ingested alone were judged by the cosine and ingested with 22 other pages by this count,
#: and the answer depended on what else was in the batch. Four seeds about North Korea's arms
#: industry share "Kim", "Korea Utara", "rudal", "senjata" and cross any cosine threshold once
#: unrelated pages raise those words' IDF; the two reports of one August 2023 visit share 16
#: specific terms, the others 1 to 5.
MIN_SHARED_SPECIFIC = 6
SPECIFIC_DF_SHARE = 0.05
#: When the date test cannot be made (the article or the story has no date), the words must
#: agree this many times more strongly: the window is what keeps two events of one subject apart
#: (a missile test in May 2024 and a weapons conference in August 2023), and without it two
#: shared actors and a shared word were enough (seed 000, undated, joined 002 in a mixed ingest).
UNDATED_FACTOR = 2.0

STOPWORDS = frozenset(
    """ada adalah adanya agar akan akhir akhirnya aku anda antara apa apabila apakah atas atau
    bagai bagaimana bagi bahkan bahwa baik banyak baru bawah beberapa begitu belum benar berada
    berbagai berikut bersama besar bisa buat bukan cukup dalam dan dapat dari demikian dengan
    di dia diri dirinya disebut ditanya dua hal hanya harus hari hingga ia ialah ini itu jadi
    jika juga justru kali kalau kami kamu kan karena kata ke kecil kemudian kepada ketika
    kini lagi lain lalu lama lebih lewat maka mana masih masing mau melalui memang mereka
    menjadi menurut merupakan mungkin namun oleh pada padahal para pernah pula pun saat saja
    salah sama sampai sangat satu saya se sebagai sebelum sebuah secara sedang sejak sekitar
    selain selama seorang seperti serta sesuai setelah sudah tak tanpa telah tentang tersebut
    terhadap termasuk tetapi tiga tidak untuk yaitu yakni yang nya pihak tahun bulan pekan
    minggu senin selasa rabu kamis jumat sabtu kata ujar sebut menyebut mengatakan dikatakan
    laporan melaporkan dilansir seperti lanjutnya katanya jelasnya baca juga com detik kompas
    the of and to in a is that for on was with as by at from it an be are has have he his
    said says will would not this its were they their which been who after more but or also""".split()
)
_TOKEN = re.compile(r"[^\W_]+(?:-[^\W_]+)*", re.UNICODE)
_SENTENCE_END = frozenset('.!?"“”:—–-(')
_DATELINE = re.compile(r"\((\d{1,2})/(\d{1,2})/(\d{4})\)")


def story_date(article: Article) -> datetime | None:
    """The article's date for the story window: published_at, else a '(d/m/yyyy)' dateline in
    the first 600 characters of the text (Indonesian outlets' 'Rabu (15/5/2024)'), else None."""
    if article.published_at is not None:
        stamp = article.published_at
        return stamp if stamp.tzinfo else stamp.replace(tzinfo=timezone.utc)
    match = _DATELINE.search(article.text[:600])
    if match:
        day, month, year = (int(g) for g in match.groups())
        try:
            return datetime(year, month, day, tzinfo=timezone.utc)
        except ValueError:
            return None
    return None


def entity_ids(article: Article) -> list[str]:
    """Entity ids the enrichment stage found, if any (rows of any table with an ``entity_id``)."""
    result = article.enrichments.get("entities")
    rows = getattr(result, "rows", None) or {}
    ids = [str(row["entity_id"]) for table in rows.values() for row in table if row.get("entity_id") is not None]
    return sorted(set(ids))


def _tokens(title: str | None, text: str) -> Iterable[tuple[str, float, bool]]:
    """(case-folded word, place weight, name-like) for each kept word: title x3, the first two
    paragraphs x2, the rest x1; name-like = capitalised inside a sentence."""
    paragraphs = [p for p in text.split("\n") if p.strip()]
    parts = [(title or "", 3.0)] + [(p, 2.0 if i < 2 else 1.0) for i, p in enumerate(paragraphs)]
    for part, weight in parts:
        part = unicodedata.normalize("NFKC", part)
        for match in _TOKEN.finditer(part):
            token = match.group()
            word = token.casefold()
            i = match.start() - 1
            while i >= 0 and part[i].isspace():
                i -= 1
            name_like = token[0].isupper() and i >= 0 and part[i] not in _SENTENCE_END
            if word in STOPWORDS or (len(word) < 3 and not word.isdigit()) or (word.isdigit() and len(word) < 2):
                continue
            yield word, weight, name_like


def scan_terms(title: str | None, text: str, entities: Iterable[str] = ()
               ) -> tuple[Counter[str], frozenset[str], frozenset[str]]:
    """``raw_terms``, and the article's name-like words and numbers (two digits or more) as terms
    (the same-story model's features), in one pass over the words."""
    weights: Counter[str] = Counter()
    names, numbers = set(), set()
    for word, weight, name_like in _tokens(title, text):
        weights[word] += weight * (2.0 if name_like else 1.0)
        if word.isdigit():
            numbers.add(word)
        elif name_like:
            names.add(word)
    for entity in entities:
        weights[f"ent:{entity}"] += ENTITY_WEIGHT
    return weights, frozenset(names), frozenset(numbers)


def raw_terms(title: str | None, text: str, entities: Iterable[str] = ()) -> Counter[str]:
    """Term weights before IDF: title words x3, the first two paragraphs x2, the rest x1; a
    capitalised word inside a sentence (a name) x2; entity ids as ``ent:<id>`` x ENTITY_WEIGHT."""
    return scan_terms(title, text, entities)[0]


def names_and_numbers(title: str | None, text: str) -> tuple[frozenset[str], frozenset[str]]:
    """The article's name-like words and its numbers (two digits or more), as terms."""
    _, names, numbers = scan_terms(title, text)
    return names, numbers


def term_vector(raw: Counter[str], df: dict[str, int], documents: int, limit: int = MAX_TERMS) -> dict[str, float]:
    """Unit-length TF-IDF vector of the ``limit`` heaviest terms (log-scaled term weight times
    smoothed IDF over ``documents`` stored originals)."""
    scored = {
        term: (1.0 + math.log(weight)) * (math.log((documents + 1) / (df.get(term, 0) + 1)) + IDF_FLOOR)
        for term, weight in raw.items() if weight > 0
    }
    top = sorted(scored.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    norm = math.sqrt(sum(w * w for _, w in top)) or 1.0
    return {term: round(w / norm, 6) for term, w in top}


def cosine(vector: dict[str, float], story: StoryState) -> float:
    """Cosine between a unit vector and a story centroid."""
    if not story.norm:
        return 0.0
    return sum(w * story.terms.get(t, 0.0) for t, w in vector.items()) / story.norm


def within_window(date: datetime | None, story: StoryState, days: int) -> bool:
    if date is None or story.first_date is None or story.last_date is None:
        return True
    slack = timedelta(days=days)
    return story.first_date - slack <= date <= story.last_date + slack


def _fold(story: StoryState, vector: dict[str, float], date: datetime | None) -> None:
    """Add a member's vector to the centroid (the same arithmetic the load step does in SQL)."""
    for term, weight in vector.items():
        story.terms[term] = story.terms.get(term, 0.0) + weight
    story.norm = math.sqrt(sum(w * w for w in story.terms.values()))
    story.members += 1
    if date is not None:
        story.first_date = min(story.first_date or date, date)
        story.last_date = max(story.last_date or date, date)


def _needed(story: StoryState, date: datetime | None = None) -> float:
    """Specific terms an article must share with a story: more for a bigger story, whose centroid
    holds the union of its members' terms (so any article shares more of it by chance), and
    UNDATED_FACTOR times more when the article or the story is undated (no date test)."""
    needed = MIN_SHARED_SPECIFIC * (1 + 0.5 * (story.members - 1))
    if date is None or story.first_date is None:
        needed *= UNDATED_FACTOR
    return needed


def _shared_specific(vector: dict[str, float], story: StoryState, df: dict[str, int], limit: float) -> int:
    """How many of the article's terms the story has that are specific (rare in the warehouse).
    A shared entity (an actor or place the enrichment linked) counts once, like a word: its name's
    words are terms already, and two shared actors are a subject, not an event (it counted three
    times, and 'KPA' plus 'UN Security Council' made two seeds of a year apart one story)."""
    return sum(1 for term in vector if term in story.terms and df.get(term, 0) <= limit)


def assign_stories(articles: list[Article], context: StoryContext, config: DedupeSettings) -> list[Article]:
    """Give each new original or copy in the batch a story, in batch order (see module doc).
    Articles with status ``unchanged`` or ``updated`` are left as they are."""
    df, documents = dict(context.df), context.documents
    raws: dict[int, Counter[str]] = {}
    marks: dict[int, tuple[frozenset[str], frozenset[str]]] = {}
    for i, article in enumerate(articles):
        if article.meta.get("status") in ("new", "duplicate"):
            raws[i], names, numbers = scan_terms(article.title, article.text, entity_ids(article))
            marks[i] = (names, numbers)
            if article.meta["status"] == "new":
                # The batch's own originals count in the document frequencies from the start,
                # so the first articles of a young warehouse are not weighed by a near-empty IDF.
                documents += 1
                for term in raws[i]:
                    df[term] = df.get(term, 0) + 1
    model = load_model()
    stories = context.stories
    story_of = dict(context.story_of)
    # term -> ids of the stories whose centroid has it: an article is scored only against the
    # stories sharing a term with it. One sharing none scores exactly 0, never a match, so the
    # choice is the one a scan of every story makes (same order, same ties); the scan cost
    # articles x stories in the window, most of the stage's CPU on a fresh 300-page run (issue 11).
    position = {story_id: n for n, story_id in enumerate(stories)}
    having: dict[str, set[str]] = {}
    for story_id, story in stories.items():
        for term in story.terms:
            having.setdefault(term, set()).add(story_id)
    for i, article in enumerate(articles):
        status = article.meta.get("status")
        if status == "duplicate" and article.duplicate_of in story_of:
            article.meta["story_id"] = story_of[article.duplicate_of]
            continue
        if status not in ("new", "duplicate"):
            continue
        raw = raws[i]
        vector = term_vector(raw, df, documents)
        date = story_date(article)
        best, best_score, best_probability = None, 0.0, 0.0
        specific = max(2, SPECIFIC_DF_SHARE * documents)
        sharing = set().union(*(having.get(term, ()) for term in vector))
        grams, (names, numbers) = None, marks[i]
        for story_id in sorted(sharing, key=position.__getitem__):
            story = stories[story_id]
            score = cosine(vector, story)
            if score < config.story_threshold or not within_window(date, story, config.story_window_days):
                continue
            shared = _shared_specific(vector, story, df, specific)
            if shared < _needed(story, date):
                continue
            grams = grams if grams is not None else char_grams(headline(article.title, article.text))
            probability = model.probability(pair_features(score, grams, story, shared, names, numbers))
            if probability >= model.threshold and probability > best_probability:
                best, best_score, best_probability = story, score, probability
        if best is None:
            best = StoryState(article.article_id, article.title, None, None, 0, {}, 0.0)
            stories[best.story_id] = best
            position.setdefault(best.story_id, len(position))
            best_score = 1.0
        article.meta["story_id"] = best.story_id
        article.meta["story_similarity"] = round(best_score, 4)
        if best_probability:
            article.meta["story_probability"] = round(best_probability, 4)
        story_of[article.article_id] = best.story_id
        if status == "new":
            # Only originals shape the centroid and the document frequencies: copies would
            # weigh a syndicated story many times over.
            _fold(best, vector, date)
            for term in vector:
                having.setdefault(term, set()).add(best.story_id)
            article.meta["story_terms"] = vector
            article.meta["story_date"] = date
            article.meta["story_raw_terms"] = sorted(raw)
    return articles


def stories_batch(articles: list[Article], warehouse: Warehouse, config: DedupeSettings = DedupeSettings()) -> list[Article]:
    """Read the story state the batch touches (read-only, closed again) and assign stories."""

    todo = [a for a in articles if a.meta.get("status") in ("new", "duplicate")]
    if not todo:
        return articles
    terms = sorted({t for a in todo for t in raw_terms(a.title, a.text, entity_ids(a))})
    originals = [a.duplicate_of for a in todo if a.duplicate_of]
    dates = [story_date(a) for a in todo]
    floor = None if None in dates else min(dates) - timedelta(days=config.story_window_days)
    context = story_context(warehouse, terms, originals, floor)
    return assign_stories(articles, context, config)


@task(name="stories", cache_policy=NO_CACHE)
def stories_task(articles: list[Article], warehouse: Warehouse, config: DedupeSettings = DedupeSettings()) -> list[Article]:
    return stories_batch(articles, warehouse, config)


def pair_similarity(first: tuple[str | None, str], second: tuple[str | None, str], df: dict[str, int], documents: int) -> float:
    """Cosine of two (title, text) pairs' term vectors under the given document frequencies
    (what ``benchmarks/similarity.py`` scores)."""
    a = term_vector(raw_terms(*first), df, documents)
    b = term_vector(raw_terms(*second), df, documents)
    return sum(w * b.get(t, 0.0) for t, w in a.items())


def document_frequencies(texts: Iterable[tuple[str | None, str]]) -> tuple[dict[str, int], int]:
    """Document frequencies of raw terms over (title, text) pairs, and their count."""
    df: Counter[str] = Counter()
    n = 0
    for title, text in texts:
        df.update(set(raw_terms(title, text)))
        n += 1
    return dict(df), n
