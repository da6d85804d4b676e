"""The account as a whole: GDPR export of everything core holds about a user, erasure, and their audit."""
