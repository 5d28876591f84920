"""Compilations: editorial workflow, publishing targets (plugins), credits and payouts."""
