CREATE TABLE `key_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`key_id` integer NOT NULL,
	`group_id` integer NOT NULL,
	`time` integer NOT NULL,
	`from_state` text,
	`to_state` text NOT NULL,
	`status_code` integer DEFAULT 0 NOT NULL,
	`message` text DEFAULT '' NOT NULL
);
--> statement-breakpoint
CREATE INDEX `idx_key_events_key_id` ON `key_events` (`key_id`,`id`);