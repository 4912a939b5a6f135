//! Shared helpers of the cross-layer tests live in the test files themselves.
