"""The extension author's kit: a local seed cluster to run plugins against (``harness``), the conformance run
(``hortus extension test``) and the skeleton (``hortus extension new``)."""
