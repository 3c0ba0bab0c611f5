"""Ticket statuses live in one place (model/pipeline.py): the schema and the workflow agree with it."""

import json

from conftest import ROOT
from crmcli.model.pipeline import OPEN_TICKET, TICKET_STATES


def test_the_schema_and_the_workflow_list_the_same_ticket_statuses():
    schema = json.loads((ROOT / "schemas" / "ticket.schema.json").read_text(encoding="utf-8"))
    assert tuple(schema["properties"]["status"]["enum"]) == TICKET_STATES
    assert TICKET_STATES == ("open", "in-progress", "resolved", "closed") and OPEN_TICKET == ("open", "in-progress")
