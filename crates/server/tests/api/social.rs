//! Tests for people: friend requests, contacts, blocks, search.
