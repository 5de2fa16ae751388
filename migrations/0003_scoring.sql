CREATE TABLE "customer_scores" (
	"customer_id" uuid PRIMARY KEY NOT NULL,
	"paid_orders" integer DEFAULT 0 NOT NULL,
	"net_paid" bigint DEFAULT 0 NOT NULL,
	"last_paid_at" timestamp with time zone,
	"old_orders" integer DEFAULT 0 NOT NULL,
	"old_net" bigint DEFAULT 0 NOT NULL,
	"recency_from" timestamp with time zone,
	"frequency" integer,
	"monetary" bigint,
	"r" smallint,
	"f" smallint,
	"m" smallint,
	"segment" text,
	"placed_tier" "customer_tier",
	"placed_stage" "lifecycle_stage",
	"computed_at" timestamp with time zone,
	CONSTRAINT "customer_scores_old_within_all" CHECK ("customer_scores"."old_orders" >= 0 and "customer_scores"."old_orders" <= "customer_scores"."paid_orders")
);
--> statement-breakpoint
CREATE TABLE "scoring_runs" (
	"id" uuid PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"as_of" timestamp with time zone NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone NOT NULL,
	"summary" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "scoring_state" (
	"id" smallint PRIMARY KEY NOT NULL,
	"window_days" integer,
	"window_from" timestamp with time zone DEFAULT '-infinity' NOT NULL,
	"last_run_id" uuid,
	"last_as_of" timestamp with time zone,
	CONSTRAINT "scoring_state_one_row" CHECK (id = 1)
);
--> statement-breakpoint
ALTER TABLE "customer_scores" ADD CONSTRAINT "customer_scores_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "customer_scores_segment_idx" ON "customer_scores" USING btree ("segment");--> statement-breakpoint
CREATE INDEX "scoring_runs_as_of_idx" ON "scoring_runs" USING btree ("as_of");--> statement-breakpoint
CREATE INDEX "customers_gone_idx" ON "customers" USING btree ("id") WHERE "customers"."deleted_at" is not null or "customers"."merged_into_id" is not null;--> statement-breakpoint
CREATE INDEX "customers_tier_b_idx" ON "customers" USING btree ("id") WHERE "customers"."tier" = 'B';--> statement-breakpoint
-- The window's edge starts at -infinity: nothing is "old" until the first recompute moves it.
INSERT INTO "scoring_state" ("id") VALUES (1);--> statement-breakpoint
-- Aggregates for orders recorded before this migration (counted: paid, not fully refunded).
INSERT INTO "customer_scores" ("customer_id", "paid_orders", "net_paid", "last_paid_at")
SELECT "customer_id", count(*), sum("amount" - "refunded_amount"), max("paid_at")
FROM "orders" WHERE "status" = 'paid' AND "refunded_amount" < "amount" GROUP BY "customer_id";--> statement-breakpoint
-- UUIDv7 in SQL, for rows that set-based statements write (outbox events of a recompute).
CREATE OR REPLACE FUNCTION crm_uuidv7() RETURNS uuid LANGUAGE sql VOLATILE AS $$
  SELECT encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
    PLACING substring(int8send((extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3) FROM 1 FOR 6), 52, 1), 53, 1), 'hex')::uuid
$$;
