"""Cryptographic primitives the core signs and verifies with (SM2)."""
