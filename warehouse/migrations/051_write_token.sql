-- One row every load transaction updates on a DuckLake (warehouse/lake.py claim_write): two
-- concurrent loads then conflict at commit and the later one retries on the newer snapshot,
-- instead of both MERGE-inserting the same article (DuckLake has no PRIMARY KEY to stop it).
CREATE TABLE IF NOT EXISTS store.write_token (n BIGINT NOT NULL);
INSERT INTO store.write_token SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM store.write_token);
