//! Password guessing: the limiter answers 429 before any hash is computed, keys on the account
//! *and* the address (the owner signs in from elsewhere), can't be dodged by spelling the email
//! differently, and an unknown account looks exactly like a wrong password.

use std::net::IpAddr;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use switchboard_test_support::{Backend, TestApp, spawn_app_with};

fn client_from(ip: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(ip.parse::<IpAddr>().ok())
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

async fn login(
    app: &TestApp,
    client: &reqwest::Client,
    email: &str,
    password: &str,
) -> (u16, Value, Duration) {
    let t = Instant::now();
    let resp = client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .expect("login request");
    let elapsed = t.elapsed();
    let (status, body) = switchboard_test_support::into_parts(resp).await;
    (status, body, elapsed)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guessing_hits_429_before_hashing_and_the_owner_still_gets_in() {
    let app = spawn_app_with(Backend::Sqlite, |s| {
        s.auth_rate_limit = "on".into();
        s.auth_rate_per_minute_ip = 1000;
        s.auth_rate_per_minute_account = 5;
    })
    .await
    .unwrap();
    app.register("Ana").await;
    let attacker = client_from("127.0.0.1");
    let owner = client_from("127.0.0.2");

    // The attacker's allowance: each of these computes a hash.
    let mut hashed = Vec::new();
    for _ in 0..4 {
        let (s, _, t) = login(&app, &attacker, "ana@example.com", "wrong guess").await;
        assert_eq!(s, 401);
        hashed.push(t);
    }
    hashed.sort();
    let hash_time = hashed[hashed.len() / 2];

    // Then, 40 guesses at once, in every spelling of the address: all 429, and far quicker than
    // 40 hashes (two at a time) could be.
    let spellings = [
        "ana@example.com",
        "ANA@example.com",
        " ana@example.com ",
        "Ana@Example.Com",
    ];
    let started = Instant::now();
    let mut guesses = Vec::new();
    for i in 0..40 {
        let (app_url, client) = (app.url("/api/v1/auth/login"), attacker.clone());
        let email = spellings[i % spellings.len()].to_string();
        guesses.push(tokio::spawn(async move {
            let resp = client
                .post(app_url)
                .json(&json!({"email": email, "password": "another guess"}))
                .send()
                .await
                .unwrap();
            let retry = resp.headers().get("retry-after").is_some();
            (resp.status().as_u16(), retry, email)
        }));
    }
    let mut limited = 0;
    for g in guesses {
        let (status, retry, email) = g.await.unwrap();
        assert_eq!(status, 429, "{email:?} was not limited");
        assert!(retry, "429 carries Retry-After");
        limited += 1;
    }
    let batch = started.elapsed();
    assert!(
        batch < hash_time * 5,
        "40 limited guesses took {batch:?}; one hash takes {hash_time:?}: were they hashed?"
    );

    // The owner, from another address, is not locked out; the right password still works.
    let (s, body, _) = login(&app, &owner, "ana@example.com", "correct horse battery").await;
    assert_eq!(s, 200, "the owner is locked out: {body}");
    // And the attacker is still refused even with the right password (no oracle either).
    let (s, _, _) = login(&app, &attacker, "ana@example.com", "correct horse battery").await;
    assert_eq!(s, 429);
    crate::figures(&format!(
        "bruteforce guesses=44 hashed=4 limited={limited} batch_ms={} one_hash_ms={} owner_elsewhere=200",
        batch.as_millis(),
        hash_time.as_millis()
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spraying_many_accounts_from_one_address_is_limited_per_address() {
    let app = spawn_app_with(Backend::Sqlite, |s| {
        s.auth_rate_limit = "on".into();
        s.auth_rate_per_minute_ip = 8;
        s.auth_rate_per_minute_account = 100;
    })
    .await
    .unwrap();
    let sprayer = client_from("127.0.0.1");
    let mut statuses = Vec::new();
    for i in 0..12 {
        let (s, _, _) = login(&app, &sprayer, &format!("user{i}@example.com"), "password1").await;
        statuses.push(s);
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 401).count(),
        8,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 429).count(),
        4,
        "{statuses:?}"
    );
    // Registration shares the address budget.
    let (s, _) = switchboard_test_support::into_parts(
        sprayer
            .post(app.url("/api/v1/auth/register"))
            .json(&json!({"email": "new@example.com", "display_name": "New", "password": "long enough"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 429);
    // Another address is unaffected.
    let elsewhere = client_from("127.0.0.3");
    let (s, _, _) = login(&app, &elsewhere, "user1@example.com", "password1").await;
    assert_eq!(s, 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_accounts_and_wrong_passwords_look_the_same() {
    let app = spawn_app_with(Backend::Sqlite, |_| {}).await.unwrap();
    app.register("Ana").await;
    let client = client_from("127.0.0.1");
    let mut known = Vec::new();
    let mut unknown = Vec::new();
    let mut bodies = Vec::new();
    for i in 0..7 {
        let (s1, b1, t1) = login(&app, &client, "ana@example.com", "wrong password").await;
        let (s2, b2, t2) = login(
            &app,
            &client,
            &format!("nobody{i}@example.com"),
            "wrong password",
        )
        .await;
        assert_eq!((s1, s2), (401, 401));
        bodies.push((b1, b2));
        known.push(t1);
        unknown.push(t2);
    }
    for (b1, b2) in &bodies {
        assert_eq!(b1, b2);
    }
    known.sort();
    unknown.sort();
    let (k, u) = (known[3].as_secs_f64(), unknown[3].as_secs_f64());
    crate::figures(&format!(
        "enumeration login_median_known_ms={:.0} login_median_unknown_ms={:.0}",
        k * 1000.0,
        u * 1000.0
    ));
    assert!(
        k / u < 3.0 && u / k < 3.0,
        "median login time {k:.3}s for a wrong password vs {u:.3}s for an unknown account"
    );
}
