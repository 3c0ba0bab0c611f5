"""`python -m crmcli` runs the same entry point as the `crm` command."""

from crmcli.cli import main

main()
