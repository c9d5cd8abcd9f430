//! Tests for avatars and attachments.
