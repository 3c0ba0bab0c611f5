"""Python's cycle collector at start-up: paused while a command's modules load, then what they
made is frozen out of its passes (see `hold_collector`)."""

import gc

_collector_held = False
"""Whether `hold_collector` paused the collector and `collector_resumed` has not run yet."""


def hold_collector() -> None:
    """Pause Python's cycle collector while a command's modules load. They make some 25,000
    objects that it tracks and no garbage, and its passes over them, during start-up, during the
    command and once more at exit, were 15 to 20 ms of every command (`crm search zanzibar` at
    100k records: 107 → 90 ms, median of 15 runs taken in turns with and without). Only the
    `crm` command does this, not `run`, which tests and library users call many times."""
    global _collector_held
    if gc.isenabled():
        gc.disable()
        _collector_held = True


def collector_resumed() -> None:
    """The command's modules are loaded (its root callback runs): what they made is frozen out
    of every later pass of the collector, the one at exit included, and the collector runs again
    for what the command itself makes."""
    global _collector_held
    if _collector_held:
        gc.freeze()
        gc.enable()
        _collector_held = False
