"""The seed agent: reconciles the shoots scheduled to its seed, and renews the seed's heartbeat."""
