"""The spiders: `sources` (every discovery mode at once) and one per mode."""
