"""What the suites share that is not a fixture: starting and stopping servers, settings, moto's server.

Fixtures live only in ``conftest.py`` files and are built from these helpers, so a test module imports
from here (never from a conftest) and the proofs' long runs (``bench/soak.py``) can use the same code
outside pytest.
"""
