"""Imports every built-in detector module so that each registers itself, and fixes their order.

Structured identifiers first (they are validated and reliable), then dates, addresses and
places, then names, whose rules consult what earlier steps found (a word inside an address or
an establishment name is no person's name).
"""

from avec.protect.detectors import addresses, dates, identifiers, names, places  # noqa: F401

#: Built-in steps in default run order.
DEFAULT_ORDER = (
    "nir", "iban", "phone", "email", "url", "rpps", "patient_ids",
    "dates", "addresses", "hospitals", "cities", "names",
)  # fmt: skip
