"""The seed side: the seed agent, its flows, and the local seed cluster."""
