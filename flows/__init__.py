"""Prefect flows. A flow body only composes tasks from ``tasks/``."""
