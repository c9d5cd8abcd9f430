//! Analytics (`GET /api/v1/admin/stats`) against a fixture whose every figure is computed by
//! hand below. The server has no clock to inject: the tickets are opened through the API, then
//! their times, assignee and team are set in the database (as the writer would have stamped
//! them), and the ratings are written there too.

use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::{Value, json};

use switchboard::db::entities::{ticket, ticket_rating};
use switchboard::tickets::domain::Status;
use switchboard_test_support::{Desk, TestApp, db_test};

const H: i64 = 3_600_000;
const MIN: i64 = 60_000;
/// 2026-03-01T00:00:00Z: the fixture's window is 2026-03-01 to 2026-03-03.
const D0: i64 = 1_772_323_200_000;

struct Fixture {
    created: i64,
    /// (first response, its due time); None: unanswered, due at `created + 1h`.
    first: Option<(i64, i64)>,
    /// (closed, resolution due time); None: still open.
    closed: Option<(i64, i64)>,
    /// 'a': Alice in Billing, 'b': Barry in Tech, '-': unassigned and no team.
    who: char,
    /// (score, when).
    rating: Option<(i64, i64)>,
}

const fn t(
    created: i64,
    first: Option<(i64, i64)>,
    closed: Option<(i64, i64)>,
    who: char,
    rating: Option<(i64, i64)>,
) -> Fixture {
    Fixture {
        created,
        first,
        closed,
        who,
        rating,
    }
}

/// The tickets (times from D0, the window's start):
///
/// | # | opened  | first reply (due)  | closed (due)        | who   | rating     |
/// |---|---------|--------------------|---------------------|-------|------------|
/// | 0 | -48h    | none (-47h)        | open                | -     |            |
/// | 1 | +1h     | +1h30 (+2h) met    | +10h (+25h) met     | Alice | 5 at +11h  |
/// | 2 | +2h     | +4h (+3h) missed   | +26h (+10h) missed  | Alice | 3 at +27h  |
/// | 3 | +29h    | +29h10 (+33h) met  | open                | Barry |            |
/// | 4 | +30h    | +31h (+38h) met    | +49h (+102h) met    | Barry | 4 at +50h  |
/// | 5 | +51h    | none (+52h) missed | open                | -     |            |
/// | 6 | -12h    | -11h (-8h)         | +5h (-4h) missed    | Alice | 1 at +80h  |
/// | 7 | +73h    | none               | +74h                | Alice |            |
///
/// Ticket 0 and 6 were opened before the window, 7 after it; 6's rating is after it.
const TICKETS: [Fixture; 8] = [
    t(-48 * H, None, None, '-', None),
    t(
        H,
        Some((H + 30 * MIN, 2 * H)),
        Some((10 * H, 25 * H)),
        'a',
        Some((5, 11 * H)),
    ),
    t(
        2 * H,
        Some((4 * H, 3 * H)),
        Some((26 * H, 10 * H)),
        'a',
        Some((3, 27 * H)),
    ),
    t(29 * H, Some((29 * H + 10 * MIN, 33 * H)), None, 'b', None),
    t(
        30 * H,
        Some((31 * H, 38 * H)),
        Some((49 * H, 102 * H)),
        'b',
        Some((4, 50 * H)),
    ),
    t(51 * H, None, None, '-', None),
    t(
        -12 * H,
        Some((-11 * H, -8 * H)),
        Some((5 * H, -4 * H)),
        'a',
        Some((1, 80 * H)),
    ),
    t(73 * H, None, Some((74 * H, 80 * H)), 'a', None),
];

async fn seed(app: &TestApp, d: &Desk) {
    for (i, f) in TICKETS.iter().enumerate() {
        let opened = app.open_ticket(&d.ana, &format!("T{i}"), "medium").await;
        let (assignee, team) = match f.who {
            'a' => (Some(d.agent_a.id), Some(d.team_a)),
            'b' => (Some(d.agent_b.id), Some(d.team_b)),
            _ => (None, None),
        };
        let (first_at, first_due) = match f.first {
            Some((at, due)) => (Some(D0 + at), D0 + due),
            None => (None, D0 + f.created + H),
        };
        let (closed_at, resolution_due) = match f.closed {
            Some((at, due)) => (Some(D0 + at), D0 + due),
            None => (None, D0 + f.created + 72 * H),
        };
        let status = if closed_at.is_some() {
            Status::Closed
        } else {
            Status::Open
        };
        ticket::Entity::update_many()
            .col_expr(ticket::Column::CreatedAt, Expr::value(D0 + f.created))
            .col_expr(ticket::Column::FirstResponseAt, Expr::value(first_at))
            .col_expr(ticket::Column::FirstResponseDue, Expr::value(first_due))
            .col_expr(ticket::Column::ClosedAt, Expr::value(closed_at))
            .col_expr(ticket::Column::ResolutionDue, Expr::value(resolution_due))
            .col_expr(ticket::Column::Status, Expr::value(status))
            .col_expr(ticket::Column::AssigneeId, Expr::value(assignee))
            .col_expr(ticket::Column::TeamId, Expr::value(team))
            .filter(ticket::Column::Id.eq(opened.id))
            .exec(&app.state.db)
            .await
            .unwrap();
        if let Some((score, at)) = f.rating {
            ticket_rating::ActiveModel {
                ticket_id: Set(opened.id),
                user_id: Set(d.ana.id),
                score: Set(score),
                comment: Set(None),
                created_at: Set(D0 + at),
            }
            .insert(&app.state.db)
            .await
            .unwrap();
        }
    }
}

async fn stats(app: &TestApp, d: &Desk, query: &str) -> Value {
    let (s, body) = app
        .get(
            &format!("/api/v1/admin/stats?{query}"),
            Some(&d.admin.token),
        )
        .await;
    assert_eq!(s, 200, "{query}: {body}");
    body
}

fn close(v: &Value, expected: f64) {
    let got = v.as_f64().unwrap_or(f64::NAN);
    assert!((got - expected).abs() < 1e-9, "{got} != {expected}");
}

/// `[opened, closed, backlog]` of each day.
fn days(report: &Value) -> Vec<[i64; 3]> {
    report["days"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            [
                d["opened"].as_i64().unwrap(),
                d["closed"].as_i64().unwrap(),
                d["backlog"].as_i64().unwrap(),
            ]
        })
        .collect()
}

db_test!(
    stats_match_a_hand_computed_fixture,
    |app: TestApp| async move {
        let d = app.desk().await;
        seed(&app, &d).await;
        let r = stats(&app, &d, "from=2026-03-01&to=2026-03-03").await;
        assert_eq!(
            (r["from"].as_str(), r["to"].as_str()),
            (Some("2026-03-01"), Some("2026-03-03"))
        );
        let dates: Vec<&str> = r["days"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["date"].as_str().unwrap())
            .collect();
        assert_eq!(dates, ["2026-03-01", "2026-03-02", "2026-03-03"]);
        // Opened: Mar 1 #1 #2, Mar 2 #3 #4, Mar 3 #5. Closed: Mar 1 #1 #6, Mar 2 #2, Mar 3 #4.
        // Open at the start: #0 and #6 (closed later) = 2; then 2+2-2 = 2, 2+2-1 = 3, 3+1-1 = 3
        // (#0, #3, #5 open at the end; #7 is not born yet).
        assert_eq!(days(&r), [[2, 2, 2], [2, 1, 3], [1, 1, 3]]);

        let tot = &r["totals"];
        assert_eq!(
            (
                tot["opened"].as_i64(),
                tot["closed"].as_i64(),
                tot["backlog"].as_i64()
            ),
            (Some(5), Some(4), Some(3))
        );
        // First responses of #1..#4: 30m, 2h, 10m, 1h → sorted 10m, 30m, 1h, 2h; n = 4:
        // median at rank ceil(4 * .5) = 2 → 30m; p90 at rank ceil(4 * .9) = 4 → 2h.
        assert_eq!(
            tot["first_response"],
            json!({"count": 4, "median_ms": 30 * MIN, "p90_ms": 2 * H})
        );
        // Resolutions of #1, #2, #4, #6: 10h - 1h = 9h, 26h - 2h = 24h, 49h - 30h = 19h,
        // 5h + 12h = 17h. Sorted 9h, 17h, 19h, 24h: median rank 2 → 17h, p90 rank 4 → 24h.
        assert_eq!(
            tot["resolution"],
            json!({"count": 4, "median_ms": 17 * H, "p90_ms": 24 * H})
        );
        // First response: #1, #3, #4 met; #2 late; #5 unanswered past its due time: 3 of 5.
        assert_eq!(tot["sla"]["first_response"]["met"], 3);
        assert_eq!(tot["sla"]["first_response"]["total"], 5);
        close(&tot["sla"]["first_response"]["rate"], 0.6);
        // Resolution: #1 and #4 met, #2 and #6 missed: 2 of 4.
        assert_eq!(
            (
                tot["sla"]["resolution"]["met"].as_i64(),
                tot["sla"]["resolution"]["total"].as_i64()
            ),
            (Some(2), Some(4))
        );
        close(&tot["sla"]["resolution"]["rate"], 0.5);
        // Ratings in the window: 5, 3, 4 (the 1 for #6 came after it): 3, average 4.
        assert_eq!(tot["csat"]["count"], 3);
        close(&tot["csat"]["average"], 4.0);

        // Per agent, by name: Alice (#1, #2, #6), Barry (#3, #4); unassigned #0 and #5 only
        // count in the totals.
        let agents = r["agents"].as_array().unwrap();
        assert_eq!(agents.len(), 2, "{agents:?}");
        let (alice, barry) = (&agents[0], &agents[1]);
        assert_eq!(alice["agent"]["id"].as_i64(), Some(d.agent_a.id));
        assert_eq!(barry["agent"]["display_name"], "Barry");
        let a = &alice["figures"];
        assert_eq!(
            (
                a["opened"].as_i64(),
                a["closed"].as_i64(),
                a["backlog"].as_i64()
            ),
            (Some(2), Some(3), Some(0))
        );
        // 30m, 2h: n = 2, median rank 1 → 30m, p90 rank ceil(1.8) = 2 → 2h.
        assert_eq!(
            a["first_response"],
            json!({"count": 2, "median_ms": 30 * MIN, "p90_ms": 2 * H})
        );
        // 9h, 17h, 24h: median rank ceil(1.5) = 2 → 17h, p90 rank ceil(2.7) = 3 → 24h.
        assert_eq!(
            a["resolution"],
            json!({"count": 3, "median_ms": 17 * H, "p90_ms": 24 * H})
        );
        close(&a["sla"]["first_response"]["rate"], 0.5);
        close(&a["sla"]["resolution"]["rate"], 1.0 / 3.0);
        assert_eq!(a["csat"]["count"], 2);
        close(&a["csat"]["average"], 4.0);
        let b = &barry["figures"];
        assert_eq!(
            (
                b["opened"].as_i64(),
                b["closed"].as_i64(),
                b["backlog"].as_i64()
            ),
            (Some(2), Some(1), Some(1))
        );
        // 10m, 1h: median 10m, p90 1h; one resolution (19h) is both.
        assert_eq!(
            b["first_response"],
            json!({"count": 2, "median_ms": 10 * MIN, "p90_ms": H})
        );
        assert_eq!(
            b["resolution"],
            json!({"count": 1, "median_ms": 19 * H, "p90_ms": 19 * H})
        );
        close(&b["sla"]["first_response"]["rate"], 1.0);
        assert_eq!(b["csat"], json!({"count": 1, "average": 4.0}));

        // Per team: Billing is Alice's tickets, Tech is Barry's.
        let teams = r["teams"].as_array().unwrap();
        assert_eq!(teams.len(), 2);
        assert_eq!(teams[0]["team"], json!({"id": d.team_a, "name": "Billing"}));
        assert_eq!(teams[0]["figures"], alice["figures"]);
        assert_eq!(teams[1]["figures"], barry["figures"]);

        // Narrowed to Tech: nothing open at the start; Mar 2 +2, Mar 3 -1.
        let tech = stats(
            &app,
            &d,
            &format!("from=2026-03-01&to=2026-03-03&team={}", d.team_b),
        )
        .await;
        assert_eq!(days(&tech), [[0, 0, 0], [2, 0, 2], [0, 1, 1]]);
        assert_eq!(tech["totals"], barry["figures"]);
        assert_eq!(tech["agents"].as_array().unwrap().len(), 1);
        assert_eq!(tech["team_id"].as_i64(), Some(d.team_b));
        // Narrowed to Alice: #6 open at the start; Mar 1 +2 -2, Mar 2 -1.
        let mine = stats(
            &app,
            &d,
            &format!("from=2026-03-01&to=2026-03-03&agent={}", d.agent_a.id),
        )
        .await;
        assert_eq!(days(&mine), [[2, 2, 1], [0, 1, 0], [0, 0, 0]]);
        assert_eq!(mine["totals"], alice["figures"]);

        // One day: Mar 2 only. Opened #3 #4 (10m, 1h: median rank 1 → 10m, p90 rank 2 → 1h),
        // closed #2 (24h, late); open at its start: #0 and #2 (#1 and #6 closed on Mar 1) = 2,
        // then 2+2-1 = 3.
        let day = stats(&app, &d, "from=2026-03-02&to=2026-03-02").await;
        assert_eq!(days(&day), [[2, 1, 3]]);
        assert_eq!(
            day["totals"]["first_response"],
            json!({"count": 2, "median_ms": 10 * MIN, "p90_ms": H})
        );
        assert_eq!(
            day["totals"]["resolution"],
            json!({"count": 1, "median_ms": 24 * H, "p90_ms": 24 * H})
        );
        close(&day["totals"]["sla"]["resolution"]["rate"], 0.0);
        assert_eq!(day["totals"]["csat"], json!({"count": 1, "average": 3.0}));

        // A window with nothing in it: zeros and nulls, not errors.
        let empty = stats(&app, &d, "from=2025-01-01&to=2025-01-02").await;
        assert_eq!(days(&empty), [[0, 0, 0], [0, 0, 0]]);
        assert_eq!(
            empty["totals"]["first_response"],
            json!({"count": 0, "median_ms": null, "p90_ms": null})
        );
        assert_eq!(
            empty["totals"]["csat"],
            json!({"count": 0, "average": null})
        );
        assert_eq!(empty["agents"], json!([]));
    }
);

db_test!(
    stats_refuse_bad_ranges_unknown_filters_and_non_admins,
    |app: TestApp| async move {
        let d = app.desk().await;
        for (query, field) in [
            ("from=2026-03-02&to=2026-03-01", "from"),
            ("from=2016-01-01&to=2026-01-01", "to"),
            ("from=2024-01-01&to=2025-01-01", "to"),
            ("from=March&to=2026-03-01", "from"),
            ("to=2026-02-30", "to"),
        ] {
            let (s, e) = app
                .get(
                    &format!("/api/v1/admin/stats?{query}"),
                    Some(&d.admin.token),
                )
                .await;
            assert_eq!(s, 400, "{query}: {e}");
            assert_eq!(e["error"]["code"], "validation_failed");
            assert!(e["error"]["fields"][field].is_string(), "{query}: {e}");
        }
        let (s, e) = app
            .get("/api/v1/admin/stats?team=abc", Some(&d.admin.token))
            .await;
        assert_eq!(
            (s, e["error"]["code"].as_str()),
            (400, Some("validation_failed"))
        );
        // 366 days is the longest window.
        let r = stats(&app, &d, "from=2024-01-01&to=2024-12-31").await;
        assert_eq!(r["days"].as_array().unwrap().len(), 366);
        // The default: the 30 days ending today.
        let r = stats(&app, &d, "").await;
        assert_eq!(r["days"].as_array().unwrap().len(), 30);
        assert_eq!(
            r["to"].as_str().unwrap(),
            chrono::Utc::now().date_naive().to_string()
        );

        for query in [
            "team=987654".to_string(),
            "agent=987654".to_string(),
            // A customer is no agent.
            format!("agent={}", d.ana.id),
        ] {
            let (s, e) = app
                .get(
                    &format!("/api/v1/admin/stats?{query}"),
                    Some(&d.admin.token),
                )
                .await;
            assert_eq!(
                (s, e["error"]["code"].as_str()),
                (404, Some("not_found")),
                "{query}"
            );
        }
        for who in [&d.agent_a, &d.ana] {
            let (s, e) = app.get("/api/v1/admin/stats", Some(&who.token)).await;
            assert_eq!((s, e["error"]["code"].as_str()), (403, Some("forbidden")));
        }
        let (s, _) = app.get("/api/v1/admin/stats", None).await;
        assert_eq!(s, 401);
    }
);
