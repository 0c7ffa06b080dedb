//! Shared harness for the end-to-end tests (see tests/e2e/tests).
