"""Authentication: API tokens for machine clients (accounts and roles come with the admin pages)."""
