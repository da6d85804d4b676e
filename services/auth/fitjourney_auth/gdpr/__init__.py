"""Auth's part of the one export and the one erasure across services (`fitjourney_common.gdpr`)."""
