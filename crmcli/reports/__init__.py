"""Read-only use cases: the 360° view, the timeline, the agenda, `crm check`."""
