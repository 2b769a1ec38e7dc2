-- app_url follows the gateway's HOST:PORT until an operator saves one (issue 9). Older versions
-- seeded it at first start. A row never updated since its insert is that seed, not an operator's
-- choice: every save through the settings API rewrites updated_at. Such a row goes, once.
DELETE FROM `system_settings` WHERE `setting_key` = 'app_url' AND `created_at` = `updated_at`;
