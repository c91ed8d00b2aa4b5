"""Imports every built-in detector module so that each registers itself, in run order.

Structured identifiers first (they are validated and reliable), then dates and places, then
names, whose rules consult what earlier steps found.
"""

from avec.protect.detectors import addresses, dates, identifiers, names, places

#: Modules in default run order (import order is registration order).
MODULES = (identifiers, dates, addresses, places, names)
