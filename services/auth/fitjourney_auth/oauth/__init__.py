"""Sign-in with Google, Apple (OpenID Connect ID tokens) and Facebook (access tokens)."""
