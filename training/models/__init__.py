"""Model definitions for the tinyhush denoisers."""
