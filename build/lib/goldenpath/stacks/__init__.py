"""Stacks that turn environment config into modules, one per lifecycle."""
