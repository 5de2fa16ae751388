CREATE TYPE "public"."consent_channel" AS ENUM('any', 'sms', 'email', 'phone', 'wecom', 'dingtalk');--> statement-breakpoint
CREATE TYPE "public"."consent_purpose" AS ENUM('processing', 'marketing', 'third_party_sharing', 'cross_border', 'service');--> statement-breakpoint
CREATE TYPE "public"."consent_source" AS ENUM('referral_confirmation', 'form', 'import', 'staff', 'unsubscribe', 'api');--> statement-breakpoint
CREATE TYPE "public"."journey_enrollment_status" AS ENUM('active', 'completed', 'exited', 'failed');--> statement-breakpoint
CREATE TYPE "public"."journey_status" AS ENUM('draft', 'active', 'paused', 'archived');--> statement-breakpoint
CREATE TYPE "public"."journey_step_outcome" AS ENUM('completed', 'skipped', 'held', 'capped', 'blocked', 'failed');--> statement-breakpoint
CREATE TABLE "notification_subscriptions" (
	"id" uuid PRIMARY KEY NOT NULL,
	"external_id" text,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone,
	"user_id" uuid,
	"team_id" uuid,
	"channel_id" uuid NOT NULL,
	"event_types" text[] NOT NULL,
	"scope" text DEFAULT 'mine' NOT NULL,
	CONSTRAINT "notification_subscriptions_subscriber_ck" CHECK (("notification_subscriptions"."user_id" is null) <> ("notification_subscriptions"."team_id" is null)),
	CONSTRAINT "notification_subscriptions_scope_ck" CHECK ("notification_subscriptions"."scope" in ('mine', 'team', 'all'))
);
--> statement-breakpoint
CREATE TABLE "journey_audience_members" (
	"journey_id" uuid NOT NULL,
	"customer_id" uuid NOT NULL,
	"since" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "journey_audience_members_journey_id_customer_id_pk" PRIMARY KEY("journey_id","customer_id")
);
--> statement-breakpoint
CREATE TABLE "journey_enrollments" (
	"id" uuid PRIMARY KEY NOT NULL,
	"journey_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"customer_id" uuid NOT NULL,
	"entry_seq" integer DEFAULT 1 NOT NULL,
	"status" "journey_enrollment_status" DEFAULT 'active' NOT NULL,
	"step_key" text,
	"steps_run" integer DEFAULT 0 NOT NULL,
	"due_at" timestamp with time zone,
	"trigger_event_id" uuid,
	"trigger_kind" text NOT NULL,
	"entered_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	"exit_reason" text
);
--> statement-breakpoint
CREATE TABLE "journey_step_runs" (
	"id" uuid PRIMARY KEY NOT NULL,
	"enrollment_id" uuid NOT NULL,
	"journey_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"seq" integer NOT NULL,
	"step_key" text NOT NULL,
	"step_type" text NOT NULL,
	"outcome" "journey_step_outcome" NOT NULL,
	"reason" text,
	"detail" jsonb,
	"ran_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "journey_versions" (
	"journey_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"definition" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "journey_versions_journey_id_version_pk" PRIMARY KEY("journey_id","version")
);
--> statement-breakpoint
CREATE TABLE "journeys" (
	"id" uuid PRIMARY KEY NOT NULL,
	"external_id" text,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone,
	"name" text NOT NULL,
	"description" text,
	"status" "journey_status" DEFAULT 'draft' NOT NULL,
	"current_version" integer DEFAULT 1 NOT NULL,
	"activated_at" timestamp with time zone,
	"scanned_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "consent_records" (
	"id" uuid PRIMARY KEY NOT NULL,
	"customer_id" uuid,
	"referrer_id" uuid,
	"purpose" "consent_purpose" NOT NULL,
	"channel" "consent_channel" NOT NULL,
	"granted" boolean NOT NULL,
	"text_version" text,
	"source" "consent_source" NOT NULL,
	"proof" text,
	"note" text,
	"occurred_at" timestamp with time zone NOT NULL,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor_type" text NOT NULL,
	"actor_id" uuid,
	"referral_id" uuid,
	"message_id" uuid,
	CONSTRAINT "consent_records_subject_ck" CHECK (num_nonnulls("consent_records"."customer_id", "consent_records"."referrer_id") = 1)
);
--> statement-breakpoint
CREATE TABLE "contact_locks" (
	"customer_id" uuid PRIMARY KEY NOT NULL,
	"locked_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "outbox_events" ADD COLUMN "staff_notified_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "outbox_events" ADD COLUMN "journeys_seen_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "notification_subscriptions" ADD CONSTRAINT "notification_subscriptions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notification_subscriptions" ADD CONSTRAINT "notification_subscriptions_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notification_subscriptions" ADD CONSTRAINT "notification_subscriptions_channel_id_notification_channels_id_fk" FOREIGN KEY ("channel_id") REFERENCES "public"."notification_channels"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "journey_audience_members" ADD CONSTRAINT "journey_audience_members_journey_id_journeys_id_fk" FOREIGN KEY ("journey_id") REFERENCES "public"."journeys"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "journey_enrollments" ADD CONSTRAINT "journey_enrollments_journey_id_journeys_id_fk" FOREIGN KEY ("journey_id") REFERENCES "public"."journeys"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "journey_enrollments" ADD CONSTRAINT "journey_enrollments_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "journey_step_runs" ADD CONSTRAINT "journey_step_runs_enrollment_id_journey_enrollments_id_fk" FOREIGN KEY ("enrollment_id") REFERENCES "public"."journey_enrollments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "journey_versions" ADD CONSTRAINT "journey_versions_journey_id_journeys_id_fk" FOREIGN KEY ("journey_id") REFERENCES "public"."journeys"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "consent_records" ADD CONSTRAINT "consent_records_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "consent_records" ADD CONSTRAINT "consent_records_referrer_id_referrers_id_fk" FOREIGN KEY ("referrer_id") REFERENCES "public"."referrers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "consent_records" ADD CONSTRAINT "consent_records_message_id_messages_id_fk" FOREIGN KEY ("message_id") REFERENCES "public"."messages"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contact_locks" ADD CONSTRAINT "contact_locks_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "notification_subscriptions_user_uq" ON "notification_subscriptions" USING btree ("user_id","channel_id") WHERE "notification_subscriptions"."user_id" is not null and "notification_subscriptions"."deleted_at" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "notification_subscriptions_team_uq" ON "notification_subscriptions" USING btree ("team_id","channel_id") WHERE "notification_subscriptions"."team_id" is not null and "notification_subscriptions"."deleted_at" is null;--> statement-breakpoint
CREATE INDEX "notification_subscriptions_channel_idx" ON "notification_subscriptions" USING btree ("channel_id");--> statement-breakpoint
CREATE UNIQUE INDEX "journey_enrollments_entry_uq" ON "journey_enrollments" USING btree ("journey_id","customer_id","entry_seq");--> statement-breakpoint
CREATE INDEX "journey_enrollments_due_idx" ON "journey_enrollments" USING btree ("due_at") WHERE "journey_enrollments"."status" = 'active';--> statement-breakpoint
CREATE INDEX "journey_enrollments_journey_idx" ON "journey_enrollments" USING btree ("journey_id","entered_at","id");--> statement-breakpoint
CREATE INDEX "journey_enrollments_customer_idx" ON "journey_enrollments" USING btree ("customer_id");--> statement-breakpoint
CREATE UNIQUE INDEX "journey_step_runs_seq_uq" ON "journey_step_runs" USING btree ("enrollment_id","seq");--> statement-breakpoint
CREATE INDEX "journey_step_runs_counts_idx" ON "journey_step_runs" USING btree ("journey_id","version","step_key","outcome");--> statement-breakpoint
CREATE UNIQUE INDEX "journeys_external_id_uq" ON "journeys" USING btree ("external_id");--> statement-breakpoint
CREATE INDEX "journeys_status_idx" ON "journeys" USING btree ("status") WHERE "journeys"."deleted_at" is null;--> statement-breakpoint
CREATE INDEX "consent_records_customer_idx" ON "consent_records" USING btree ("customer_id","purpose","channel","occurred_at") WHERE "consent_records"."customer_id" is not null;--> statement-breakpoint
CREATE INDEX "consent_records_referrer_idx" ON "consent_records" USING btree ("referrer_id","purpose","channel","occurred_at") WHERE "consent_records"."referrer_id" is not null;--> statement-breakpoint
CREATE INDEX "consent_records_recorded_idx" ON "consent_records" USING btree ("recorded_at","id");--> statement-breakpoint
CREATE UNIQUE INDEX "consent_records_unsubscribe_uq" ON "consent_records" USING btree ("message_id") WHERE "consent_records"."source" = 'unsubscribe';--> statement-breakpoint
CREATE INDEX "outbox_events_staff_pending_idx" ON "outbox_events" USING btree ("occurred_at") WHERE "outbox_events"."staff_notified_at" is null and "outbox_events"."type" in ('lead.assigned', 'lead.sla_breached', 'task.created', 'ticket.sla_breached', 'ticket.updated', 'reward.created', 'reward.approved', 'survey.detractor');--> statement-breakpoint
CREATE INDEX "outbox_events_journeys_unseen_idx" ON "outbox_events" USING btree ("occurred_at") WHERE "outbox_events"."journeys_seen_at" is null;