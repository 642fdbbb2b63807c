"""A shoot's PKI as pure code: its CAs, serving and client certificates, keys and etcd encryption configuration.

``shoot.pki.catalog`` lists what a shoot needs, ``shoot.pki.plan`` says what of that is missing or due for
renewal given the Secrets already stored, ``shoot.pki.certs`` holds the ECDSA primitives. Called by the seed
agent's secrets step (which stores the result as Secrets in the control-plane namespace) and by the garden's
``shoots/adminkubeconfig`` (which signs short-lived client certificates with the shoot's client CA).
"""
