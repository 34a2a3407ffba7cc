-- Why an entity an article names has no Wikidata id (issue 14): gazetteer places carry their
-- GeoNames / ISO 3166 id instead; shipped KB entities not looked up yet say so. Null when it has one.
ALTER TABLE store.article_entities ADD COLUMN IF NOT EXISTS wikidata_note VARCHAR;
-- A short or later reference's full name ("Nangoi" -> "Johannes Nangoi", "KPA" -> "Komite
-- Peralihan Aceh"), so unlinked names can be counted per person or body, not per spelling.
ALTER TABLE store.mentions ADD COLUMN IF NOT EXISTS canonical VARCHAR;
