"""Local API Gateway emulator used by ``reservations serve``."""
