"""The token issuer: JWKS, OAuth2 client credentials for services, dev tokens for demo users."""
