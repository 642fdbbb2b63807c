"""Each local shoot's own Kubernetes API, served by the local seed cluster (``endpoints``), and the Nodes its
machine pods register there (``machines``)."""
