"""The version of crm: at the bottom of the layers, so the store can key caches by it."""

__version__ = "0.1.0"
