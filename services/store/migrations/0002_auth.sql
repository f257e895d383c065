-- Auth: usernames unique regardless of case (no "Admin" next to "admin"), token lookups by owner.
create unique index app_user_username_lower on app_user (lower(username));
create index api_token_user_id on api_token (user_id);
