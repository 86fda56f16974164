"""The SAT ⇄ CCF exchange: trámites (Ministry), the /sat services (CCF systems) and the JWKS."""
