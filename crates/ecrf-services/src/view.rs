//! The subject's other forms, as the core's expressions see them.

use ecrf_core::ids::SubjectId;
use ecrf_core::validate::SubjectView;
use ecrf_store::Store;
use serde_json::Value as Json;

pub(crate) struct StoreView<'a> {
    pub store: &'a Store,
    pub subject: &'a SubjectId,
    pub today: String,
}

impl SubjectView for StoreView<'_> {
    fn value(&self, event: Option<&str>, form: &str, item: &str) -> Json {
        // A read error leaves the value unknown: a check then neither passes nor fires.
        self.store
            .lookup(self.subject, event, form, item)
            .unwrap_or(Json::Null)
    }
    fn today(&self) -> Option<String> {
        Some(self.today.clone())
    }
}

/// The same view inside a write transaction (import recomputes derived values there).
pub(crate) struct TxView<'a, 'b> {
    pub tx: &'a ecrf_store::Tx<'b>,
    pub subject: &'a SubjectId,
    pub today: String,
}

impl SubjectView for TxView<'_, '_> {
    fn value(&self, event: Option<&str>, form: &str, item: &str) -> Json {
        self.tx
            .lookup(self.subject, event, form, item)
            .unwrap_or(Json::Null)
    }
    fn today(&self) -> Option<String> {
        Some(self.today.clone())
    }
}
