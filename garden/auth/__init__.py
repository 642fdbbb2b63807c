"""Authentication and authorization of the garden API: identities and tokens, the database authenticator,
Gardener's project roles and seed restrictions. Wired into the API server by ``garden.app``."""
