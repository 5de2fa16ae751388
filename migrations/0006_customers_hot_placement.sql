DROP INDEX "customers_lifecycle_stage_idx";--> statement-breakpoint
DROP INDEX "customers_tier_b_idx";--> statement-breakpoint
-- Room on each page (a customer row is ~900 bytes: 20% is room for one more version) for the
-- tier and stage a recompute rewrites, so those updates stay HOT.
-- Pages already full get the room as they are rewritten (VACUUM FULL customers does it at once).
ALTER TABLE "customers" SET (fillfactor = 80);
