"""Use cases that create and change records: parties, contacts, interactions."""
