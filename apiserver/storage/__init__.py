"""SQL storage for API objects: the object table, the change log and the global resourceVersion.

The only part of the API machinery that imports SQLAlchemy. Used by ``apiserver.service`` (reads and writes)
and ``apiserver.watch`` (the change feed).
"""
