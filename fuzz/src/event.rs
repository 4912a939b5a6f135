//! Harness of change-event JSON: `serde_json::from_slice::<ChangeEvent>` and `hash_is_valid`,
//! the two steps every received event goes through.
//!
//! Invariant checked: an event that parses serialises, parses back equal, and keeps the
//! validity of its hash (a bundle re-exported by a relay must verify where it arrives).

use ecrf_core::event::ChangeEvent;

/// Target `change_event`. Returns `Some(hash valid)` when the input is an event.
pub fn run(data: &[u8]) -> Option<bool> {
    let ev: ChangeEvent = serde_json::from_slice(data).ok()?;
    let valid = ev.hash_is_valid();
    let text = serde_json::to_string(&ev).expect("a parsed event serialises");
    let back: ChangeEvent = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("a serialised event parses back: {e}\n{text}"));
    assert_eq!(back, ev, "an event changed through serialise + parse");
    assert_eq!(
        back.hash_is_valid(),
        valid,
        "hash validity changed through serialise + parse"
    );
    let _ = ev.content();
    Some(valid)
}
