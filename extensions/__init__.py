"""Extensions: the plugin registry, contracts, SDK and the built-in providers."""
