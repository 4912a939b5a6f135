//! Values against item definitions, as a table: raw input → stored value or the problem.

use ecrf_core::definition::{builtin, ItemDef, ItemType, Text};
use ecrf_core::value::normalize;
use serde_json::{json, Value};

fn item(kind: ItemType) -> ItemDef {
    ItemDef {
        id: "X".into(),
        label: Text {
            en: "X".into(),
            zh: "X".into(),
        },
        kind,
        group: "MAIN".into(),
        unit: None,
        range: None,
        soft_range: None,
        codelist: None,
        required: false,
        when: None,
        partial: false,
        not_done: false,
        codes: vec![],
        blq: false,
        max_length: None,
        digits: None,
        help: None,
        criterion: None,
    }
}

#[test]
fn table() {
    let def = builtin();
    let ny = def.codelist("NY").unwrap();
    let dec = ItemDef {
        range: Some([0.0, 100.0]),
        digits: Some(1),
        blq: true,
        ..item(ItemType::Decimal)
    };
    let int = ItemDef {
        range: Some([0.0, 10.0]),
        ..item(ItemType::Integer)
    };
    let date = item(ItemType::Date);
    let pdate = ItemDef {
        partial: true,
        ..item(ItemType::Date)
    };
    let special = ItemDef {
        not_done: true,
        codes: vec!["UNK".into()],
        ..item(ItemType::Text)
    };
    let text = item(ItemType::Text);
    let note = item(ItemType::Note);
    let choice = ItemDef {
        codelist: Some("NY".into()),
        ..item(ItemType::Choice)
    };
    let dt = item(ItemType::Datetime);
    let time = item(ItemType::Time);
    let boolean = item(ItemType::Boolean);
    let long = "x".repeat(2001);
    // (item, raw, Ok(stored) or Err(fragment of the message))
    let cases: Vec<(&ItemDef, Value, Result<Value, &str>)> = vec![
        (&dec, json!(38.5), Ok(json!(38.5))),
        (&dec, json!("38.5"), Ok(json!(38.5))),
        (&dec, json!(" 7 "), Ok(json!(7))),
        (&dec, json!("38,5"), Err("expected a number")),
        (&dec, json!("1e3"), Err("expected a number")),
        (&dec, json!("NaN"), Err("expected a number")),
        (&dec, json!("inf"), Err("expected a number")),
        (&dec, json!(38.55), Err("at most 1 decimal places")),
        (&dec, json!(-0.1), Err("below the minimum 0")),
        (&dec, json!(100.1), Err("above the maximum 100")),
        (&dec, json!(100), Ok(json!(100))),
        (&dec, json!(0), Ok(json!(0))),
        (&dec, json!({"blq": 10}), Ok(json!({"blq": 10}))),
        (&dec, json!({"blq": 0}), Err("positive number")),
        (&dec, json!({"blq": "x"}), Err("positive number")),
        (&int, json!(3), Ok(json!(3))),
        (&int, json!(3.0), Ok(json!(3))),
        (&int, json!(3.5), Err("whole number")),
        (&int, json!(11), Err("above the maximum 10")),
        (&int, json!({"blq": 1}), Err("BLQ is not allowed")),
        (&int, json!(true), Err("expected a number")),
        (&date, json!("2024-02-29"), Ok(json!("2024-02-29"))),
        (&date, json!("2023-02-29"), Err("expected a date")),
        (&date, json!("2024-13-01"), Err("expected a date")),
        (&date, json!("2024-03"), Err("complete date")),
        (&date, json!("24-03-01"), Err("expected a date")),
        (
            &date,
            json!("2024-03-01T10:00+08:00"),
            Err("expected a date"),
        ),
        (&pdate, json!("2024-03"), Ok(json!("2024-03"))),
        (&pdate, json!("2024"), Ok(json!("2024"))),
        (
            &dt,
            json!("2024-03-05T14:30+08:00"),
            Ok(json!("2024-03-05T14:30+08:00")),
        ),
        (
            &dt,
            json!("2024-03-05T14:30:15Z"),
            Ok(json!("2024-03-05T14:30:15Z")),
        ),
        (&dt, json!("2024-03-05T14:30"), Err("with offset")),
        (&dt, json!("2024-03-05T25:30+08:00"), Err("with offset")),
        (&time, json!("23:59"), Ok(json!("23:59"))),
        (&time, json!("24:00"), Err("HH:MM")),
        (&boolean, json!(true), Ok(json!(true))),
        (&boolean, json!("yes"), Err("true or false")),
        (&choice, json!("Y"), Ok(json!("Y"))),
        (&choice, json!("y"), Err("not one of the choices")),
        (
            &choice,
            json!("Y'; DROP TABLE events; --"),
            Err("not one of the choices"),
        ),
        (&text, json!("  Li Na  "), Ok(json!("Li Na"))),
        (&text, json!(""), Ok(Value::Null)),
        (&text, Value::Null, Ok(Value::Null)),
        (&text, json!(long), Err("longer than 2000")),
        (&text, json!("a\u{0}b"), Err("control character")),
        (&text, json!("line\nbreak"), Err("control character")),
        (&note, json!("line\nbreak"), Ok(json!("line\nbreak"))),
        (&text, json!(12), Err("expected text")),
        (&text, json!({"not_done": "x"}), Err("not allowed")),
        (
            &special,
            json!({"not_done": "  patient refused "}),
            Ok(json!({"not_done": "patient refused"})),
        ),
        (&special, json!({"not_done": " "}), Err("needs a reason")),
        (&special, json!({"code": "UNK"}), Ok(json!({"code": "UNK"}))),
        (
            &special,
            json!({"code": "ND"}),
            Err("code \"ND\" is not allowed"),
        ),
        (
            &special,
            json!({"not_done": "x", "code": "UNK"}),
            Err("unknown special value"),
        ),
        (&special, json!({"drop": 1}), Err("unknown special value")),
    ];
    for (i, (it, raw, want)) in cases.iter().enumerate() {
        let cl = (it.kind == ItemType::Choice).then_some(ny);
        let got = normalize(it, cl, raw);
        match (want, got) {
            (Ok(w), Ok(g)) => assert_eq!(&g, w, "case {i}: {raw}"),
            (Err(frag), Err(p)) => {
                assert!(
                    p.to_string().contains(frag),
                    "case {i}: {raw}: {p} lacks {frag:?}"
                );
                assert!(!p.zh().is_empty());
            }
            (w, g) => panic!("case {i}: {raw}: want {w:?}, got {g:?}"),
        }
    }
}
