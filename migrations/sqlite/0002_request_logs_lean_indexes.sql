DROP INDEX `idx_request_logs_group_id`;--> statement-breakpoint
DROP INDEX `idx_request_logs_group_name`;--> statement-breakpoint
DROP INDEX `idx_request_logs_parent_group_name`;--> statement-breakpoint
DROP INDEX `idx_request_logs_model`;--> statement-breakpoint
DROP INDEX `idx_request_logs_request_type`;