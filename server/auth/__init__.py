"""Auth: users with roles scoped to warehouses, devices (revocable phones), tokens, rate limits."""
