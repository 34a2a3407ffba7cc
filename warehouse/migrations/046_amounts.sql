-- Quantities with their counted noun or unit and qualifier (enricher `amounts`, tasks/enrichers/amounts.py).
CREATE TABLE IF NOT EXISTS store.amounts (
    article_id VARCHAR NOT NULL,
    value      DOUBLE NOT NULL,   -- 10000 for "10.000" and "10 ribu"; 0.001 for "0,001"
    unit       VARCHAR,           -- counted noun or unit: tentara, peluru, dolar AS, persen, mm ...
    qualifier  VARCHAR,           -- more than | less than | approximately | almost | at least | up to | at most | tens | hundreds | thousands ...
    text       VARCHAR NOT NULL,  -- the span as written, qualifier to unit
    char_start INTEGER NOT NULL,
    char_end   INTEGER NOT NULL
);
