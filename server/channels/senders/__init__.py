"""One HTTP sender per platform (Taobao TOP, JD, PDD, Douyin, Shopify, WooCommerce) and the registry
that the outbox worker dispatches through. ``base`` says how answers are judged."""
