"""Shipments: results by courier, material pick-up, tracking that moves the case."""
