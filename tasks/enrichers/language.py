"""Language identification (py3langid), with an Indonesian/Malay tie-breaker."""

from __future__ import annotations

import re

from kabar.models import Article
from tasks.enrich import Enrichment, register


# Character n-gram models confuse Indonesian and Malay, which share most of their vocabulary;
# these spellings and words are where the two standards differ (ID "karena", MS "kerana", ...).
_INDONESIAN = frozenset(
    "karena pemerintah uang baru bisa coba mengatakan agustus kantor kota tiongkok yaitu kemarin "
    "serikat silakan".split()
)
_MALAY = frozenset(
    "kerana kerajaan wang baharu boleh cuba berkata ogos pejabat bandar iaitu ialah semasa sahaja "
    "selepas syarikat sila".split()
)


def indonesian_or_malay(text: str, guess: str, hint: str | None = None) -> str:
    """Settle the model's id/ms guess with the words in which the two standards differ: a Malay
    guess with more Indonesian markers is Indonesian; an Indonesian guess needs clearly more
    Malay markers (3+) to flip; a tie goes to the source's hint when it names one of the two."""
    words = re.findall(r"[a-z]+", text.casefold())
    indonesian = sum(w in _INDONESIAN for w in words)
    malay = sum(w in _MALAY for w in words)
    if guess == "ms" and indonesian > malay:
        return "id"
    if guess == "id" and malay >= indonesian + 3:
        return "ms"
    if indonesian == malay and hint in ("id", "ms"):
        return hint
    return guess


class LanguageEnricher:
    """Language identification with py3langid, over a fixed set of languages likely in the news
    this tool reads (a small set keeps Indonesian from being taken for Malay by chance)."""

    name = "language"
    version = "1"
    fields = ("language",)
    tables = ()
    LANGUAGES = ("id", "ms", "en", "jv", "nl", "fr", "de", "es", "pt", "it", "ru", "ko", "ja", "zh", "ar")

    def __init__(self) -> None:
        self._identifier = None

    def _model(self):
        if self._identifier is None:
            from py3langid.langid import MODEL_FILE, LanguageIdentifier

            identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
            identifier.set_languages(list(self.LANGUAGES))
            self._identifier = identifier
        return self._identifier

    def enrich(self, article: Article) -> Enrichment:
        sample = f"{article.title or ''}\n{article.text}"[:5000]
        if len(sample.split()) < 5:
            return Enrichment(fields={"language": article.language_hint})
        language, probability = self._model().classify(sample)
        if language in ("id", "ms"):
            language = indonesian_or_malay(sample, language, article.language_hint)
        elif probability < 0.5 and article.language_hint:
            language = article.language_hint
        return Enrichment(fields={"language": language})


register(LanguageEnricher())
