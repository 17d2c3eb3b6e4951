"""A local HTTPS simulator of Entra login, GitHub OIDC, Microsoft Graph v1.0 and ARM.

Test-only: it is not part of the shipped package. The real SDKs talk to it over real TLS,
trusting its throwaway CA through SSL_CERT_FILE, exactly as they would talk to Microsoft.
"""

from tests.simulator.scenario import Fault, Scenario
from tests.simulator.server import Simulator

__all__ = ["Fault", "Scenario", "Simulator"]
