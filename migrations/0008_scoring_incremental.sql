CREATE TABLE "scoring_dirty" (
	"customer_id" uuid PRIMARY KEY NOT NULL,
	"marks" integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "scoring_histogram" (
	"dimension" text NOT NULL,
	"bucket" bigint NOT NULL,
	"n" integer NOT NULL,
	CONSTRAINT "scoring_histogram_dimension_bucket_pk" PRIMARY KEY("dimension","bucket"),
	CONSTRAINT "scoring_histogram_counts" CHECK ("scoring_histogram"."n" >= 0)
);
--> statement-breakpoint
CREATE TABLE "scoring_removed" (
	"customer_id" uuid NOT NULL,
	"frequency" integer NOT NULL,
	"monetary" bigint NOT NULL,
	"recency_from" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "scoring_state" ADD COLUMN "cuts" jsonb;--> statement-breakpoint
ALTER TABLE "scoring_state" ADD COLUMN "config_key" text;--> statement-breakpoint
CREATE INDEX "customer_scores_recency_from_idx" ON "customer_scores" USING btree ("recency_from");--> statement-breakpoint
CREATE INDEX "customer_scores_frequency_idx" ON "customer_scores" USING btree ("frequency");--> statement-breakpoint
CREATE INDEX "customer_scores_monetary_idx" ON "customer_scores" USING btree ("monetary");--> statement-breakpoint
CREATE INDEX "customer_scores_by_interest_idx" ON "customer_scores" USING btree ("customer_id") WHERE placed_tier = 'B' or (placed_tier is null and placed_stage = 'nurturing');