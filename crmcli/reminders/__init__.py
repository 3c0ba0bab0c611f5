"""Reminders: explicit ones (`reminders/`) and those the data raises by itself, gathered
into one dated list for `crm today`, `crm remind due`, mail and calendars."""
