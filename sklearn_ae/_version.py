"""The version of sklearn_ae, importable without importing the package."""

__version__ = "0.1.0"
