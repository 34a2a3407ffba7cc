"""Entities: knowledge-base entities and unlinked names mentioned in each article, with offsets.

Owns ``store.mentions`` (every mention, offsets into ``articles.text``) and
``store.article_entities`` (each linked entity an article names, with its KB attributes: the
``entities`` and ``places`` views read it). The version includes the KB's fingerprint, so an
edited knowledge base re-runs this enricher over old articles on ``kabar enrich``.
"""

from __future__ import annotations

from collections import Counter

from kabar.models import Article
from tasks.enrich import Enrichment, current_settings, register
from tasks.entities import KnowledgeBase, load_kb
from tasks.mentions import find_mentions

#: Bump when the matching rules change (the KB's own changes are in the fingerprint).
RULES_VERSION = "1"


class EntitiesEnricher:
    name = "entities"
    fields = ()
    tables = ("mentions", "article_entities")

    @staticmethod
    def knowledge_base() -> KnowledgeBase:
        """The shipped KB plus the user's files (the run's ``[enrich] knowledge_base``)."""
        return load_kb(current_settings().knowledge_base)

    @property
    def version(self) -> str:  # type: ignore[override]
        return f"{RULES_VERSION}+kb.{self.knowledge_base().fingerprint}"

    def enrich(self, article: Article) -> Enrichment:
        kb = self.knowledge_base()
        mentions = find_mentions(article.text, kb, context=article.title or "")
        counts = Counter(m.entity_id for m in mentions if m.entity_id)
        entities = []
        for entity_id, n in counts.items():
            entity = kb.entities[entity_id]
            entities.append({
                "entity_id": entity_id, "name": entity.name, "type": entity.type,
                "wikidata_id": entity.wikidata_id, "country": entity.country, "lat": entity.lat,
                "lon": entity.lon, "mention_count": n, "kb_fingerprint": kb.fingerprint,
            })
        return Enrichment(rows={
            "mentions": [
                {"entity_id": m.entity_id, "surface": m.surface, "char_start": m.char_start,
                 "char_end": m.char_end, "type": m.type}
                for m in mentions
            ],
            "article_entities": entities,
        })


register(EntitiesEnricher())
