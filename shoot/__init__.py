"""The pure shoot domain: typed Gardener API objects, defaults, validation, rendering and PKI — no I/O.

Imported by ``garden`` (admission), ``seed`` (flows) and ``extensions``; imports nothing of theirs.
"""
