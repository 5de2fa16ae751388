DROP INDEX "customer_scores_segment_idx";--> statement-breakpoint
-- Room on each page for the rows a run rewrites, so the updates stay HOT (src/db/schema/scoring.ts).
-- Pages already full get the room as they are rewritten (VACUUM FULL customer_scores does it at once).
ALTER TABLE "customer_scores" SET (fillfactor = 80);
