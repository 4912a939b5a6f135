//! The harnesses of the fuzz targets. Each module is self-contained (no `crate::` paths) so
//! that the stable regression tests can compile the very same code with `#[path = ...]` and
//! replay the inputs the fuzzer found:
//!
//! | module | target(s) | replayed by |
//! |---|---|---|
//! | [`bundle`] | `bundle_open`, `bundle_members` | `crates/ecrf-bundle/tests/fuzz_regressions.rs` |
//! | [`definition`] | `definition` | `crates/ecrf-core/tests/fuzz_regressions.rs` |
//! | [`event`] | `change_event` | `crates/ecrf-core/tests/fuzz_regressions.rs` |
//! | [`form_data`] | `form_data` | `crates/ecrf-services/tests/hostile_input.rs` |

pub mod bundle;
pub mod definition;
pub mod event;
pub mod form_data;
