"""Tests of the configuration stage: one validation, checks by the book."""
