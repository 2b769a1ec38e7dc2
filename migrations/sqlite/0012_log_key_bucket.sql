DROP INDEX `idx_request_logs_key_hash`;--> statement-breakpoint
CREATE INDEX `idx_request_logs_key_bucket` ON `request_logs` (substr(`key_hash`, 1, 1),`timestamp`,`key_hash`);
