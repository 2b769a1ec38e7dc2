CREATE TABLE `api_keys` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`group_id` integer NOT NULL,
	`key_value` text NOT NULL,
	`key_hash` text NOT NULL,
	`status` text DEFAULT 'active' NOT NULL,
	`notes` text DEFAULT '' NOT NULL,
	`request_count` integer DEFAULT 0 NOT NULL,
	`failure_count` integer DEFAULT 0 NOT NULL,
	`last_used_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `idx_api_keys_key_hash` ON `api_keys` (`key_hash`);--> statement-breakpoint
CREATE UNIQUE INDEX `idx_api_keys_group_key_hash` ON `api_keys` (`group_id`,`key_hash`);--> statement-breakpoint
CREATE INDEX `idx_api_keys_group_status_id` ON `api_keys` (`group_id`,`status`,`id`);--> statement-breakpoint
CREATE INDEX `idx_api_keys_group_last_used_id` ON `api_keys` (`group_id`,`last_used_at`,`id`);--> statement-breakpoint
CREATE TABLE `group_hourly_stats` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`time` integer NOT NULL,
	`group_id` integer NOT NULL,
	`success_count` integer DEFAULT 0 NOT NULL,
	`failure_count` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `idx_group_time` ON `group_hourly_stats` (`time`,`group_id`);--> statement-breakpoint
CREATE TABLE `group_sub_groups` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`group_id` integer NOT NULL,
	`sub_group_id` integer NOT NULL,
	`weight` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `idx_group_sub` ON `group_sub_groups` (`group_id`,`sub_group_id`);--> statement-breakpoint
CREATE INDEX `idx_group_sub_groups_sub_group_id` ON `group_sub_groups` (`sub_group_id`);--> statement-breakpoint
CREATE TABLE `groups` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`display_name` text DEFAULT '' NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`group_type` text DEFAULT 'standard' NOT NULL,
	`upstreams` text DEFAULT '[]' NOT NULL,
	`channel_type` text NOT NULL,
	`sort` integer DEFAULT 0 NOT NULL,
	`test_model` text NOT NULL,
	`validation_endpoint` text DEFAULT '' NOT NULL,
	`param_overrides` text DEFAULT '{}' NOT NULL,
	`model_redirect_rules` text DEFAULT '{}' NOT NULL,
	`model_redirect_strict` integer DEFAULT false NOT NULL,
	`config` text DEFAULT '{}' NOT NULL,
	`header_rules` text DEFAULT '[]' NOT NULL,
	`proxy_keys` text DEFAULT '' NOT NULL,
	`last_validated_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `groups_name_unique` ON `groups` (`name`);--> statement-breakpoint
CREATE TABLE `request_logs` (
	`id` text PRIMARY KEY NOT NULL,
	`timestamp` integer NOT NULL,
	`group_id` integer NOT NULL,
	`group_name` text DEFAULT '' NOT NULL,
	`parent_group_id` integer DEFAULT 0 NOT NULL,
	`parent_group_name` text DEFAULT '' NOT NULL,
	`key_hash` text DEFAULT '' NOT NULL,
	`key_masked` text DEFAULT '' NOT NULL,
	`model` text DEFAULT '' NOT NULL,
	`is_success` integer NOT NULL,
	`source_ip` text DEFAULT '' NOT NULL,
	`status_code` integer NOT NULL,
	`request_path` text DEFAULT '' NOT NULL,
	`duration` integer DEFAULT 0 NOT NULL,
	`error_message` text DEFAULT '' NOT NULL,
	`user_agent` text DEFAULT '' NOT NULL,
	`request_type` text DEFAULT 'final' NOT NULL,
	`upstream_addr` text DEFAULT '' NOT NULL,
	`is_stream` integer DEFAULT false NOT NULL,
	`request_body` text DEFAULT '' NOT NULL
);
--> statement-breakpoint
CREATE INDEX `idx_request_logs_timestamp` ON `request_logs` (`timestamp`);--> statement-breakpoint
CREATE INDEX `idx_request_logs_group_id` ON `request_logs` (`group_id`);--> statement-breakpoint
CREATE INDEX `idx_request_logs_group_name` ON `request_logs` (`group_name`);--> statement-breakpoint
CREATE INDEX `idx_request_logs_parent_group_name` ON `request_logs` (`parent_group_name`);--> statement-breakpoint
CREATE INDEX `idx_request_logs_key_hash` ON `request_logs` (`key_hash`);--> statement-breakpoint
CREATE INDEX `idx_request_logs_model` ON `request_logs` (`model`);--> statement-breakpoint
CREATE INDEX `idx_request_logs_request_type` ON `request_logs` (`request_type`);--> statement-breakpoint
CREATE TABLE `system_settings` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`setting_key` text NOT NULL,
	`setting_value` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `system_settings_setting_key_unique` ON `system_settings` (`setting_key`);