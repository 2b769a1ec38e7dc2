CREATE TABLE "task_input" (
	"seq" integer PRIMARY KEY NOT NULL,
	"keys" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "task_state" ADD COLUMN "job" jsonb;