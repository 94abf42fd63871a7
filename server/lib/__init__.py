"""Small pieces every domain shares: errors, pagination, the base wire Struct."""
