CREATE TYPE "public"."coupon_batch_status" AS ENUM('pending', 'running', 'completed', 'failed');--> statement-breakpoint
CREATE TYPE "public"."coupon_kind" AS ENUM('amount_off', 'percent_off', 'gift');--> statement-breakpoint
CREATE TYPE "public"."coupon_status" AS ENUM('issued', 'redeemed', 'voided');--> statement-breakpoint
CREATE TYPE "public"."points_entry_kind" AS ENUM('earn', 'redeem', 'expire', 'adjust', 'reverse');--> statement-breakpoint
CREATE TYPE "public"."points_redemption_status" AS ENUM('completed', 'partially_reversed', 'reversed');--> statement-breakpoint
CREATE TABLE "loyalty_settings" (
	"id" integer PRIMARY KEY DEFAULT 1 NOT NULL,
	"expiry_months" integer DEFAULT 12 NOT NULL,
	"expiry_rounding" text DEFAULT 'month_end' NOT NULL,
	"time_zone" text DEFAULT 'Asia/Shanghai' NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "loyalty_settings_one_row" CHECK ("loyalty_settings"."id" = 1),
	CONSTRAINT "loyalty_settings_expiry" CHECK ("loyalty_settings"."expiry_months" between 0 and 120 and "loyalty_settings"."expiry_rounding" in ('month_end', 'exact'))
);
--> statement-breakpoint
CREATE TABLE "points_accounts" (
	"id" uuid PRIMARY KEY NOT NULL,
	"holder_type" text NOT NULL,
	"customer_id" uuid,
	"referrer_id" uuid,
	"balance" bigint DEFAULT 0 NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "points_accounts_holder" CHECK (("points_accounts"."holder_type" = 'customer' and "points_accounts"."customer_id" is not null and "points_accounts"."referrer_id" is null)
    or ("points_accounts"."holder_type" = 'referrer' and "points_accounts"."referrer_id" is not null and "points_accounts"."customer_id" is null)),
	CONSTRAINT "points_accounts_balance_nonnegative" CHECK ("points_accounts"."balance" >= 0)
);
--> statement-breakpoint
CREATE TABLE "points_earning_rules" (
	"id" uuid PRIMARY KEY NOT NULL,
	"external_id" text,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"campaign_id" uuid,
	"currency" char(3) DEFAULT 'CNY' NOT NULL,
	"points" integer,
	"unit_amount" bigint,
	"multiplier_bp" integer,
	"min_order_amount" bigint,
	"valid_from" timestamp with time zone,
	"valid_until" timestamp with time zone,
	"priority" integer DEFAULT 100 NOT NULL,
	CONSTRAINT "points_earning_rules_shape" CHECK (("points_earning_rules"."kind" = 'base' and "points_earning_rules"."points" > 0 and "points_earning_rules"."unit_amount" > 0)
    or ("points_earning_rules"."kind" = 'multiplier' and "points_earning_rules"."campaign_id" is not null and "points_earning_rules"."multiplier_bp" > 0))
);
--> statement-breakpoint
CREATE TABLE "points_entries" (
	"id" uuid PRIMARY KEY NOT NULL,
	"account_id" uuid NOT NULL,
	"kind" "points_entry_kind" NOT NULL,
	"amount" bigint NOT NULL,
	"source_type" text NOT NULL,
	"source_id" text,
	"reason" text,
	"order_id" uuid,
	"campaign_id" uuid,
	"expires_at" timestamp with time zone,
	"lots" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"shortfall" bigint DEFAULT 0 NOT NULL,
	"balance_after" bigint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "points_entries_sign" CHECK (("points_entries"."kind" = 'earn' and "points_entries"."amount" > 0) or ("points_entries"."kind" in ('redeem', 'expire') and "points_entries"."amount" < 0)
    or ("points_entries"."kind" = 'adjust' and "points_entries"."amount" <> 0) or ("points_entries"."kind" = 'reverse' and ("points_entries"."amount" <> 0 or "points_entries"."shortfall" > 0))),
	CONSTRAINT "points_entries_shortfall" CHECK ("points_entries"."shortfall" >= 0)
);
--> statement-breakpoint
CREATE TABLE "points_lots" (
	"id" uuid PRIMARY KEY NOT NULL,
	"account_id" uuid NOT NULL,
	"amount" bigint NOT NULL,
	"remaining" bigint NOT NULL,
	"earned_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone,
	CONSTRAINT "points_lots_remaining" CHECK ("points_lots"."remaining" >= 0 and "points_lots"."remaining" <= "points_lots"."amount")
);
--> statement-breakpoint
CREATE TABLE "points_redemptions" (
	"id" uuid PRIMARY KEY NOT NULL,
	"external_id" text,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone,
	"account_id" uuid NOT NULL,
	"customer_id" uuid,
	"referrer_id" uuid,
	"amount" bigint NOT NULL,
	"reversed_amount" bigint DEFAULT 0 NOT NULL,
	"status" "points_redemption_status" DEFAULT 'completed' NOT NULL,
	"order_id" uuid,
	"order_external_id" text,
	"item_code" text,
	"value" bigint,
	"currency" char(3),
	"note" text,
	CONSTRAINT "points_redemptions_amounts" CHECK ("points_redemptions"."amount" > 0 and "points_redemptions"."reversed_amount" >= 0 and "points_redemptions"."reversed_amount" <= "points_redemptions"."amount")
);
--> statement-breakpoint
CREATE TABLE "customer_level_changes" (
	"id" uuid PRIMARY KEY NOT NULL,
	"customer_id" uuid NOT NULL,
	"from_level_id" uuid,
	"to_level_id" uuid NOT NULL,
	"reason" text NOT NULL,
	"facts" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "customer_levels" (
	"customer_id" uuid PRIMARY KEY NOT NULL,
	"level_id" uuid NOT NULL,
	"reached_at" timestamp with time zone NOT NULL,
	"review_at" timestamp with time zone,
	"version" integer DEFAULT 1 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "member_levels" (
	"id" uuid PRIMARY KEY NOT NULL,
	"external_id" text,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone,
	"key" text NOT NULL,
	"name_zh" text NOT NULL,
	"name_en" text NOT NULL,
	"rank" integer NOT NULL,
	"min_spend" bigint,
	"min_points" bigint,
	"match" text DEFAULT 'any' NOT NULL,
	"window_months" integer DEFAULT 12 NOT NULL,
	"review_months" integer DEFAULT 12 NOT NULL,
	"points_multiplier_bp" integer DEFAULT 10000 NOT NULL,
	"discount_bp" integer DEFAULT 0 NOT NULL,
	"coupon_template_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	CONSTRAINT "member_levels_numbers" CHECK ("member_levels"."rank" >= 0 and coalesce("member_levels"."min_spend", 0) >= 0 and coalesce("member_levels"."min_points", 0) >= 0
    and "member_levels"."window_months" between 1 and 120 and "member_levels"."review_months" between 1 and 120
    and "member_levels"."points_multiplier_bp" between 0 and 1000000 and "member_levels"."discount_bp" between 0 and 10000)
);
--> statement-breakpoint
CREATE TABLE "coupon_batches" (
	"id" uuid PRIMARY KEY NOT NULL,
	"template_id" uuid NOT NULL,
	"quantity" integer NOT NULL,
	"issued" integer DEFAULT 0 NOT NULL,
	"status" "coupon_batch_status" DEFAULT 'pending' NOT NULL,
	"error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"completed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "coupon_redemptions" (
	"id" uuid PRIMARY KEY NOT NULL,
	"coupon_id" uuid NOT NULL,
	"template_id" uuid NOT NULL,
	"customer_id" uuid,
	"order_id" uuid,
	"order_external_id" text,
	"order_amount" bigint NOT NULL,
	"currency" char(3) NOT NULL,
	"discount" bigint NOT NULL,
	"gift_item_code" text,
	"redeemed_at" timestamp with time zone NOT NULL,
	"restored_at" timestamp with time zone,
	"restore_reason" text
);
--> statement-breakpoint
CREATE TABLE "coupon_templates" (
	"id" uuid PRIMARY KEY NOT NULL,
	"external_id" text,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone,
	"name" text NOT NULL,
	"description" text,
	"kind" "coupon_kind" NOT NULL,
	"currency" char(3) DEFAULT 'CNY' NOT NULL,
	"amount_off" bigint,
	"percent_bp" integer,
	"max_discount" bigint,
	"gift_item_code" text,
	"min_order_amount" bigint DEFAULT 0 NOT NULL,
	"valid_from" timestamp with time zone,
	"valid_until" timestamp with time zone,
	"valid_days" integer,
	"per_customer_limit" integer,
	"total_quantity" integer,
	"issued_count" integer DEFAULT 0 NOT NULL,
	"stackable" boolean DEFAULT false NOT NULL,
	"restore_on_refund" boolean DEFAULT true NOT NULL,
	"campaign_id" uuid,
	"active" boolean DEFAULT true NOT NULL,
	CONSTRAINT "coupon_templates_shape" CHECK (("coupon_templates"."kind" = 'amount_off' and "coupon_templates"."amount_off" > 0)
    or ("coupon_templates"."kind" = 'percent_off' and "coupon_templates"."percent_bp" between 1 and 10000)
    or ("coupon_templates"."kind" = 'gift' and "coupon_templates"."gift_item_code" is not null)),
	CONSTRAINT "coupon_templates_counts" CHECK ("coupon_templates"."issued_count" >= 0 and ("coupon_templates"."total_quantity" is null or "coupon_templates"."issued_count" <= "coupon_templates"."total_quantity"))
);
--> statement-breakpoint
CREATE TABLE "coupons" (
	"id" uuid PRIMARY KEY NOT NULL,
	"template_id" uuid NOT NULL,
	"batch_id" uuid,
	"code" text NOT NULL,
	"customer_id" uuid,
	"referrer_id" uuid,
	"status" "coupon_status" DEFAULT 'issued' NOT NULL,
	"issued_at" timestamp with time zone NOT NULL,
	"valid_from" timestamp with time zone,
	"valid_until" timestamp with time zone,
	"redeemed_at" timestamp with time zone,
	"voided_at" timestamp with time zone,
	"void_reason" text,
	"reward_id" uuid,
	"version" integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
ALTER TABLE "incentive_rules" ADD COLUMN "coupon_template_id" uuid;--> statement-breakpoint
ALTER TABLE "incentive_rules" ADD COLUMN "customer_levels" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "points_accounts" ADD CONSTRAINT "points_accounts_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "points_accounts" ADD CONSTRAINT "points_accounts_referrer_id_referrers_id_fk" FOREIGN KEY ("referrer_id") REFERENCES "public"."referrers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "points_earning_rules" ADD CONSTRAINT "points_earning_rules_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "points_entries" ADD CONSTRAINT "points_entries_account_id_points_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."points_accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "points_entries" ADD CONSTRAINT "points_entries_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "points_entries" ADD CONSTRAINT "points_entries_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "points_lots" ADD CONSTRAINT "points_lots_account_id_points_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."points_accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "points_redemptions" ADD CONSTRAINT "points_redemptions_account_id_points_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."points_accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "points_redemptions" ADD CONSTRAINT "points_redemptions_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "points_redemptions" ADD CONSTRAINT "points_redemptions_referrer_id_referrers_id_fk" FOREIGN KEY ("referrer_id") REFERENCES "public"."referrers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "points_redemptions" ADD CONSTRAINT "points_redemptions_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "customer_level_changes" ADD CONSTRAINT "customer_level_changes_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "customer_level_changes" ADD CONSTRAINT "customer_level_changes_from_level_id_member_levels_id_fk" FOREIGN KEY ("from_level_id") REFERENCES "public"."member_levels"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "customer_level_changes" ADD CONSTRAINT "customer_level_changes_to_level_id_member_levels_id_fk" FOREIGN KEY ("to_level_id") REFERENCES "public"."member_levels"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "customer_levels" ADD CONSTRAINT "customer_levels_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "customer_levels" ADD CONSTRAINT "customer_levels_level_id_member_levels_id_fk" FOREIGN KEY ("level_id") REFERENCES "public"."member_levels"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "coupon_batches" ADD CONSTRAINT "coupon_batches_template_id_coupon_templates_id_fk" FOREIGN KEY ("template_id") REFERENCES "public"."coupon_templates"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "coupon_redemptions" ADD CONSTRAINT "coupon_redemptions_coupon_id_coupons_id_fk" FOREIGN KEY ("coupon_id") REFERENCES "public"."coupons"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "coupon_redemptions" ADD CONSTRAINT "coupon_redemptions_template_id_coupon_templates_id_fk" FOREIGN KEY ("template_id") REFERENCES "public"."coupon_templates"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "coupon_redemptions" ADD CONSTRAINT "coupon_redemptions_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "coupon_redemptions" ADD CONSTRAINT "coupon_redemptions_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "coupon_templates" ADD CONSTRAINT "coupon_templates_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "coupons" ADD CONSTRAINT "coupons_template_id_coupon_templates_id_fk" FOREIGN KEY ("template_id") REFERENCES "public"."coupon_templates"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "coupons" ADD CONSTRAINT "coupons_batch_id_coupon_batches_id_fk" FOREIGN KEY ("batch_id") REFERENCES "public"."coupon_batches"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "coupons" ADD CONSTRAINT "coupons_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "coupons" ADD CONSTRAINT "coupons_referrer_id_referrers_id_fk" FOREIGN KEY ("referrer_id") REFERENCES "public"."referrers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "points_accounts_customer_uq" ON "points_accounts" USING btree ("customer_id") WHERE "points_accounts"."customer_id" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "points_accounts_referrer_uq" ON "points_accounts" USING btree ("referrer_id") WHERE "points_accounts"."referrer_id" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "points_earning_rules_external_id_uq" ON "points_earning_rules" USING btree ("external_id");--> statement-breakpoint
CREATE UNIQUE INDEX "points_entries_source_uq" ON "points_entries" USING btree ("account_id","kind","source_type","source_id") WHERE "points_entries"."source_id" is not null;--> statement-breakpoint
CREATE INDEX "points_entries_account_idx" ON "points_entries" USING btree ("account_id","created_at","id");--> statement-breakpoint
CREATE INDEX "points_entries_created_at_idx" ON "points_entries" USING btree ("created_at","kind");--> statement-breakpoint
CREATE INDEX "points_entries_order_idx" ON "points_entries" USING btree ("order_id") WHERE "points_entries"."order_id" is not null;--> statement-breakpoint
CREATE INDEX "points_lots_open_idx" ON "points_lots" USING btree ("account_id","expires_at") WHERE "points_lots"."remaining" > 0;--> statement-breakpoint
CREATE INDEX "points_lots_due_idx" ON "points_lots" USING btree ("expires_at") WHERE "points_lots"."remaining" > 0;--> statement-breakpoint
CREATE UNIQUE INDEX "points_redemptions_external_id_uq" ON "points_redemptions" USING btree ("external_id");--> statement-breakpoint
CREATE INDEX "points_redemptions_account_idx" ON "points_redemptions" USING btree ("account_id","created_at");--> statement-breakpoint
CREATE INDEX "points_redemptions_order_idx" ON "points_redemptions" USING btree ("order_id") WHERE "points_redemptions"."order_id" is not null;--> statement-breakpoint
CREATE INDEX "points_redemptions_order_external_idx" ON "points_redemptions" USING btree ("order_external_id") WHERE "points_redemptions"."order_external_id" is not null;--> statement-breakpoint
CREATE INDEX "customer_level_changes_customer_idx" ON "customer_level_changes" USING btree ("customer_id","at");--> statement-breakpoint
CREATE INDEX "customer_levels_level_idx" ON "customer_levels" USING btree ("level_id");--> statement-breakpoint
CREATE INDEX "customer_levels_review_idx" ON "customer_levels" USING btree ("review_at") WHERE "customer_levels"."review_at" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "member_levels_external_id_uq" ON "member_levels" USING btree ("external_id");--> statement-breakpoint
CREATE UNIQUE INDEX "member_levels_key_uq" ON "member_levels" USING btree ("key") WHERE "member_levels"."deleted_at" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "member_levels_rank_uq" ON "member_levels" USING btree ("rank") WHERE "member_levels"."deleted_at" is null;--> statement-breakpoint
CREATE INDEX "coupon_batches_template_idx" ON "coupon_batches" USING btree ("template_id","created_at");--> statement-breakpoint
CREATE INDEX "coupon_redemptions_coupon_idx" ON "coupon_redemptions" USING btree ("coupon_id","redeemed_at");--> statement-breakpoint
CREATE INDEX "coupon_redemptions_customer_idx" ON "coupon_redemptions" USING btree ("template_id","customer_id");--> statement-breakpoint
CREATE INDEX "coupon_redemptions_order_idx" ON "coupon_redemptions" USING btree ("order_id") WHERE "coupon_redemptions"."order_id" is not null;--> statement-breakpoint
CREATE INDEX "coupon_redemptions_order_external_idx" ON "coupon_redemptions" USING btree ("order_external_id") WHERE "coupon_redemptions"."order_external_id" is not null;--> statement-breakpoint
CREATE INDEX "coupon_redemptions_redeemed_at_idx" ON "coupon_redemptions" USING btree ("redeemed_at");--> statement-breakpoint
CREATE INDEX "coupon_redemptions_restored_at_idx" ON "coupon_redemptions" USING btree ("restored_at") WHERE "coupon_redemptions"."restored_at" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "coupon_templates_external_id_uq" ON "coupon_templates" USING btree ("external_id");--> statement-breakpoint
CREATE INDEX "coupon_templates_campaign_idx" ON "coupon_templates" USING btree ("campaign_id");--> statement-breakpoint
CREATE UNIQUE INDEX "coupons_code_uq" ON "coupons" USING btree ("code");--> statement-breakpoint
CREATE INDEX "coupons_template_idx" ON "coupons" USING btree ("template_id","customer_id");--> statement-breakpoint
CREATE INDEX "coupons_customer_idx" ON "coupons" USING btree ("customer_id") WHERE "coupons"."customer_id" is not null;--> statement-breakpoint
CREATE INDEX "coupons_batch_idx" ON "coupons" USING btree ("batch_id");--> statement-breakpoint
CREATE INDEX "coupons_issued_at_idx" ON "coupons" USING btree ("issued_at");--> statement-breakpoint
CREATE INDEX "coupons_voided_at_idx" ON "coupons" USING btree ("voided_at") WHERE "coupons"."voided_at" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "coupons_reward_uq" ON "coupons" USING btree ("reward_id") WHERE "coupons"."reward_id" is not null;--> statement-breakpoint
ALTER TABLE "incentive_rules" ADD CONSTRAINT "incentive_rules_coupon_template_id_coupon_templates_id_fk" FOREIGN KEY ("coupon_template_id") REFERENCES "public"."coupon_templates"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
INSERT INTO "member_levels" ("id", "key", "name_zh", "name_en", "rank") VALUES ('01900000-0000-7000-8000-00000000c001', 'member', '普通会员', 'Member', 0);--> statement-breakpoint
INSERT INTO "loyalty_settings" ("id") VALUES (1);
