"""The ``hortus`` command line and the all-in-one ``hortus up``: the top of the house."""
