-- Direct quotes and their speakers (enricher `quotes`, tasks/enrichers/quotes.py).
CREATE TABLE IF NOT EXISTS store.quotes (
    article_id        VARCHAR NOT NULL,
    quote             VARCHAR NOT NULL,  -- the text between the quote marks
    speaker_text      VARCHAR,           -- the speaker, surnames/pronouns resolved to the full name
    speaker_surface   VARCHAR,           -- the speaker as written at the attribution ("Cheong", "tambahnya")
    speaker_entity_id VARCHAR,           -- the knowledge-base entity of the speaker, when linked
    verb              VARCHAR,           -- the reporting verb or cue (kata, ujar, lapor, menurut, mengatakan ...)
    char_start        INTEGER NOT NULL,  -- offset of the quote's first character in articles.text
    char_end          INTEGER NOT NULL
);
