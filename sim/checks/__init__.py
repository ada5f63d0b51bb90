"""Checks against the world: published facts, validation, calibration, docking with other implementations."""
