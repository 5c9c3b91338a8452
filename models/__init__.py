"""tortoise-orm models, one module per aggregate; migrations per app label in ``migrations/``."""
