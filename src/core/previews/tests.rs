use super::*;

fn total(value: &str) -> PreviewAsk {
    PreviewAsk {
        path: "/api/0/organizations/acme/events/?x".into(),
        reading: Reading::Total {
            value: value.into(),
        },
    }
}

fn groups(value: &str, columns: &[GroupPart]) -> PreviewAsk {
    PreviewAsk {
        path: "/api/0/organizations/acme/events/?y".into(),
        reading: Reading::Groups {
            value: value.into(),
            columns: columns.to_vec(),
        },
    }
}

#[test]
fn totals_are_read_from_sentrys_rows_and_an_empty_table_is_zero() {
    let ask = total("count(message)");
    let reply =
        r#"{"data":[{"count(message)":37}],"meta":{"fields":{"count(message)":"integer"}}}"#;
    assert_eq!(read(&ask, reply), Ok(Answer::Total(37.0)));
    assert_eq!(
        read(&ask, r#"{"data":[{"count(message)":"42"}]}"#),
        Ok(Answer::Total(42.0))
    );
    assert_eq!(
        read(
            &ask,
            r#"{"data":[],"meta":{"tips":{"query":"Need at least one valid project to query."}}}"#
        ),
        Ok(Answer::Total(0.0))
    );
}

#[test]
fn groups_keep_sentrys_order_and_label_their_values() {
    let ask = groups(
        "sum(value,app.oauth.register,counter,-)",
        &[
            GroupPart::Fixed("app.oauth.register".into()),
            GroupPart::Column("app.client.family".into()),
        ],
    );
    let reply = r#"{"data":[
        {"app.client.family":"cursor","sum(value,app.oauth.register,counter,-)":1840.0},
        {"app.client.family":null,"sum(value,app.oauth.register,counter,-)":23},
        {"app.client.family":"","sum(value,app.oauth.register,counter,-)":"9"}]}"#;
    let Ok(Answer::Groups(groups)) = read(&ask, reply) else {
        panic!("groups");
    };
    let labels: Vec<(&str, f64)> = groups.iter().map(|g| (g.label.as_str(), g.value)).collect();
    assert_eq!(
        labels,
        [
            ("app.oauth.register · cursor", 1840.0),
            ("app.oauth.register · (no value)", 23.0),
            ("app.oauth.register · (empty string)", 9.0)
        ]
    );
}

#[test]
fn malformed_and_hostile_replies_are_problems_never_panics() {
    let ask = total("count()");
    for body in [
        "",
        "not json",
        "[]",
        r#"{"data": {}}"#,
        r#"{"data": [{"count()": "many"}]}"#,
        r#"{"data": [{"count()": {"a": 1}}]}"#,
        r#"{"detail": "x"}"#,
    ] {
        assert!(
            matches!(read(&ask, body), Err(Problem::Unexpected { .. })),
            "{body}"
        );
    }
    let long = "<img src=x onerror=alert(1)>".repeat(50);
    let ask = groups("count()", &[GroupPart::Column("k".into())]);
    let reply = serde_json::json!({"data": (0..50).map(|i| serde_json::json!({"k": long, "count()": i})).collect::<Vec<_>>()}).to_string();
    let Ok(Answer::Groups(groups)) = read(&ask, &reply) else {
        panic!("groups");
    };
    assert_eq!(groups.len(), PREVIEW_GROUPS, "only the top groups are read");
    assert!(groups
        .iter()
        .all(|g| g.label.chars().count() <= MAX_LABEL_CHARS));
}

#[test]
fn a_cards_answers_add_up_and_merge_their_top_groups() {
    let group = |label: &str, value: f64| Group {
        label: label.into(),
        value,
    };
    let preview = combine(&[
        Answer::Total(10.0),
        Answer::Groups(vec![group("a · x", 6.0), group("a · y", 4.0)]),
        Answer::Total(32.0),
        Answer::Groups(
            (0..5)
                .map(|i| group(&format!("b · {i}"), f64::from(i) + 4.5))
                .collect(),
        ),
    ]);
    assert_eq!(preview.count, 42.0);
    let labels: Vec<&str> = preview.groups.iter().map(|g| g.label.as_str()).collect();
    assert_eq!(labels, ["b · 4", "b · 3", "b · 2", "a · x", "b · 1"]);
}

#[test]
fn numbers_read_as_sentry_writes_them() {
    for (n, short) in [
        (0.0, "0"),
        (999.0, "999"),
        (1000.0, "1K"),
        (1011.0, "1K"),
        (1500.0, "1.5K"),
        (10911.0, "10.9K"),
        (11911.0, "11K"),
        (1_213_122.0, "1.2M"),
        (1e7, "10M"),
        (1e12, "1000B"),
        (-1095.0, "-1K"),
        (0.87, "0.87"),
    ] {
        assert_eq!(abbreviated(n), short, "{n}");
    }
    for (n, long) in [
        (3402.0, "3,402"),
        (1_234_567.0, "1,234,567"),
        (0.5, "0.5"),
        (12.345, "12.35"),
        (-1000.0, "-1,000"),
        (100.0, "100"),
    ] {
        assert_eq!(exact(n), long, "{n}");
    }
}

#[test]
fn the_period_and_the_rows_in_words() {
    let day = Period::Relative("24h".into());
    assert_eq!(period_words(&day), "the last 24 hours");
    assert_eq!(
        period_words(&Period::Relative("1h".into())),
        "the last hour"
    );
    assert_eq!(
        period_words(&Period::Relative("2w".into())),
        "the last 2 weeks"
    );
    let preview = Preview {
        count: 37.0,
        groups: Vec::new(),
    };
    let plan = |dataset| PreviewPlan::new(vec![total("count()")], dataset, &day).expect("asks");
    assert_eq!(
        plan(Dataset::Logs).summary(&preview),
        "37 logs in the last 24 hours"
    );
    let none = Preview::default();
    assert_eq!(
        plan(Dataset::Issues).summary(&none),
        "0 errors in the last 24 hours"
    );
    let one = Preview {
        count: 1.0,
        groups: Vec::new(),
    };
    assert_eq!(
        plan(Dataset::Spans).summary(&one),
        "1 span in the last 24 hours"
    );
    assert_eq!(PreviewPlan::new(Vec::new(), Dataset::Logs, &day), None);
}

#[test]
fn the_cache_keeps_an_answer_for_a_minute() {
    let mut cache = PreviewCache::default();
    cache.put("u".into(), Ok(Answer::Total(3.0)), 1_000.0);
    assert_eq!(cache.get("u", 60_999.0), Some(&Ok(Answer::Total(3.0))));
    assert_eq!(cache.get("u", 61_000.0), None);
    cache.forget("u");
    assert_eq!(cache.get("u", 1_001.0), None);
}
