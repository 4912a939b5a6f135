//! Hybrid logical clock (Kulkarni et al. 2014), packed into one sortable `u64`:
//! milliseconds since the Unix epoch in the high 48 bits, a logical counter in the low 16.
//! Ties between nodes are broken by the node id, outside this type.

use serde::{Deserialize, Serialize};

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(transparent)]
pub struct Hlc(pub u64);

const COUNTER_BITS: u32 = 16;
const COUNTER_MAX: u64 = (1 << COUNTER_BITS) - 1;

impl Hlc {
    pub fn new(wall_ms: u64, counter: u64) -> Self {
        Hlc((wall_ms << COUNTER_BITS) | (counter & COUNTER_MAX))
    }
    pub fn wall_ms(self) -> u64 {
        self.0 >> COUNTER_BITS
    }
    pub fn counter(self) -> u64 {
        self.0 & COUNTER_MAX
    }

    /// The clock for a local event, given the last clock value and the wall clock now.
    pub fn tick(self, now_ms: u64) -> Hlc {
        if now_ms > self.wall_ms() {
            Hlc::new(now_ms, 0)
        } else {
            self.bump()
        }
    }

    /// The clock after receiving `remote`: never behind anything this node has seen.
    pub fn observe(self, remote: Hlc, now_ms: u64) -> Hlc {
        let wall = now_ms.max(self.wall_ms()).max(remote.wall_ms());
        if wall == now_ms && wall > self.wall_ms() && wall > remote.wall_ms() {
            Hlc::new(wall, 0)
        } else {
            let counter = if wall == self.wall_ms() && wall == remote.wall_ms() {
                self.counter().max(remote.counter()) + 1
            } else if wall == self.wall_ms() {
                self.counter() + 1
            } else if wall == remote.wall_ms() {
                remote.counter() + 1
            } else {
                0
            };
            Hlc::new(wall, 0).plus(counter)
        }
    }

    fn bump(self) -> Hlc {
        Hlc::new(self.wall_ms(), 0).plus(self.counter() + 1)
    }

    /// Adds to the counter, carrying into the milliseconds on overflow so order is kept.
    fn plus(self, counter: u64) -> Hlc {
        let wall = self.wall_ms() + counter / (COUNTER_MAX + 1);
        Hlc::new(wall, counter % (COUNTER_MAX + 1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn tick_moves_forward_even_when_the_wall_clock_goes_back() {
        let a = Hlc::default().tick(1_000);
        assert_eq!((a.wall_ms(), a.counter()), (1_000, 0));
        let b = a.tick(900);
        assert_eq!((b.wall_ms(), b.counter()), (1_000, 1));
        let c = b.tick(1_001);
        assert_eq!((c.wall_ms(), c.counter()), (1_001, 0));
    }

    #[test]
    fn observe_a_clock_from_the_future() {
        let local = Hlc::new(1_000, 3);
        let remote = Hlc::new(5_000, 7);
        let o = local.observe(remote, 2_000);
        assert_eq!((o.wall_ms(), o.counter()), (5_000, 8));
    }

    #[test]
    fn counter_overflow_carries() {
        let h = Hlc::new(10, COUNTER_MAX);
        let t = h.tick(5);
        assert!(t > h);
        assert_eq!((t.wall_ms(), t.counter()), (11, 0));
    }

    proptest! {
        #[test]
        fn monotonic(start in 0u64..1_000_000, steps in proptest::collection::vec((0u64..2_000_000, any::<bool>(), 0u64..2_000_000, 0u64..100), 1..50)) {
            let mut h = Hlc::new(start, 0);
            for (now, is_remote, rwall, rc) in steps {
                let next = if is_remote { h.observe(Hlc::new(rwall, rc), now) } else { h.tick(now) };
                prop_assert!(next > h);
                if is_remote { prop_assert!(next > Hlc::new(rwall, rc)); }
                h = next;
            }
        }
    }
}
