-- Dates an article mentions, resolved against its publication date (enricher `event_dates`).
CREATE TABLE IF NOT EXISTS store.event_dates (
    article_id    VARCHAR NOT NULL,
    text          VARCHAR NOT NULL,  -- as written: "Selasa (14/5)", "pekan lalu", "tahun 1991"
    char_start    INTEGER NOT NULL,
    char_end      INTEGER NOT NULL,
    resolved_date DATE,              -- the day; the first day of the week (Monday), month or year
    granularity   VARCHAR NOT NULL,  -- day | week | month | year
    relative      BOOLEAN NOT NULL   -- true when resolved from the publication date (kemarin, bulan lalu, Selasa (14/5))
);
