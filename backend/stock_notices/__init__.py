"""Back-in-stock notices: "e-mail me when available" subscriptions and their one e-mail."""
