//! Populations and best overall response over realistic demo casebooks: the relations that
//! must hold whatever the data (checked against the rules, not against the code's own output).

use ecrf_core::bor::rank;
use ecrf_core::roles::{NodeRole, Role};
use ecrf_services::clock::SystemClock;
use ecrf_services::node::InitRequest;
use ecrf_services::{Config, Ecrf, Kdf};
use std::sync::Arc;

#[test]
fn populations_nest_and_best_response_follows_the_rules() {
    let dir = tempfile::tempdir().unwrap();
    let mut e = Ecrf::init(
        &dir.path().join("s.db"),
        None,
        InitRequest {
            role: NodeRole::Site,
            site: Some("S01"),
            admin: "admin",
            admin_name: "Admin",
            password: "admin-pass-1",
            central_key: None,
        },
        Arc::new(SystemClock),
        Config {
            kdf: Kdf::Fast,
            ..Config::default()
        },
    )
    .unwrap();
    let mut admin = e.login("admin", "admin-pass-1").unwrap();
    e.add_user(&mut admin, "inv", Role::Investigator, "Inv", "password-123")
        .unwrap();
    e.demo(&mut admin, 12, 2026).unwrap();
    let mut inv = e.login("inv", "password-123").unwrap();
    let out = e.outcomes(&mut inv).unwrap();
    assert_eq!(out.len(), 12);
    let infused = out.iter().filter(|o| o.infused).count();
    assert!(infused >= 6, "most demo subjects are infused: {infused}");
    assert!(
        out.iter().any(|o| !o.leukapheresed),
        "the demo has screen failures"
    );
    for o in &out {
        // Infused ⊂ leukapheresed ⊂ enrolled.
        assert!(
            !o.infused || o.leukapheresed,
            "{}: infused without leukapheresis",
            o.subject
        );
        if let Some(best) = &o.best_response {
            assert!(o.infused, "{}: a best response without infusion", o.subject);
            let inf = o.infusion_date.as_deref().unwrap();
            let best_at = o
                .responses
                .iter()
                .filter(|r| &r.code == best && r.date.as_str() >= inf)
                .map(|r| r.date.as_str())
                .min()
                .unwrap_or_else(|| panic!("{}: {best} not among {:?}", o.subject, o.responses));
            // No response after infusion and before it is better, and no progression precedes it
            // unless it is itself the progression.
            for r in o
                .responses
                .iter()
                .filter(|r| r.date.as_str() >= inf && r.date.as_str() < best_at)
            {
                assert!(
                    rank(&r.code) <= rank(best),
                    "{}: {} on {} beats {best}",
                    o.subject,
                    r.code,
                    r.date
                );
                assert!(
                    !matches!(r.code.as_str(), "PD" | "PMD" | "RELAPSE"),
                    "{}: {best} after progression on {}",
                    o.subject,
                    r.date
                );
            }
        }
        // Responses are in date order.
        assert!(o.responses.windows(2).all(|w| w[0].date <= w[1].date));
    }
    assert!(
        out.iter().any(|o| o.best_response.is_some()),
        "the demo has responders"
    );
}
