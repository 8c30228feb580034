"""Fixtures that run the real sandbox server on a random loopback port (filled by the sandbox)."""
