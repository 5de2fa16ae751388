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
ALTER TABLE "outbox_events" ADD COLUMN "staff_notified_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "notification_subscriptions" ADD CONSTRAINT "notification_subscriptions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notification_subscriptions" ADD CONSTRAINT "notification_subscriptions_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notification_subscriptions" ADD CONSTRAINT "notification_subscriptions_channel_id_notification_channels_id_fk" FOREIGN KEY ("channel_id") REFERENCES "public"."notification_channels"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "notification_subscriptions_user_uq" ON "notification_subscriptions" USING btree ("user_id","channel_id") WHERE "notification_subscriptions"."user_id" is not null and "notification_subscriptions"."deleted_at" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "notification_subscriptions_team_uq" ON "notification_subscriptions" USING btree ("team_id","channel_id") WHERE "notification_subscriptions"."team_id" is not null and "notification_subscriptions"."deleted_at" is null;--> statement-breakpoint
CREATE INDEX "notification_subscriptions_channel_idx" ON "notification_subscriptions" USING btree ("channel_id");--> statement-breakpoint
CREATE INDEX "outbox_events_staff_pending_idx" ON "outbox_events" USING btree ("occurred_at") WHERE "outbox_events"."staff_notified_at" is null and "outbox_events"."type" in ('lead.assigned', 'lead.sla_breached', 'task.created', 'ticket.sla_breached', 'ticket.updated', 'reward.created', 'reward.approved', 'survey.detractor');