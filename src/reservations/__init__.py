"""Reservations: a multi-tenant hotel-reservations service for AWS that also runs whole on one laptop."""

__version__ = "0.1.0"
