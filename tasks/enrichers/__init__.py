"""Enrichers, one module each; importing a module registers its enricher in tasks.enrich.REGISTRY."""
