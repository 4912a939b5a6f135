//! The merge policy: which value an item shows when nodes edited it concurrently.
//!
//! Every value event of an item (a `value_set` or a data manager's `conflict_resolved`) is a
//! *version*. A version names the versions it was written on (`refs`: the base of a value, the
//! candidates of a resolution); those are *superseded*. The versions nobody superseded are the
//! *heads*. One head: that is the value. Several heads: the item is in conflict, every value is
//! kept, and one is shown by a fixed rule — a data manager's resolution, else a version not
//! stamped implausibly far in the future, else the later hybrid logical clock, else the greater
//! node id. The result depends only on the set of versions, never on the order they arrived
//! in, which is what makes import order-independent.

use crate::event::EventId;
use crate::hlc::Hlc;
use serde_json::Value as Json;
use std::cmp::Ordering;
use std::collections::BTreeSet;

/// How far ahead of the importing node's clock an event may be stamped before it is flagged:
/// a day covers a device clock set to local time instead of UTC anywhere on Earth.
pub const FUTURE_TOLERANCE_MS: u64 = 24 * 60 * 60 * 1000;

/// Whether an event's clock is implausibly far ahead of the receiver's wall clock.
pub fn is_future(hlc: Hlc, now_ms: u64) -> bool {
    hlc.wall_ms() > now_ms.saturating_add(FUTURE_TOLERANCE_MS)
}

/// One value event of an item.
#[derive(Debug, Clone, PartialEq)]
pub struct Version {
    pub id: EventId,
    pub hlc: Hlc,
    /// A data manager's resolution of a conflict.
    pub resolution: bool,
    /// Stamped implausibly far in the future when it was received.
    pub flagged: bool,
    /// The versions it was written on.
    pub refs: Vec<EventId>,
    pub value: Json,
}

/// The order of precedence between concurrent versions: greater wins.
pub fn precedence(a: &Version, b: &Version) -> Ordering {
    a.resolution
        .cmp(&b.resolution)
        .then((!a.flagged).cmp(&!b.flagged))
        .then(a.hlc.cmp(&b.hlc))
        .then(a.id.node.cmp(&b.id.node))
        .then(a.id.cmp(&b.id))
}

/// The state of one item given all its versions (in any order).
#[derive(Debug, Clone, PartialEq)]
pub struct ItemState<'a> {
    /// The version shown.
    pub shown: &'a Version,
    /// Every head, shown first then by precedence; more than one means a conflict.
    pub heads: Vec<&'a Version>,
}

impl ItemState<'_> {
    pub fn in_conflict(&self) -> bool {
        self.heads.len() > 1
    }
}

/// Heads and the shown version of an item; `None` when it has no versions.
pub fn resolve(versions: &[Version]) -> Option<ItemState<'_>> {
    let superseded: BTreeSet<&EventId> = versions.iter().flat_map(|v| v.refs.iter()).collect();
    let mut heads: Vec<&Version> = versions
        .iter()
        .filter(|v| !superseded.contains(&v.id))
        .collect();
    heads.sort_by(|a, b| precedence(b, a));
    heads.dedup_by(|a, b| a.id == b.id);
    let shown = *heads.first()?;
    Some(ItemState { shown, heads })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;
    use uuid::Uuid;

    fn id(node: u128, seq: u64) -> EventId {
        EventId {
            node: Uuid::from_u128(node),
            epoch: 1,
            stream: "S01".into(),
            seq,
        }
    }

    fn v(node: u128, seq: u64, wall: u64, refs: Vec<EventId>, value: &str) -> Version {
        Version {
            id: id(node, seq),
            hlc: Hlc::new(wall, 0),
            resolution: false,
            flagged: false,
            refs,
            value: json!(value),
        }
    }

    /// (versions, shown value, number of heads), written from the rule, not from the code.
    #[test]
    fn table_of_histories() {
        let a1 = v(1, 1, 100, vec![], "a1");
        let a2 = v(1, 2, 200, vec![id(1, 1)], "a2");
        let b1 = v(2, 1, 150, vec![id(1, 1)], "b1");
        let b_same_time = v(2, 1, 200, vec![id(1, 1)], "b-tie");
        let mut future = v(2, 1, 9_000, vec![id(1, 1)], "future");
        future.flagged = true;
        let mut resolution = v(3, 1, 50, vec![id(1, 2), id(2, 1)], "resolved");
        resolution.resolution = true;
        let late = v(1, 3, 300, vec![id(1, 2)], "late");
        let cases: Vec<(&str, Vec<Version>, &str, usize)> = vec![
            ("a first value", vec![a1.clone()], "a1", 1),
            (
                "an edit supersedes its base",
                vec![a1.clone(), a2.clone()],
                "a2",
                1,
            ),
            (
                "concurrent edits: later clock shown",
                vec![a1.clone(), a2.clone(), b1.clone()],
                "a2",
                2,
            ),
            (
                "same clock: greater node id shown",
                vec![a1.clone(), a2.clone(), b_same_time.clone()],
                "b-tie",
                2,
            ),
            (
                "a future-stamped edit does not win",
                vec![a1.clone(), a2.clone(), future.clone()],
                "a2",
                2,
            ),
            (
                "a resolution supersedes the candidates",
                vec![a1.clone(), a2.clone(), b1.clone(), resolution.clone()],
                "resolved",
                1,
            ),
            (
                "an edit unseen by the resolution reopens the conflict, the resolution shows",
                vec![
                    a1.clone(),
                    a2.clone(),
                    b1.clone(),
                    resolution.clone(),
                    late.clone(),
                ],
                "resolved",
                2,
            ),
        ];
        for (name, versions, shown, heads) in cases {
            let st = resolve(&versions).unwrap();
            assert_eq!(st.shown.value, json!(shown), "{name}");
            assert_eq!(st.heads.len(), heads, "{name}");
        }
        assert!(resolve(&[]).is_none());
    }

    #[test]
    fn future_flag_has_a_day_of_tolerance() {
        let now = 1_800_000_000_000;
        assert!(!is_future(Hlc::new(now + FUTURE_TOLERANCE_MS, 0), now));
        assert!(is_future(Hlc::new(now + FUTURE_TOLERANCE_MS + 1, 0), now));
        assert!(!is_future(Hlc::new(now - 5, 0), now));
    }

    proptest! {
        /// Any order of the same versions gives the same state.
        #[test]
        fn order_does_not_matter(
            walls in proptest::collection::vec(0u64..50, 1..8),
            bases in proptest::collection::vec(proptest::option::of(0usize..8), 8),
            perm in Just(()).prop_perturb(|_, mut rng| { let mut p: Vec<usize> = (0..8).collect(); for i in (1..8).rev() { let j = (rng.next_u32() as usize) % (i + 1); p.swap(i, j); } p })
        ) {
            let versions: Vec<Version> = walls.iter().enumerate().map(|(i, w)| {
                let refs = bases[i].filter(|b| *b < i).map(|b| vec![id(b as u128 % 3, b as u64)]).unwrap_or_default();
                v(i as u128 % 3, i as u64, *w, refs, &format!("v{i}"))
            }).collect();
            let shuffled: Vec<Version> = perm.iter().filter(|i| **i < versions.len()).map(|i| versions[*i].clone()).collect();
            let a = resolve(&versions).unwrap();
            let b = resolve(&shuffled).unwrap();
            prop_assert_eq!(&a.shown.id, &b.shown.id);
            let ha: Vec<_> = a.heads.iter().map(|h| &h.id).collect();
            let hb: Vec<_> = b.heads.iter().map(|h| &h.id).collect();
            prop_assert_eq!(ha, hb);
        }
    }
}
