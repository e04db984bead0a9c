-- 0010_hub_credentials: a hub callback's credentials are kept apart from
-- its URL (src/events/hub.c, docs/security.md). callback holds the URL
-- without userinfo; callback_user the user name (shown as "user:***");
-- callback_secret the password sealed with the secrets key (core/seal.h),
-- bound to the subscription id. Subscriptions made before this migration
-- are split at the next start (bss_hub_seal_legacy).
ALTER TABLE hub_subscription ADD COLUMN callback_user TEXT;
ALTER TABLE hub_subscription ADD COLUMN callback_secret TEXT;
