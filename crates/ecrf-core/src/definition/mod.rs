//! The study definition: one versioned, machine-readable source for screens, validation, PDF
//! layout, exports and reports. Its files are TOML (see `docs/definition-format.md`); [`load`]
//! parses and checks them and reports every problem as `file:line:column: message`.

mod builtin;
mod check;
mod load;
mod model;

pub use builtin::{builtin, builtin_files, BUILTIN_ROOT};
pub use load::load;
pub use model::*;
