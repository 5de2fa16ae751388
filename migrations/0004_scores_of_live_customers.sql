-- customer_scores now holds live customers only (docs/scoring.md): a deleted or merged
-- customer's row goes with them, so scoring never asks who is gone.
DELETE FROM "customer_scores" s USING "customers" c
WHERE c."id" = s."customer_id" AND (c."deleted_at" IS NOT NULL OR c."merged_into_id" IS NOT NULL);
