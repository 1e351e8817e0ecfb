"""Helpers for bench/run: corpus generation, Hugo twin site, measurement and reports."""
