"""Built-in operating-system extensions: Ubuntu (cloud-init user data) and Flatcar (Ignition v3 configs)."""
