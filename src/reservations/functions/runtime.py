"""What every function shares per process: the structured logger.

Powertools' ``Logger`` writes one JSON line per call with the service name; request id and
customer are passed per line, never the API key or headers.  Only the logging submodule is
imported: the rest of Powertools stays off the cold-start path.
"""

from __future__ import annotations

import os

from aws_lambda_powertools.logging import Logger

logger = Logger(service=os.environ.get("POWERTOOLS_SERVICE_NAME", "reservations"))
