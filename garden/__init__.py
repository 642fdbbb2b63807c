"""The garden: Gardener's resources on the API machinery, admission, auth, scheduler, dispatcher, console."""
