//! The acceptance scenario of sync: ten site databases and one central database exchange
//! bundles in any order, twice, with a corrupt bundle among them and one lost and re-sent;
//! every node ends with the right data, the bad file gets a clear error, nothing is lost.

mod common;

use common::Node;
use ecrf_services::ServiceError;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use serde_json::json;
use std::path::PathBuf;

#[test]
fn ten_sites_in_any_order_twice_with_a_corrupt_and_a_lost_bundle() {
    let dir = tempfile::tempdir().unwrap();
    let mut central = Node::new(dir.path(), "central", None, None);
    let cfp = central.fingerprint();
    let mut sites: Vec<Node> = (1..=10)
        .map(|i| {
            let code = format!("S{i:02}");
            let mut n = Node::new(dir.path(), &code.to_lowercase(), Some(&code), Some(&cfp));
            n.e.demo(&mut n.admin, 1, i).unwrap();
            n.enrol(&format!("{code}-900"));
            n.set(&format!("{code}-900"), "WEIGHT", json!(60.5 + i as f64))
                .unwrap();
            n
        })
        .collect();
    let fingerprints: Vec<String> = sites.iter().map(|s| s.fingerprint()).collect();

    // Every site sends a full bundle. One (S04's) is lost on the way; one copy (S07's) is
    // corrupted on the USB stick.
    let mut bundles: Vec<(usize, PathBuf)> = sites
        .iter_mut()
        .enumerate()
        .map(|(i, s)| (i, s.export(None, true)))
        .collect();
    let lost = bundles.remove(3);
    let corrupt = {
        let mut b = std::fs::read(&bundles[5].1).unwrap();
        let at = b.len() / 3;
        b[at] ^= 0x20;
        let p = dir.path().join("S07-corrupt.ecrfb");
        std::fs::write(&p, b).unwrap();
        p
    };
    let mut rng = rand::rngs::StdRng::seed_from_u64(11);
    let mut deliveries: Vec<(Option<usize>, PathBuf)> =
        bundles.iter().map(|(i, p)| (Some(*i), p.clone())).collect();
    deliveries.push((None, corrupt.clone()));
    let mut imported_once = 0u64;
    for round in 0..2 {
        deliveries.shuffle(&mut rng);
        for (site, p) in &deliveries {
            let before = central.events();
            let accept = site.map(|i| fingerprints[i].clone());
            match central.import(p, accept.as_deref()) {
                Ok(sum) => {
                    assert!(site.is_some(), "the corrupt bundle was imported");
                    if round == 0 {
                        assert!(sum.new > 0);
                        imported_once += sum.new;
                    } else {
                        assert_eq!(sum.new, 0, "the second time changes nothing");
                        assert_eq!(central.events(), before);
                    }
                }
                Err(ServiceError::Refused(msg)) => {
                    assert!(site.is_none(), "a good bundle was refused: {msg}");
                    assert!(
                        msg.contains("signature does not verify") || msg.contains("changed"),
                        "{msg}"
                    );
                    assert_eq!(central.events(), before, "a refused bundle changes nothing");
                }
                Err(e) => panic!("{e}"),
            }
        }
    }
    assert!(imported_once > 0);
    assert_eq!(
        central.e.store().subjects().unwrap().len(),
        18,
        "S04 not yet"
    );

    // S04 hears nothing back and sends again (from what the central node acknowledged:
    // nothing, so everything).
    drop(lost);
    let resent = sites[3].export(None, false);
    let sum = central.import(&resent, Some(&fingerprints[3])).unwrap();
    assert!(sum.new > 0);
    assert_eq!(central.e.store().subjects().unwrap().len(), 20);

    // Return bundles go to every site in reverse order; each site holds exactly its data.
    for s in sites.iter_mut().rev() {
        let id = s.id();
        let r = central.export(Some(&id), false);
        let sum = s.import(&r, None).unwrap();
        assert!(sum.accepted_node, "central key given at set-up");
        let site = s.e.node_summary().unwrap().site.unwrap();
        assert_eq!(s.digest(Some(&site)), central.digest(Some(&site)), "{site}");
        let others =
            s.e.store()
                .subjects()
                .unwrap()
                .into_iter()
                .filter(|x| x.site != site)
                .count();
        assert_eq!(others, 0, "{site} received another site's subjects");
        s.verify_ok();
        // The acknowledgements make the next site bundle hold only what is new.
        s.set(&format!("{site}-900"), "HEIGHT", json!(170.5))
            .unwrap();
        let inc = s.export(None, false);
        let m = ecrf_services::Ecrf::inspect_bundle(&inc).unwrap();
        assert!(
            m.manifest.counts.events < 10,
            "{site}: {}",
            m.manifest.counts.events
        );
        central.import(&inc, None).unwrap();
        assert_eq!(s.digest(Some(&site)), central.digest(Some(&site)), "{site}");
    }
    assert_eq!(central.e.store().pending_count().unwrap(), 0);
    central.verify_ok();
}
