"""Safar: a counter-trafficking awareness bot for migrants from Central Asia."""

__version__ = "0.1.0"
