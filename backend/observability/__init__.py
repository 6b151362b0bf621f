"""What an operator sees of the shop: Prometheus metrics, OpenTelemetry traces and
structured log lines. A bottom layer: every domain may record here; it imports no domain."""
