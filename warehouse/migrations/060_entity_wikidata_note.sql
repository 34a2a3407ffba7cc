-- Why an entity an article names has no Wikidata id (issue 14): gazetteer places carry their
-- GeoNames / ISO 3166 id instead; shipped KB entities not looked up yet say so. Null when it has one.
ALTER TABLE store.article_entities ADD COLUMN IF NOT EXISTS wikidata_note VARCHAR;
