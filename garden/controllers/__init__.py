"""In-process garden controllers, run for the lifetime of the garden app (``garden.app``)."""
