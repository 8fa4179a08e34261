"""The domain: rules, values and errors of reservations, rooms, channels' blocks and tenancy; pure
Python, no I/O, importing nothing above it.  Each concern is a module of its own (``errors``,
``parsing``, ``reservation``, ``change``, ``rooms``, ``blocks``, ``tenancy``); import from those."""
