use super::*;
use proptest::prelude::*;

fn text(s: &str) -> Part {
    Part::Text(s.to_owned())
}

fn placeholder(s: &str) -> Part {
    Part::Placeholder(s.to_owned())
}

fn filter(key: Vec<Part>, operator: Operator, quoted: bool, value: Vec<Part>) -> Expr {
    Expr::Term(Term::Filter(Filter {
        negated: false,
        key: Key { parts: key },
        operator,
        value: FilterValue::Single(Value {
            quoted,
            parts: value,
        }),
    }))
}

fn simple(key: &str, value: &str) -> Expr {
    filter(vec![text(key)], Operator::Equals, false, vec![text(value)])
}

/// `(name, key, in_key)` of a `PlaceholderUse`.
type Use = (&'static str, &'static str, bool);

/// Every query of the bundled runbook (already canonical) and its placeholders.
const RUNBOOK_QUERIES: &[(&str, &[Use])] = &[
    (r#"trace_id:"<trace_id>""#, &[("trace_id", "trace_id", false)]),
    (
        r#"http.route:"<route>" OR gen_ai.tool.name:"<tool_name>" OR app.oauth.grant_revoked.reason:"<reason>""#,
        &[
            ("route", "http.route", false),
            ("tool_name", "gen_ai.tool.name", false),
            ("reason", "app.oauth.grant_revoked.reason", false),
        ],
    ),
    (r#"metric:app.server.response http.route:"<route>""#, &[("route", "http.route", false)]),
    (r#"metric:app.server.response http.route:"/mcp/:organizationSlug?/:projectSlug?""#, &[]),
    ("metric:app.server.response app.response.reason:local_rate_limit", &[]),
    ("metric:app.oauth.token_exchange", &[]),
    (r#"metric:app.oauth.grant_revoked user.id:"<user_id>""#, &[("user_id", "user.id", false)]),
    ("metric:app.oauth.register OR metric:app.oauth.callback_completed", &[]),
    ("metric:app.consent.skill_granted", &[]),
    (
        "(mcp.tool.name:search_tools OR mcp.tool.name:search_sentry_tools) gen_ai.tool.call.result.count:0",
        &[],
    ),
    (
        r#"gen_ai.tool.name:"<tool_name>" app.consent.skill.<skill>.granted:true"#,
        &[
            ("tool_name", "gen_ai.tool.name", false),
            ("skill", "app.consent.skill.<skill>.granted", true),
        ],
    ),
    (r#"app.resource.type:"<resource_type>""#, &[("resource_type", "app.resource.type", false)]),
    ("has:gen_ai.provider.name OR has:gen_ai.request.model", &[]),
    (r#"app.transport:stdio app.upstream.host:"<host>""#, &[("host", "app.upstream.host", false)]),
];

#[test]
fn every_runbook_query_parses_and_prints_back() {
    for (input, expected_placeholders) in RUNBOOK_QUERIES {
        let query = parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
        assert_eq!(query.to_string(), *input, "{input}");
        assert_eq!(parse(&query.to_string()), Ok(query.clone()), "{input}");
        let uses: Vec<(String, String, bool)> = query
            .placeholders()
            .into_iter()
            .map(|u| (u.name, u.key, u.in_key))
            .collect();
        let expected: Vec<(String, String, bool)> = expected_placeholders
            .iter()
            .map(|(n, k, i)| (n.to_string(), k.to_string(), *i))
            .collect();
        assert_eq!(uses, expected, "{input}");
    }
}

#[test]
fn every_recipe_query_in_the_bundled_markdown_is_covered() {
    let markdown = crate::core::runbook::BUNDLED_MARKDOWN;
    let in_markdown: Vec<&str> = markdown
        .lines()
        .filter_map(|line| {
            line.split_once(" query='")
                .map(|(_, rest)| rest.trim_end_matches('\''))
        })
        .collect();
    let covered: Vec<&str> = RUNBOOK_QUERIES.iter().map(|(q, _)| *q).collect();
    assert_eq!(in_markdown, covered);
}

#[test]
fn structure_of_the_grammar() {
    let cases: Vec<(&str, Expr)> = vec![
        (
            "a:1 b:2 OR c:3",
            Expr::Or(vec![
                Expr::And(vec![simple("a", "1"), simple("b", "2")]),
                simple("c", "3"),
            ]),
        ),
        (
            "a:1 AND b:2",
            Expr::And(vec![simple("a", "1"), simple("b", "2")]),
        ),
        (
            "(a:1 OR b:2) c:3",
            Expr::And(vec![
                Expr::Group(Box::new(Expr::Or(vec![simple("a", "1"), simple("b", "2")]))),
                simple("c", "3"),
            ]),
        ),
        (
            "span.duration:>=1000",
            filter(
                vec![text("span.duration")],
                Operator::GreaterOrEqual,
                false,
                vec![text("1000")],
            ),
        ),
        (
            "span.duration:<5",
            filter(
                vec![text("span.duration")],
                Operator::Less,
                false,
                vec![text("5")],
            ),
        ),
        (
            "a:<=5",
            filter(
                vec![text("a")],
                Operator::LessOrEqual,
                false,
                vec![text("5")],
            ),
        ),
        (
            "a:>5",
            filter(vec![text("a")], Operator::Greater, false, vec![text("5")]),
        ),
        (
            "trace:<trace_id>",
            filter(
                vec![text("trace")],
                Operator::Equals,
                false,
                vec![placeholder("trace_id")],
            ),
        ),
        (
            "a:<<x>",
            filter(
                vec![text("a")],
                Operator::Less,
                false,
                vec![placeholder("x")],
            ),
        ),
        (
            "tags[gen_ai.tool.call.result.count,number]:0",
            simple("tags[gen_ai.tool.call.result.count,number]", "0"),
        ),
        (
            r#"message:"say \"hi\" *x*""#,
            filter(
                vec![text("message")],
                Operator::Equals,
                true,
                vec![text(r#"say "hi" *x*"#)],
            ),
        ),
        (
            r#"a:"back\slash""#,
            filter(
                vec![text("a")],
                Operator::Equals,
                true,
                vec![text(r"back\slash")],
            ),
        ),
        (
            "!has:user.id",
            Expr::Term(Term::Has {
                negated: true,
                key: Key {
                    parts: vec![text("user.id")],
                },
            }),
        ),
        (
            r#"!a:"x""#,
            Expr::Term(Term::Filter(Filter {
                negated: true,
                key: Key {
                    parts: vec![text("a")],
                },
                operator: Operator::Equals,
                value: FilterValue::Single(Value {
                    quoted: true,
                    parts: vec![text("x")],
                }),
            })),
        ),
        (
            r#"mcp.tool.name:[search_tools, "a b",<x>]"#,
            Expr::Term(Term::Filter(Filter {
                negated: false,
                key: Key {
                    parts: vec![text("mcp.tool.name")],
                },
                operator: Operator::Equals,
                value: FilterValue::List(vec![
                    Value {
                        quoted: false,
                        parts: vec![text("search_tools")],
                    },
                    Value {
                        quoted: true,
                        parts: vec![text("a b")],
                    },
                    Value {
                        quoted: false,
                        parts: vec![placeholder("x")],
                    },
                ]),
            })),
        ),
        (
            r#"timeout "connection reset""#,
            Expr::And(vec![
                Expr::Term(Term::FreeText(Value {
                    quoted: false,
                    parts: vec![text("timeout")],
                })),
                Expr::Term(Term::FreeText(Value {
                    quoted: true,
                    parts: vec![text("connection reset")],
                })),
            ]),
        ),
        (
            "ORDER ANDROID",
            Expr::And(vec![
                Expr::Term(Term::FreeText(Value {
                    quoted: false,
                    parts: vec![text("ORDER")],
                })),
                Expr::Term(Term::FreeText(Value {
                    quoted: false,
                    parts: vec![text("ANDROID")],
                })),
            ]),
        ),
        ("a:x<y", simple("a", "x<y")),
    ];
    for (input, expected) in cases {
        let query = parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
        assert_eq!(query.root.as_ref(), Some(&expected), "{input}");
        assert_eq!(parse(&query.to_string()), Ok(query), "{input}");
    }
    assert_eq!(parse("   "), Ok(Query::default()));
    assert_eq!(
        parse("a:1 AND b:2").map(|q| q.to_string()),
        Ok("a:1 b:2".to_owned())
    );
}

#[test]
fn malformed_inputs_report_offsets() {
    let cases: &[(&str, usize, &str)] = &[
        (r#"trace_id:"abc"#, 9, "unterminated quote"),
        (r#"a:"x"y"#, 5, "unexpected text after closing quote"),
        ("a:", 2, "missing value"),
        ("a:1 OR", 4, "OR needs a condition on both sides"),
        ("OR a:1", 0, "operator needs a condition on both sides"),
        ("a:1 AND", 4, "AND needs a condition on both sides"),
        ("a:1 AND OR b:2", 4, "AND needs a condition on both sides"),
        ("a:1 AND AND b:2", 4, "AND needs a condition on both sides"),
        ("(a:1)AND AND", 5, "AND needs a condition on both sides"),
        ("(a:1", 0, "unclosed parenthesis"),
        ("a:1)", 3, "unmatched closing parenthesis"),
        ("()", 0, "empty parentheses"),
        ("a:[x,y", 2, "unclosed list"),
        ("a:[x]y", 5, "unexpected text after list"),
        ("!(a:1)", 0, "expected a filter after !"),
        ("!foo", 0, "expected a filter after !"),
        ("has:", 4, "has: needs an attribute key"),
        ("has:a/b", 5, "has: needs an attribute key"),
        (
            r#"a:x"y"#,
            3,
            "unexpected quote inside a value; quote the whole value",
        ),
        (r#"ok:1 message:"é "#, 13, "unterminated quote"),
    ];
    let deep = format!("{}a:1{}", "(".repeat(100_000), ")".repeat(100_000));
    let error = parse(&deep).expect_err("too deep");
    assert_eq!(
        (error.offset, error.message.as_str()),
        (MAX_NESTING, "parentheses nested too deeply")
    );
    let ok = format!("{}a:1{}", "(".repeat(MAX_NESTING), ")".repeat(MAX_NESTING));
    assert!(parse(&ok).is_ok());
    for (input, offset, message) in cases {
        let error = parse(input).expect_err(input);
        assert_eq!(
            (error.offset, error.message.as_str()),
            (*offset, *message),
            "{input}"
        );
    }
}

#[test]
fn fill_substitutes_quoted_values_and_checked_key_segments() {
    let query =
        parse(r#"gen_ai.tool.name:"<tool_name>" app.consent.skill.<skill>.granted:true trace:<t>"#)
            .expect("parses");
    let values = |name: &str| match name {
        "tool_name" => Some(r#"say "hi" *"#.to_owned()),
        "skill" => Some("project_management".to_owned()),
        "t" => Some("abc".to_owned()),
        _ => None,
    };
    let filled = query.fill(&values).expect("fills");
    assert_eq!(
        filled.to_string(),
        r#"gen_ai.tool.name:"say \"hi\" \*" app.consent.skill.project_management.granted:true trace:"abc""#
    );
    assert!(filled.placeholders().is_empty());

    let free_text = parse(r#""<words>" a:1"#).expect("parses");
    assert_eq!(
        free_text.placeholders(),
        [PlaceholderUse {
            name: "words".into(),
            key: String::new(),
            in_key: false
        }]
    );
    assert_eq!(
        free_text.fill(&|_| None),
        Err(FillError::Missing(vec!["words".to_owned()]))
    );
    assert_eq!(
        query.fill(&|name| (name == "skill").then(|| "x".to_owned())),
        Err(FillError::Missing(vec![
            "tool_name".to_owned(),
            "t".to_owned()
        ]))
    );
    let bad_key = query.fill(&|name| {
        Some(if name == "skill" {
            "a b".into()
        } else {
            "ok".into()
        })
    });
    assert!(
        matches!(bad_key, Err(FillError::Invalid { placeholder, .. }) if placeholder == "skill")
    );
    let bad_value = query.fill(&|name| {
        Some(if name == "t" {
            "a\nb".into()
        } else {
            "ok".into()
        })
    });
    assert!(matches!(bad_value, Err(FillError::Invalid { placeholder, .. }) if placeholder == "t"));
}

#[test]
fn quote_value_escapes_or_refuses() {
    let accepted: &[(&str, &str)] = &[
        ("plain", r#""plain""#),
        ("", r#""""#),
        (r#"x" OR is:unresolved"#, r#""x\" OR is:unresolved""#),
        ("x) OR (project:1", r#""x) OR (project:1""#),
        ("*Timeout", r#""\*Timeout""#),
        (r"C:\path\x", r#""C:\path\x""#),
        (
            "/mcp/:organizationSlug?/:projectSlug?",
            r#""/mcp/:organizationSlug?/:projectSlug?""#,
        ),
        ("ünïcødé ✓", r#""ünïcødé ✓""#),
    ];
    for (raw, quoted) in accepted {
        assert_eq!(quote_value(raw).as_deref(), Ok(*quoted), "{raw}");
    }
    let long = "x".repeat(257);
    let refused = [
        "ends\\",
        "ends\\\\",
        "a\nb",
        "a\rb",
        "a\tb",
        "nul\0",
        "\u{202E}evil",
        "\u{2066}",
        "\u{85}",
        "a\\*b",
        &long,
    ];
    for raw in refused {
        assert!(quote_value(raw).is_err(), "{raw:?}");
    }
    assert!(
        quote_value(&"é".repeat(256)).is_ok(),
        "the limit counts characters, not bytes"
    );
}

#[test]
fn rewriting_helpers() {
    let query = parse("metric:a x:1 OR metric:b (y:2 OR z:3)").expect("parses");
    let clauses: Vec<String> = query.or_clauses().iter().map(Query::to_string).collect();
    assert_eq!(clauses, ["metric:a x:1", "metric:b (y:2 OR z:3)"]);

    let is_metric =
        |term: &Term| matches!(term, Term::Filter(f) if f.key.as_literal() == Some("metric"));
    let (rest, taken) = query.or_clauses()[0].take_top_level(&is_metric);
    assert_eq!(rest.to_string(), "x:1");
    assert_eq!(taken.len(), 1);
    let (nothing_left, _) = parse("metric:a")
        .expect("parses")
        .take_top_level(&is_metric);
    assert_eq!(nothing_left, Query::default());

    let grouped = parse("(a:1 OR b:2) c:3").expect("parses");
    assert_eq!(
        grouped.or_clauses().len(),
        1,
        "an OR under AND is not a top-level clause"
    );
    assert_eq!(parse("(a:1 OR b:2)").expect("parses").or_clauses().len(), 2);

    let renamed = query.map_keys(&|key| match key.as_literal() {
        Some("x") => Key::literal("tags[x,number]"),
        _ => key.clone(),
    });
    assert_eq!(
        renamed.to_string(),
        "metric:a tags[x,number]:1 OR metric:b (y:2 OR z:3)"
    );
}

// ---------------------------------------------------------------------------------------------
// Property tests

fn key_strategy() -> impl Strategy<Value = Key> {
    let segment = "[a-z_][a-z0-9_]{0,5}";
    (
        prop::collection::vec(segment, 1..4),
        prop::option::of("[a-z_]{1,6}"),
        0..3u8,
    )
        .prop_map(|(segments, placeholder_name, typed)| {
            let mut parts = vec![Part::Text(segments.join("."))];
            if let Some(name) = placeholder_name {
                parts.push(Part::Text(".".into()));
                parts.push(Part::Placeholder(name));
            }
            if typed > 0 {
                parts.insert(0, Part::Text("tags[".into()));
                parts.push(Part::Text(
                    if typed == 1 { ",number]" } else { ",boolean]" }.into(),
                ));
            }
            let key = Key {
                parts: normalize_parts(parts),
            };
            // `has` is a keyword.
            if key.as_literal() == Some("has") {
                Key::literal("hasx")
            } else {
                key
            }
        })
}

fn value_strategy() -> impl Strategy<Value = Value> {
    let unquoted = "[a-z0-9_.*/-][a-z0-9_.*:/-]{0,8}".prop_map(|s| (false, s));
    // Any text that a quoted value can hold: no trailing backslash, no `<` (placeholders are separate).
    let quoted = "[^<\\\\]{0,8}(\\\\[^<\\\\])?[^<\\\\]{0,4}".prop_map(|s| (true, s));
    (
        prop_oneof![unquoted, quoted],
        prop::option::of("[a-z_]{1,6}"),
    )
        .prop_map(|((quoted, text), name)| {
            let mut parts = vec![Part::Text(text)];
            if let Some(name) = name {
                parts.push(Part::Placeholder(name));
            }
            Value {
                quoted,
                parts: normalize_parts(parts),
            }
        })
        .prop_filter("an unquoted value must not be empty", |v| {
            v.quoted || !v.parts.is_empty()
        })
}

fn term_strategy() -> impl Strategy<Value = Term> {
    let operator = prop_oneof![
        Just(Operator::Equals),
        Just(Operator::Greater),
        Just(Operator::Less),
        Just(Operator::GreaterOrEqual),
        Just(Operator::LessOrEqual),
    ];
    let single = value_strategy().prop_map(FilterValue::Single);
    let list = prop::collection::vec(value_strategy(), 1..4).prop_map(FilterValue::List);
    let filter = (
        any::<bool>(),
        key_strategy(),
        operator,
        prop_oneof![single, list],
    )
        .prop_map(|(negated, key, operator, value)| {
            let operator = if matches!(value, FilterValue::List(_)) {
                Operator::Equals
            } else {
                operator
            };
            Term::Filter(Filter {
                negated,
                key,
                operator,
                value,
            })
        });
    let has = (any::<bool>(), key_strategy()).prop_map(|(negated, key)| Term::Has { negated, key });
    let free_text = prop_oneof![
        "[a-z0-9_.*-]{1,8}".prop_map(|s| Value {
            quoted: false,
            parts: vec![Part::Text(s)]
        }),
        "[a-z \"]{0,8}".prop_map(|s| Value {
            quoted: true,
            parts: normalize_parts(vec![Part::Text(s)])
        }),
    ]
    .prop_map(Term::FreeText);
    prop_oneof![3 => filter, 1 => has, 1 => free_text]
}

/// Trees that keep the `Expr` invariant (the shapes the parser produces).
fn expr_strategy() -> impl Strategy<Value = Expr> {
    let leaf = term_strategy().prop_map(Expr::Term);
    leaf.prop_recursive(3, 16, 4, |inner| {
        let operand = inner.clone().prop_map(|e| match e {
            Expr::Term(_) | Expr::Group(_) => e,
            other => Expr::Group(Box::new(other)),
        });
        let clause = prop_oneof![
            operand.clone(),
            prop::collection::vec(operand.clone(), 2..4).prop_map(Expr::And),
        ];
        prop_oneof![
            prop::collection::vec(operand, 2..4).prop_map(Expr::And),
            prop::collection::vec(clause, 2..4).prop_map(Expr::Or),
            inner.prop_map(|e| Expr::Group(Box::new(e))),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(5_000))]

    #[test]
    fn display_then_parse_round_trips(root in expr_strategy()) {
        let query = Query { root: Some(root) };
        let text = query.to_string();
        prop_assert_eq!(parse(&text), Ok(query), "{}", text);
    }

    #[test]
    fn parse_never_panics_and_display_is_a_fixed_point(text in prop_oneof![
        "[a-zé:\"()<>!\\[\\], \\\\]{0,24}",
        "(OR|AND| |a:1|\\(|\\)|\"|é){0,8}",
        any::<String>(),
    ]) {
        if let Ok(query) = parse(&text) {
            prop_assert_eq!(parse(&query.to_string()), Ok(query));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(100_000))]

    #[test]
    fn quote_value_is_refused_or_reads_back_as_one_filter(raw in any::<String>()) {
        if let Ok(quoted) = quote_value(&raw) {
            let query = parse(&format!("k:{quoted} OR z:1")).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let Some(Expr::Or(clauses)) = &query.root else {
                return Err(TestCaseError::fail(format!("not an OR: {query:?}")));
            };
            prop_assert_eq!(clauses.len(), 2);
            let Expr::Term(Term::Filter(filter)) = &clauses[0] else {
                return Err(TestCaseError::fail(format!("not one filter: {query:?}")));
            };
            prop_assert_eq!(filter.key.as_literal(), Some("k"));
            let FilterValue::Single(value) = &filter.value else {
                return Err(TestCaseError::fail("a list"));
            };
            prop_assert_eq!(value.unescaped(), raw);
        }
    }
}

#[test]
fn without_unknown_keeps_the_structure_of_what_remains() {
    let known = |name: &str| name != "x";
    let table: [(&str, &str, &[&str]); 9] = [
        (r#"a:"<x>" OR b:"<y>""#, r#"b:"<y>""#, &["a"]),
        (
            r#"(a:"<x>" OR b:"<y>") c:"<z>""#,
            r#"(b:"<y>") c:"<z>""#,
            &["a"],
        ),
        (r#"(a:"<x>" OR b:"<x>") c:"<y>""#, r#"c:"<y>""#, &["a", "b"]),
        (
            r#"((a:"<x>" d:1) OR e:"<y>") f:2"#,
            r#"((d:1) OR e:"<y>") f:2"#,
            &["a"],
        ),
        (r#"!a:"<x>" b:1 has:k.<y>"#, r#"b:1 has:k.<y>"#, &["a"]),
        (
            r#"app.consent.skill.<x>.granted:true t:"<y>""#,
            r#"t:"<y>""#,
            &["app.consent.skill.<x>.granted"],
        ),
        (r#"metric:m OR metric:n"#, r#"metric:m OR metric:n"#, &[]),
        (r#"a:"<x>""#, "", &["a"]),
        (r#"a:["<x>",b]"#, "", &["a"]),
    ];
    for (query, expected, dropped) in table {
        let pruned = parse(query).expect(query).without_unknown(&known);
        assert_eq!(pruned.query.to_string(), expected, "{query}");
        assert_eq!(pruned.dropped, dropped, "{query}");
        // What remains reads back as the same query.
        assert_eq!(parse(expected).expect(expected), pruned.query, "{query}");
    }
}
