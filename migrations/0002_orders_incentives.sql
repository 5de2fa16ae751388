CREATE TYPE "public"."beneficiary" AS ENUM('referrer', 'referred', 'both');--> statement-breakpoint
CREATE TYPE "public"."cap_period" AS ENUM('day', 'week', 'month', 'year', 'all_time');--> statement-breakpoint
CREATE TYPE "public"."incentive_trigger" AS ENUM('referral_qualified', 'referral_converted', 'order_paid', 'referrer_milestone');--> statement-breakpoint
CREATE TYPE "public"."order_status" AS ENUM('paid', 'refunded');--> statement-breakpoint
CREATE TYPE "public"."reward_calc" AS ENUM('fixed', 'percentage', 'points');--> statement-breakpoint
CREATE TYPE "public"."reward_entry_kind" AS ENUM('reward', 'reversal');--> statement-breakpoint
CREATE TYPE "public"."reward_status" AS ENUM('pending', 'approved', 'paid', 'cancelled', 'reversed');--> statement-breakpoint
CREATE TYPE "public"."reward_type" AS ENUM('cash', 'points', 'coupon');--> statement-breakpoint
CREATE TABLE "order_refunds" (
	"id" uuid PRIMARY KEY NOT NULL,
	"order_id" uuid NOT NULL,
	"external_id" text,
	"amount" bigint NOT NULL,
	"currency" char(3) NOT NULL,
	"reason" text,
	"refunded_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "order_refunds_amount_positive" CHECK ("order_refunds"."amount" > 0)
);
--> statement-breakpoint
CREATE TABLE "orders" (
	"id" uuid PRIMARY KEY NOT NULL,
	"external_id" text,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone,
	"customer_id" uuid NOT NULL,
	"referral_id" uuid,
	"referrer_id" uuid,
	"campaign_id" uuid,
	"amount" bigint NOT NULL,
	"currency" char(3) DEFAULT 'CNY' NOT NULL,
	"refunded_amount" bigint DEFAULT 0 NOT NULL,
	"status" "order_status" DEFAULT 'paid' NOT NULL,
	"paid_at" timestamp with time zone NOT NULL,
	"note" text,
	"attributes" jsonb DEFAULT '{}'::jsonb NOT NULL,
	CONSTRAINT "orders_amount_positive" CHECK ("orders"."amount" > 0),
	CONSTRAINT "orders_refunded_within_amount" CHECK ("orders"."refunded_amount" >= 0 and "orders"."refunded_amount" <= "orders"."amount")
);
--> statement-breakpoint
CREATE TABLE "incentive_rules" (
	"id" uuid PRIMARY KEY NOT NULL,
	"external_id" text,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone,
	"name" text NOT NULL,
	"description" text,
	"active" boolean DEFAULT true NOT NULL,
	"campaign_id" uuid,
	"trigger" "incentive_trigger" NOT NULL,
	"order_scope" text DEFAULT 'every' NOT NULL,
	"milestone" integer,
	"calc" "reward_calc" NOT NULL,
	"reward_type" "reward_type" NOT NULL,
	"amount" bigint,
	"percent_bp" integer,
	"currency" char(3) DEFAULT 'CNY' NOT NULL,
	"coupon_code" text,
	"beneficiary" "beneficiary" DEFAULT 'referrer' NOT NULL,
	"referred_amount" bigint,
	"referrer_kinds" text[] DEFAULT '{}'::text[] NOT NULL,
	"referrer_tiers" text[] DEFAULT '{}'::text[] NOT NULL,
	"min_order_amount" bigint,
	"valid_from" timestamp with time zone,
	"valid_until" timestamp with time zone,
	"cap_amount" bigint,
	"per_referrer_cap" bigint,
	"per_referrer_period" "cap_period" DEFAULT 'all_time' NOT NULL,
	"tier_multipliers" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"priority" integer DEFAULT 100 NOT NULL,
	"stackable" boolean DEFAULT true NOT NULL,
	"approval" text DEFAULT 'manual' NOT NULL,
	"hold_days" integer DEFAULT 14 NOT NULL,
	"created_by" uuid
);
--> statement-breakpoint
CREATE TABLE "rewards" (
	"id" uuid PRIMARY KEY NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"kind" "reward_entry_kind" DEFAULT 'reward' NOT NULL,
	"rule_id" uuid NOT NULL,
	"event_key" text NOT NULL,
	"beneficiary_type" text NOT NULL,
	"beneficiary_id" uuid NOT NULL,
	"referrer_id" uuid,
	"customer_id" uuid,
	"referral_id" uuid,
	"order_id" uuid,
	"campaign_id" uuid,
	"reward_type" "reward_type" NOT NULL,
	"amount" bigint NOT NULL,
	"currency" char(3) NOT NULL,
	"coupon_code" text,
	"status" "reward_status" DEFAULT 'pending' NOT NULL,
	"hold_until" timestamp with time zone,
	"approved_at" timestamp with time zone,
	"approved_by" uuid,
	"paid_at" timestamp with time zone,
	"payout_reference" text,
	"cancelled_at" timestamp with time zone,
	"cancel_reason" text,
	"reverses_id" uuid,
	"explanation" jsonb DEFAULT '{}'::jsonb NOT NULL,
	CONSTRAINT "rewards_sign" CHECK (("rewards"."kind" = 'reward' and "rewards"."amount" >= 0) or ("rewards"."kind" = 'reversal' and "rewards"."amount" <= 0))
);
--> statement-breakpoint
ALTER TABLE "order_refunds" ADD CONSTRAINT "order_refunds_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "orders" ADD CONSTRAINT "orders_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "orders" ADD CONSTRAINT "orders_referral_id_referrals_id_fk" FOREIGN KEY ("referral_id") REFERENCES "public"."referrals"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "orders" ADD CONSTRAINT "orders_referrer_id_referrers_id_fk" FOREIGN KEY ("referrer_id") REFERENCES "public"."referrers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "orders" ADD CONSTRAINT "orders_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incentive_rules" ADD CONSTRAINT "incentive_rules_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incentive_rules" ADD CONSTRAINT "incentive_rules_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rewards" ADD CONSTRAINT "rewards_rule_id_incentive_rules_id_fk" FOREIGN KEY ("rule_id") REFERENCES "public"."incentive_rules"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rewards" ADD CONSTRAINT "rewards_referrer_id_referrers_id_fk" FOREIGN KEY ("referrer_id") REFERENCES "public"."referrers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rewards" ADD CONSTRAINT "rewards_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rewards" ADD CONSTRAINT "rewards_referral_id_referrals_id_fk" FOREIGN KEY ("referral_id") REFERENCES "public"."referrals"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rewards" ADD CONSTRAINT "rewards_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rewards" ADD CONSTRAINT "rewards_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rewards" ADD CONSTRAINT "rewards_approved_by_users_id_fk" FOREIGN KEY ("approved_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rewards" ADD CONSTRAINT "rewards_reverses_id_rewards_id_fk" FOREIGN KEY ("reverses_id") REFERENCES "public"."rewards"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "order_refunds_order_id_idx" ON "order_refunds" USING btree ("order_id","refunded_at");--> statement-breakpoint
CREATE UNIQUE INDEX "order_refunds_external_id_uq" ON "order_refunds" USING btree ("order_id","external_id");--> statement-breakpoint
CREATE UNIQUE INDEX "orders_external_id_uq" ON "orders" USING btree ("external_id");--> statement-breakpoint
CREATE INDEX "orders_customer_id_idx" ON "orders" USING btree ("customer_id","paid_at","id");--> statement-breakpoint
CREATE INDEX "orders_referrer_id_idx" ON "orders" USING btree ("referrer_id","paid_at");--> statement-breakpoint
CREATE INDEX "orders_referral_id_idx" ON "orders" USING btree ("referral_id");--> statement-breakpoint
CREATE INDEX "orders_campaign_id_idx" ON "orders" USING btree ("campaign_id");--> statement-breakpoint
CREATE INDEX "orders_status_idx" ON "orders" USING btree ("status","created_at","id");--> statement-breakpoint
CREATE INDEX "orders_paid_at_idx" ON "orders" USING btree ("paid_at","id");--> statement-breakpoint
CREATE INDEX "orders_created_at_idx" ON "orders" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "orders_updated_at_idx" ON "orders" USING btree ("updated_at","id");--> statement-breakpoint
CREATE UNIQUE INDEX "incentive_rules_external_id_uq" ON "incentive_rules" USING btree ("external_id");--> statement-breakpoint
CREATE INDEX "incentive_rules_trigger_idx" ON "incentive_rules" USING btree ("trigger","priority") WHERE "incentive_rules"."active" and "incentive_rules"."deleted_at" is null;--> statement-breakpoint
CREATE INDEX "incentive_rules_campaign_id_idx" ON "incentive_rules" USING btree ("campaign_id");--> statement-breakpoint
CREATE INDEX "incentive_rules_created_at_idx" ON "incentive_rules" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "incentive_rules_updated_at_idx" ON "incentive_rules" USING btree ("updated_at","id");--> statement-breakpoint
CREATE UNIQUE INDEX "rewards_once_uq" ON "rewards" USING btree ("rule_id","event_key","beneficiary_type","beneficiary_id") WHERE "rewards"."kind" = 'reward';--> statement-breakpoint
CREATE UNIQUE INDEX "rewards_reversal_once_uq" ON "rewards" USING btree ("reverses_id","event_key") WHERE "rewards"."kind" = 'reversal';--> statement-breakpoint
CREATE INDEX "rewards_referrer_id_idx" ON "rewards" USING btree ("referrer_id","created_at","id");--> statement-breakpoint
CREATE INDEX "rewards_beneficiary_idx" ON "rewards" USING btree ("beneficiary_id","created_at");--> statement-breakpoint
CREATE INDEX "rewards_status_idx" ON "rewards" USING btree ("status","created_at","id");--> statement-breakpoint
CREATE INDEX "rewards_hold_idx" ON "rewards" USING btree ("hold_until") WHERE "rewards"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "rewards_rule_id_idx" ON "rewards" USING btree ("rule_id","created_at");--> statement-breakpoint
CREATE INDEX "rewards_campaign_id_idx" ON "rewards" USING btree ("campaign_id");--> statement-breakpoint
CREATE INDEX "rewards_order_id_idx" ON "rewards" USING btree ("order_id");--> statement-breakpoint
CREATE INDEX "rewards_referral_id_idx" ON "rewards" USING btree ("referral_id");--> statement-breakpoint
CREATE INDEX "rewards_created_at_idx" ON "rewards" USING btree ("created_at","id");