//! The audit trail report.
