CREATE TYPE "public"."calendar_day_kind" AS ENUM('holiday', 'workday');--> statement-breakpoint
CREATE TYPE "public"."survey_invitation_status" AS ENUM('scheduled', 'sent', 'answered', 'expired', 'cancelled');--> statement-breakpoint
CREATE TYPE "public"."survey_kind" AS ENUM('csat', 'nps');--> statement-breakpoint
CREATE TYPE "public"."survey_trigger" AS ENUM('ticket_resolved', 'order_paid', 'referral_converted');--> statement-breakpoint
CREATE TYPE "public"."ticket_channel" AS ENUM('phone', 'wechat', 'dingtalk', 'email', 'web', 'in_person');--> statement-breakpoint
CREATE TYPE "public"."ticket_comment_visibility" AS ENUM('internal', 'public');--> statement-breakpoint
CREATE TYPE "public"."ticket_priority" AS ENUM('low', 'normal', 'high', 'urgent');--> statement-breakpoint
CREATE TYPE "public"."ticket_status" AS ENUM('open', 'in_progress', 'waiting_customer', 'resolved', 'closed');--> statement-breakpoint
ALTER TYPE "public"."incentive_trigger" ADD VALUE 'survey_answered';--> statement-breakpoint
ALTER TYPE "public"."incentive_trigger" ADD VALUE 'ticket_resolved';--> statement-breakpoint
CREATE TABLE "calendar_days" (
	"date" date PRIMARY KEY NOT NULL,
	"kind" "calendar_day_kind" NOT NULL,
	"name" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sla_policies" (
	"id" uuid PRIMARY KEY NOT NULL,
	"external_id" text,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone,
	"priority" "ticket_priority" NOT NULL,
	"customer_tier" "customer_tier",
	"first_response_minutes" integer NOT NULL,
	"resolution_minutes" integer NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	CONSTRAINT "sla_policies_minutes_positive" CHECK ("sla_policies"."first_response_minutes" > 0 and "sla_policies"."resolution_minutes" > 0)
);
--> statement-breakpoint
CREATE TABLE "ticket_categories" (
	"id" uuid PRIMARY KEY NOT NULL,
	"external_id" text,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone,
	"key" text NOT NULL,
	"name" text NOT NULL,
	"name_en" text,
	"active" boolean DEFAULT true NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ticket_comments" (
	"id" uuid PRIMARY KEY NOT NULL,
	"external_id" text,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone,
	"ticket_id" uuid NOT NULL,
	"visibility" "ticket_comment_visibility" NOT NULL,
	"body" text NOT NULL,
	"author_kind" text NOT NULL,
	"author_id" uuid,
	"activity_id" uuid,
	CONSTRAINT "ticket_comments_author_kind" CHECK ("ticket_comments"."author_kind" in ('staff', 'customer'))
);
--> statement-breakpoint
CREATE TABLE "ticket_routing_rules" (
	"id" uuid PRIMARY KEY NOT NULL,
	"external_id" text,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone,
	"name" text NOT NULL,
	"priority" integer DEFAULT 100 NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"categories" text[] DEFAULT '{}'::text[] NOT NULL,
	"priorities" text[] DEFAULT '{}'::text[] NOT NULL,
	"channels" text[] DEFAULT '{}'::text[] NOT NULL,
	"customer_tiers" text[] DEFAULT '{}'::text[] NOT NULL,
	"assignee_id" uuid,
	"queue_team_id" uuid
);
--> statement-breakpoint
CREATE TABLE "ticket_status_changes" (
	"id" uuid PRIMARY KEY NOT NULL,
	"ticket_id" uuid NOT NULL,
	"from_status" "ticket_status",
	"to_status" "ticket_status" NOT NULL,
	"actor_type" text NOT NULL,
	"actor_id" uuid,
	"note" text,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tickets" (
	"id" uuid PRIMARY KEY NOT NULL,
	"external_id" text,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone,
	"customer_id" uuid NOT NULL,
	"order_id" uuid,
	"opportunity_id" uuid,
	"channel" "ticket_channel" NOT NULL,
	"category" text NOT NULL,
	"priority" "ticket_priority" DEFAULT 'normal' NOT NULL,
	"subject" text NOT NULL,
	"description" text,
	"status" "ticket_status" DEFAULT 'open' NOT NULL,
	"assignee_id" uuid,
	"queue_team_id" uuid,
	"routed_via" text DEFAULT 'manual' NOT NULL,
	"customer_tier" "customer_tier",
	"first_response_minutes" integer,
	"resolution_minutes" integer,
	"first_response_due_at" timestamp with time zone,
	"resolution_due_at" timestamp with time zone,
	"first_responded_at" timestamp with time zone,
	"first_response_breached_at" timestamp with time zone,
	"resolution_breached_at" timestamp with time zone,
	"first_response_business_minutes" integer,
	"resolution_business_minutes" integer,
	"resolved_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	"reopen_count" integer DEFAULT 0 NOT NULL,
	"tracking_token_hash" text NOT NULL,
	"created_by_id" uuid
);
--> statement-breakpoint
CREATE TABLE "working_calendars" (
	"key" text PRIMARY KEY NOT NULL,
	"working_days" integer[] DEFAULT '{1,2,3,4,5}'::integer[] NOT NULL,
	"intervals" jsonb DEFAULT '[[540,720],[780,1080]]'::jsonb NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "survey_invitations" (
	"id" uuid PRIMARY KEY NOT NULL,
	"survey_id" uuid NOT NULL,
	"customer_id" uuid NOT NULL,
	"status" "survey_invitation_status" DEFAULT 'scheduled' NOT NULL,
	"trigger_key" text NOT NULL,
	"ticket_id" uuid,
	"order_id" uuid,
	"referral_id" uuid,
	"agent_id" uuid,
	"send_at" timestamp with time zone NOT NULL,
	"sent_at" timestamp with time zone,
	"token_hash" text,
	"expires_at" timestamp with time zone,
	"answered_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "survey_responses" (
	"id" uuid PRIMARY KEY NOT NULL,
	"invitation_id" uuid NOT NULL,
	"survey_id" uuid NOT NULL,
	"customer_id" uuid NOT NULL,
	"kind" "survey_kind" NOT NULL,
	"score" integer NOT NULL,
	"comment" text,
	"ticket_id" uuid,
	"order_id" uuid,
	"referral_id" uuid,
	"agent_id" uuid,
	"answered_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "survey_responses_score_range" CHECK (("survey_responses"."kind" = 'csat' and "survey_responses"."score" between 1 and 5) or ("survey_responses"."kind" = 'nps' and "survey_responses"."score" between 0 and 10))
);
--> statement-breakpoint
CREATE TABLE "surveys" (
	"id" uuid PRIMARY KEY NOT NULL,
	"external_id" text,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone,
	"name" text NOT NULL,
	"kind" "survey_kind" NOT NULL,
	"question_zh" text NOT NULL,
	"question_en" text,
	"trigger" "survey_trigger" NOT NULL,
	"delay_minutes" integer DEFAULT 0 NOT NULL,
	"channel" text NOT NULL,
	"cooldown_days" integer DEFAULT 30 NOT NULL,
	"expires_after_hours" integer DEFAULT 168 NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	CONSTRAINT "surveys_delay_nonnegative" CHECK ("surveys"."delay_minutes" >= 0 and "surveys"."cooldown_days" >= 0 and "surveys"."expires_after_hours" > 0)
);
--> statement-breakpoint
ALTER TABLE "ticket_comments" ADD CONSTRAINT "ticket_comments_ticket_id_tickets_id_fk" FOREIGN KEY ("ticket_id") REFERENCES "public"."tickets"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ticket_comments" ADD CONSTRAINT "ticket_comments_author_id_users_id_fk" FOREIGN KEY ("author_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ticket_comments" ADD CONSTRAINT "ticket_comments_activity_id_activities_id_fk" FOREIGN KEY ("activity_id") REFERENCES "public"."activities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ticket_routing_rules" ADD CONSTRAINT "ticket_routing_rules_assignee_id_users_id_fk" FOREIGN KEY ("assignee_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ticket_routing_rules" ADD CONSTRAINT "ticket_routing_rules_queue_team_id_teams_id_fk" FOREIGN KEY ("queue_team_id") REFERENCES "public"."teams"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ticket_status_changes" ADD CONSTRAINT "ticket_status_changes_ticket_id_tickets_id_fk" FOREIGN KEY ("ticket_id") REFERENCES "public"."tickets"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_opportunity_id_opportunities_id_fk" FOREIGN KEY ("opportunity_id") REFERENCES "public"."opportunities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_assignee_id_users_id_fk" FOREIGN KEY ("assignee_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_queue_team_id_teams_id_fk" FOREIGN KEY ("queue_team_id") REFERENCES "public"."teams"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_created_by_id_users_id_fk" FOREIGN KEY ("created_by_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "survey_invitations" ADD CONSTRAINT "survey_invitations_survey_id_surveys_id_fk" FOREIGN KEY ("survey_id") REFERENCES "public"."surveys"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "survey_invitations" ADD CONSTRAINT "survey_invitations_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "survey_invitations" ADD CONSTRAINT "survey_invitations_ticket_id_tickets_id_fk" FOREIGN KEY ("ticket_id") REFERENCES "public"."tickets"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "survey_invitations" ADD CONSTRAINT "survey_invitations_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "survey_invitations" ADD CONSTRAINT "survey_invitations_referral_id_referrals_id_fk" FOREIGN KEY ("referral_id") REFERENCES "public"."referrals"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "survey_invitations" ADD CONSTRAINT "survey_invitations_agent_id_users_id_fk" FOREIGN KEY ("agent_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "survey_responses" ADD CONSTRAINT "survey_responses_invitation_id_survey_invitations_id_fk" FOREIGN KEY ("invitation_id") REFERENCES "public"."survey_invitations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "survey_responses" ADD CONSTRAINT "survey_responses_survey_id_surveys_id_fk" FOREIGN KEY ("survey_id") REFERENCES "public"."surveys"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "survey_responses" ADD CONSTRAINT "survey_responses_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "survey_responses" ADD CONSTRAINT "survey_responses_ticket_id_tickets_id_fk" FOREIGN KEY ("ticket_id") REFERENCES "public"."tickets"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "survey_responses" ADD CONSTRAINT "survey_responses_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "survey_responses" ADD CONSTRAINT "survey_responses_referral_id_referrals_id_fk" FOREIGN KEY ("referral_id") REFERENCES "public"."referrals"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "survey_responses" ADD CONSTRAINT "survey_responses_agent_id_users_id_fk" FOREIGN KEY ("agent_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "sla_policies_external_id_uq" ON "sla_policies" USING btree ("external_id");--> statement-breakpoint
CREATE UNIQUE INDEX "sla_policies_priority_uq" ON "sla_policies" USING btree ("priority") WHERE "sla_policies"."customer_tier" is null and "sla_policies"."deleted_at" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "sla_policies_priority_tier_uq" ON "sla_policies" USING btree ("priority","customer_tier") WHERE "sla_policies"."customer_tier" is not null and "sla_policies"."deleted_at" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "ticket_categories_external_id_uq" ON "ticket_categories" USING btree ("external_id");--> statement-breakpoint
CREATE UNIQUE INDEX "ticket_categories_key_uq" ON "ticket_categories" USING btree ("key") WHERE "ticket_categories"."deleted_at" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "ticket_comments_external_id_uq" ON "ticket_comments" USING btree ("external_id");--> statement-breakpoint
CREATE INDEX "ticket_comments_ticket_id_idx" ON "ticket_comments" USING btree ("ticket_id","created_at");--> statement-breakpoint
CREATE INDEX "ticket_comments_author_id_idx" ON "ticket_comments" USING btree ("author_id");--> statement-breakpoint
CREATE INDEX "ticket_comments_activity_id_idx" ON "ticket_comments" USING btree ("activity_id");--> statement-breakpoint
CREATE UNIQUE INDEX "ticket_routing_rules_external_id_uq" ON "ticket_routing_rules" USING btree ("external_id");--> statement-breakpoint
CREATE INDEX "ticket_routing_rules_priority_idx" ON "ticket_routing_rules" USING btree ("priority","created_at") WHERE "ticket_routing_rules"."active" and "ticket_routing_rules"."deleted_at" is null;--> statement-breakpoint
CREATE INDEX "ticket_routing_rules_assignee_id_idx" ON "ticket_routing_rules" USING btree ("assignee_id");--> statement-breakpoint
CREATE INDEX "ticket_routing_rules_queue_team_id_idx" ON "ticket_routing_rules" USING btree ("queue_team_id");--> statement-breakpoint
CREATE INDEX "ticket_status_changes_ticket_id_idx" ON "ticket_status_changes" USING btree ("ticket_id","at");--> statement-breakpoint
CREATE UNIQUE INDEX "tickets_external_id_uq" ON "tickets" USING btree ("external_id");--> statement-breakpoint
CREATE UNIQUE INDEX "tickets_tracking_token_hash_uq" ON "tickets" USING btree ("tracking_token_hash");--> statement-breakpoint
CREATE INDEX "tickets_customer_id_idx" ON "tickets" USING btree ("customer_id","created_at");--> statement-breakpoint
CREATE INDEX "tickets_order_id_idx" ON "tickets" USING btree ("order_id");--> statement-breakpoint
CREATE INDEX "tickets_opportunity_id_idx" ON "tickets" USING btree ("opportunity_id");--> statement-breakpoint
CREATE INDEX "tickets_assignee_id_idx" ON "tickets" USING btree ("assignee_id","status");--> statement-breakpoint
CREATE INDEX "tickets_queue_team_id_idx" ON "tickets" USING btree ("queue_team_id","status");--> statement-breakpoint
CREATE INDEX "tickets_created_by_id_idx" ON "tickets" USING btree ("created_by_id");--> statement-breakpoint
CREATE INDEX "tickets_created_at_idx" ON "tickets" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "tickets_updated_at_idx" ON "tickets" USING btree ("updated_at","id");--> statement-breakpoint
CREATE INDEX "tickets_resolved_at_idx" ON "tickets" USING btree ("resolved_at");--> statement-breakpoint
CREATE INDEX "tickets_first_response_due_idx" ON "tickets" USING btree ("first_response_due_at") WHERE "tickets"."first_response_due_at" is not null and "tickets"."first_responded_at" is null and "tickets"."first_response_breached_at" is null and "tickets"."deleted_at" is null;--> statement-breakpoint
CREATE INDEX "tickets_resolution_due_idx" ON "tickets" USING btree ("resolution_due_at") WHERE "tickets"."resolution_due_at" is not null and "tickets"."resolution_breached_at" is null and "tickets"."deleted_at" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "survey_invitations_trigger_uq" ON "survey_invitations" USING btree ("survey_id","trigger_key");--> statement-breakpoint
CREATE UNIQUE INDEX "survey_invitations_token_hash_uq" ON "survey_invitations" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "survey_invitations_customer_idx" ON "survey_invitations" USING btree ("customer_id","survey_id","created_at");--> statement-breakpoint
CREATE INDEX "survey_invitations_due_idx" ON "survey_invitations" USING btree ("send_at") WHERE "survey_invitations"."status" = 'scheduled';--> statement-breakpoint
CREATE INDEX "survey_invitations_sent_at_idx" ON "survey_invitations" USING btree ("sent_at");--> statement-breakpoint
CREATE INDEX "survey_invitations_ticket_id_idx" ON "survey_invitations" USING btree ("ticket_id");--> statement-breakpoint
CREATE INDEX "survey_invitations_order_id_idx" ON "survey_invitations" USING btree ("order_id");--> statement-breakpoint
CREATE INDEX "survey_invitations_referral_id_idx" ON "survey_invitations" USING btree ("referral_id");--> statement-breakpoint
CREATE INDEX "survey_invitations_agent_id_idx" ON "survey_invitations" USING btree ("agent_id");--> statement-breakpoint
CREATE UNIQUE INDEX "survey_responses_invitation_uq" ON "survey_responses" USING btree ("invitation_id");--> statement-breakpoint
CREATE INDEX "survey_responses_customer_idx" ON "survey_responses" USING btree ("customer_id","answered_at");--> statement-breakpoint
CREATE INDEX "survey_responses_answered_at_idx" ON "survey_responses" USING btree ("answered_at");--> statement-breakpoint
CREATE INDEX "survey_responses_survey_id_idx" ON "survey_responses" USING btree ("survey_id");--> statement-breakpoint
CREATE INDEX "survey_responses_ticket_id_idx" ON "survey_responses" USING btree ("ticket_id");--> statement-breakpoint
CREATE INDEX "survey_responses_order_id_idx" ON "survey_responses" USING btree ("order_id");--> statement-breakpoint
CREATE INDEX "survey_responses_referral_id_idx" ON "survey_responses" USING btree ("referral_id");--> statement-breakpoint
CREATE INDEX "survey_responses_agent_id_idx" ON "survey_responses" USING btree ("agent_id","answered_at");--> statement-breakpoint
CREATE UNIQUE INDEX "surveys_external_id_uq" ON "surveys" USING btree ("external_id");--> statement-breakpoint
CREATE INDEX "surveys_trigger_idx" ON "surveys" USING btree ("trigger") WHERE "surveys"."active" and "surveys"."deleted_at" is null;--> statement-breakpoint
-- Defaults an installation starts with (docs/service.md): Monday to Friday 09:00–12:00 and 13:00–18:00,
-- a few categories, and SLA targets per priority in business minutes; all of it is data to change.
INSERT INTO "working_calendars" ("key") VALUES ('default') ON CONFLICT DO NOTHING;--> statement-breakpoint
INSERT INTO "ticket_categories" ("id", "key", "name", "name_en") VALUES
  ('01930000-0000-7000-8000-000000000101', 'general', '一般咨询', 'General enquiry'),
  ('01930000-0000-7000-8000-000000000102', 'complaint', '投诉', 'Complaint'),
  ('01930000-0000-7000-8000-000000000103', 'repair', '维修', 'Repair'),
  ('01930000-0000-7000-8000-000000000104', 'installation', '安装', 'Installation'),
  ('01930000-0000-7000-8000-000000000105', 'billing', '账单与发票', 'Billing and invoices');--> statement-breakpoint
INSERT INTO "sla_policies" ("id", "priority", "first_response_minutes", "resolution_minutes") VALUES
  ('01930000-0000-7000-8000-000000000201', 'urgent', 30, 240),
  ('01930000-0000-7000-8000-000000000202', 'high', 60, 480),
  ('01930000-0000-7000-8000-000000000203', 'normal', 240, 1440),
  ('01930000-0000-7000-8000-000000000204', 'low', 480, 2880);
