-- Enrichment: entity mentions and the entities each article names (with the
-- knowledge-base attributes at the time), themes, tone, and the article summary column.
-- Each table is owned by one enricher: its rows for an article are replaced on every run.
CREATE TABLE store.mentions (
    article_id VARCHAR NOT NULL,
    entity_id  VARCHAR,                 -- null: a name not in the knowledge base (unlinked)
    surface    VARCHAR NOT NULL,        -- the text as written: articles.text[char_start:char_end]
    char_start INTEGER NOT NULL,        -- 0-based character offsets into articles.text
    char_end   INTEGER NOT NULL,
    type       VARCHAR NOT NULL         -- person | organization | place
);

CREATE TABLE store.article_entities (
    article_id    VARCHAR NOT NULL,
    entity_id     VARCHAR NOT NULL,
    name          VARCHAR NOT NULL,
    type          VARCHAR NOT NULL,
    wikidata_id   VARCHAR,
    country       VARCHAR,
    lat           DOUBLE,
    lon           DOUBLE,
    mention_count INTEGER NOT NULL,
    kb_fingerprint VARCHAR NOT NULL
);

CREATE TABLE store.themes (
    article_id VARCHAR NOT NULL,
    theme      VARCHAR NOT NULL,
    score      DOUBLE NOT NULL,        -- cue occurrences per 100 words
    hits       INTEGER NOT NULL,
    cues       VARCHAR                 -- the distinct cues found, comma-separated
);

CREATE TABLE store.tone (
    article_id VARCHAR NOT NULL,
    tone       DOUBLE NOT NULL,        -- positive - negative
    positive   DOUBLE NOT NULL,        -- % of words in the positive lexicon
    negative   DOUBLE NOT NULL,        -- % of words in the negative lexicon
    polarity   DOUBLE NOT NULL,        -- positive + negative
    words      INTEGER NOT NULL
);

ALTER TABLE store.articles ADD COLUMN summary VARCHAR;
