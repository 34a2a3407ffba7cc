"""Entities: knowledge-base entities and unlinked names mentioned in each article, with offsets.

Owns ``store.mentions`` (every mention, offsets into ``articles.text``; the dateline's places,
which the normaliser cut from the text, without offsets and ``found_in = 'dateline'``) and
``store.article_entities`` (each linked entity an article names, with its KB attributes: the
``entities`` and ``places`` views read it). The version includes the KB's fingerprint, so an
edited knowledge base re-runs this enricher over old articles on ``kabar enrich``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from kabar.models import Article
from tasks.enrich import ArticleWork, Enrichment, current_settings, register
from tasks.entities import Entity, KnowledgeBase, Mention, load_kb
from tasks.mentions import text_mentions
from tasks.ner import NEWS_MODEL
from tasks.place_mentions import (IN_DATELINE, dateline_mentions, is_street, lookup_name, unlinked_dateline_parts,
                                  with_streets)
from tasks.places import PLACES_FILE, gazetteer

#: Bump when the matching rules change (the KB's own changes are in the fingerprint).
RULES_VERSION = "11"  # 11: a province's whole name read as a body ("Daerah Istimewa Yogyakarta") is the province, and its acronym with it; an office holder named right after a body ("Ketua DPRD Sumut Ajib Shah") is cut off it when the model, asked again from the name on, reads a person; in a text with no capitals the model's names are linked to capitalised aliases ("rusia"), a vocative ("Wahai X") is not a name's, a known place with a part after it that the gazetteer knows is that place ("Jakarta Selatan"), a neighbourhood's RT/RW number is not its name, religious titles ("Ustaz", "KH", "Nabi") and honorifics after a name ("SAW", "ra") are not the name's, a capitalised unit or head word the model leaves out before a place ("Desa X" opening a sentence, "Bandar Udara X") is the name's, a body's name runs to the short form bracketed after it, and a short form between a body and an area, said with an area again, names the body of that area ("Pengadilan Negeri (PN) Surabaya", "PN Surabaya"); 10: a place word opening a person's name with no office before it is the given name (and the word alone that person), lines of a hand-wrapped paragraph are prose, not headlines, a person the model finds right after a body's head noun ("Kejaksaan Agung") is the body's name; 9: ranks inside a place's name kept, a lower-case unit before a place left out (the place kept), terms spelled out before an acronym are no name, a name back over an initial stops at a numeral, head words keep their type against lists, "stasiun" keeps a place, an organisation runs over a place in its name, roads and numbered schools not split at places, "Kantor Presiden" not cut at the rank and a head word alone no name; 8: names in a text with no capital letter kept, a line ending in a full stop is not a headline, a short form with a capitalised word after it is not a reference; 7: the dateline's places (no offsets) and streets; 6: unlinked names typed by an organisation descriptor before them or by the list they are in, a place cut before a person with an alias, acronyms the text counts ("unit BTS") dropped; 3: sentence openers the text uses lower-cased are trimmed from names; 4: NER features and word clusters; 5: a period between a word and a capital ends a name, model codes, common-word acronyms, place heads, names cut at the text's own places
NO_QID_NOTE = "shipped without a Wikidata id (not looked up yet): `kabar kb update` fills it"


def mention_inputs() -> str:
    """What the text's mentions depend on besides the knowledge base: the rules' version, and the
    NER model and places gazetteer, which make rebuilds. The quotes enricher, whose speakers are
    found among the same mentions, carries it in its version too."""
    return f"{RULES_VERSION}+ner.{_file_stamp(NEWS_MODEL)}+places.{_file_stamp(PLACES_FILE)}"


def _file_stamp(path) -> str:
    try:
        stat = path.stat()
    except OSError:
        return "none"
    return f"{stat.st_size:x}{stat.st_mtime_ns % 10**6:x}"


def link_places(mentions: list[Mention], kb: KnowledgeBase) -> tuple[list[Mention], dict[str, tuple[Entity, str]]]:
    """Unlinked place names linked to the places gazetteer (tasks/places.py), preferring namesakes
    in the countries the article's linked places are in, then namesakes inside the areas its other
    places are (the "Alue Papeun" of the kecamatan the article names, not another province's).
    The dateline's places take part like the text's ("Mataram, NTB": NTB's one namesake picks the
    Mataram inside it); one in capitals is looked up as written, then capitalised ("BALI").
    Streets are not looked up (tasks/place_mentions.py ``is_street``).
    Returns the mentions and the gazetteer entities they now point to, each with its note on why
    it has no Wikidata id."""
    places = gazetteer()
    countries = tuple({kb.entities[m.entity_id].country for m in mentions
                       if m.entity_id in kb.entities and kb.entities[m.entity_id].country})
    names: dict[str, str] = {}
    for m in mentions:
        if m.entity_id is None and m.type == "place" and m.surface not in names and not is_street(m.surface):
            written = lookup_name(m)
            names[m.surface] = m.surface if written == m.surface or places.namesakes(m.surface)[1] else written
    # the areas the article's places lie in, from the names that have one namesake only ("Aceh
    # Utara", "Kecamatan Paya Bakong"): they pick among the namesakes of the others
    near = frozenset(i for s in names.values() if len(found := places.namesakes(s)[1]) == 1
                     for i in (found[0].entity.entity_id, *found[0].parents))
    found = {s: places.lookup(name, countries, near) for s, name in names.items()}
    linked: dict[str, tuple[Entity, str]] = {}
    out = []
    for m in mentions:
        place = found.get(m.surface) if m.entity_id is None and m.type == "place" else None
        if place is not None:
            linked[place.entity.entity_id] = (place.entity, place.wikidata_note)
            m = replace(m, entity_id=place.entity.entity_id)
        out.append(m)
    return out, linked


def article_mentions(article: Article, kb: KnowledgeBase, work: ArticleWork | None = None
                     ) -> tuple[list[Mention], dict[str, tuple[Entity, str]]]:
    """Everything the enricher writes for ``article``: the mentions of its text (the title as
    context for short references, never as mentions of its own: the annotation rules count names
    "named in the body"), its streets, and the places of its dateline (``meta['dateline_place']``,
    first, without offsets: tasks/place_mentions.py), linked; and the gazetteer places they name."""
    # find_mentions(article.text, kb, context=title), its title-independent part shared
    mentions = text_mentions(article.text, kb, work).mentions(article.title or "")
    mentions = dateline_mentions(article.meta.get("dateline_place"), kb) + with_streets(article.text, mentions)
    mentions, places = link_places(mentions, kb)
    return unlinked_dateline_parts(mentions), places


class EntitiesEnricher:
    name = "entities"
    fields = ()
    tables = ("mentions", "article_entities")
    #: the mentions of the text are shared with the quotes enricher (tasks/enrich.py ArticleWork)
    uses_work = True

    @staticmethod
    def knowledge_base() -> KnowledgeBase:
        """The shipped KB plus the user's files (the run's ``[enrich] knowledge_base``)."""
        return load_kb(current_settings().knowledge_base)

    @property
    def version(self) -> str:  # type: ignore[override]
        # the NER model and the places gazetteer are rebuilt by make: a new one re-runs the enricher
        return (f"{RULES_VERSION}+kb.{self.knowledge_base().fingerprint}"
                f"+ner.{_file_stamp(NEWS_MODEL)}+places.{_file_stamp(PLACES_FILE)}")

    def enrich(self, article: Article, work: ArticleWork | None = None) -> Enrichment:
        kb = self.knowledge_base()
        mentions, places = article_mentions(article, kb, work)
        filed_from = {m.entity_id for m in mentions if m.found_in == IN_DATELINE}
        counts = Counter(m.entity_id for m in mentions if m.entity_id)
        entities = []
        for entity_id, n in counts.items():
            if entity_id in kb.entities:
                entity = kb.entities[entity_id]
                note = None if entity.wikidata_id else NO_QID_NOTE
            else:
                entity, note = places[entity_id]
            entities.append({
                "entity_id": entity_id, "name": entity.name, "type": entity.type,
                "wikidata_id": entity.wikidata_id, "country": entity.country, "lat": entity.lat,
                "lon": entity.lon, "mention_count": n, "kb_fingerprint": kb.fingerprint,
                "wikidata_note": note, "in_dateline": entity_id in filed_from,
            })
        return Enrichment(rows={
            "mentions": [
                {"entity_id": m.entity_id, "surface": m.surface, "char_start": m.char_start,
                 "char_end": m.char_end, "type": m.type, "canonical": m.canonical, "found_in": m.found_in}
                for m in mentions
            ],
            "article_entities": entities,
        })


register(EntitiesEnricher())
