"""The language server: a thin pygls adapter over ospec.core (edge)."""
