//! Crash durability with the real binary on SQLite: messages are sent over the WebSocket at a
//! steady rate while the server is SIGKILLed at random moments and restarted; unacknowledged
//! sends are retried with the same client id (as the app's outbox does). At the end every
//! acknowledged message is stored exactly once with its body and seq (REST history and resume
//! agree), seqs are gapless, `PRAGMA integrity_check` says ok after every kill, and the search
//! index holds every message (indexed, or waiting to be) once.
//!
//! `SECURITY_CRASH_CYCLES` (default 20) and `SECURITY_CRASH_SECS` (default 60) bound the run;
//! `SECURITY_CRASH_RATE` (default 250) is the offered rate in messages per second, and
//! `SWITCHBOARD_BIN` runs another build of the server (scripts/crash-bench.sh: a release build at
//! 5,000 msg/s). scripts/soak.sh raises the cycles and the time.
//!
//! Disk full: the database lives on a small tmpfs that is filled up mid-run; sends are refused
//! with an error frame, nothing acknowledged is lost, and sends succeed again once space
//! returns. Read-only: the filesystem is remounted read-only while the server is stopped (Linux
//! refuses `remount,ro` while a process holds files open for writing, and root ignores file
//! modes, so it can't be done under a running server).
//!
//! Here the three runs; server.rs starts, kills and checks the real binary (and mounts the
//! filesystems it runs on); sends.rs sends, keeps the ledger of acks and audits the result.

use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

mod backup;
mod sends;
mod server;
mod webhooks;

use sends::*;
use server::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_messages_survive_sigkill_exactly_once() {
    let cycles = env_or("SECURITY_CRASH_CYCLES", 20);
    let budget = Duration::from_secs(env_or("SECURITY_CRASH_SECS", 60));
    let rate = env_or("SECURITY_CRASH_RATE", 250);
    let burst = (rate * TICK.as_millis() as u64).div_ceil(1000).max(1) as usize;
    let tmp = tempfile::tempdir().unwrap();
    let mut server = Server::new(tmp.path(), &tmp.path().join("data/switchboard.db"));
    std::fs::create_dir_all(tmp.path().join("data")).unwrap();
    server.create_user("agent@example.com", "agent");
    server.create_user("ana@example.com", "customer");
    assert!(server.start().await);
    let (agent_token, _) = server.login("agent@example.com").await;
    let (_, ana_id) = server.login("ana@example.com").await;
    let conv: Value = reqwest::Client::new()
        .post(server.url("/api/v1/conversations/direct"))
        .bearer_auth(&agent_token)
        .json(&json!({"user_id": ana_id}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let conversation = conv["id"].as_i64().expect("a conversation");

    let ledger = Arc::new(Mutex::new(Ledger::default()));
    let next = Arc::new(Mutex::new(0u64));
    let started = Instant::now();
    let per_cycle = budget.as_millis() as u64 / cycles.max(1);
    let mut kills = 0;
    let mut integrity_failures = Vec::new();
    for cycle in 0..cycles {
        if cycle > 0 {
            assert!(server.start().await, "restart {cycle} failed");
        }
        let (token, _) = server.login("agent@example.com").await;
        let ws = server.ws(&token).await;
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let todo = pending(&ledger.lock().unwrap());
        let sender = tokio::spawn(run_sender(
            ws,
            conversation,
            ledger.clone(),
            todo,
            next.clone(),
            burst,
            true,
            stop_rx,
        ));
        // A random moment within this cycle's share of the budget (startup takes part of it).
        let window = per_cycle.saturating_sub(700).max(100);
        let wait = 50 + rand::random::<u64>() % window;
        tokio::time::sleep(Duration::from_millis(wait)).await;
        server.kill();
        kills += 1;
        let _ = stop_tx.send(true);
        let _ = tokio::time::timeout(Duration::from_secs(5), sender).await;
        let check = server.integrity().await;
        if check != "ok" {
            integrity_failures.push(format!("after kill {kills}: {check}"));
        }
    }

    // The last start: retry everything unacknowledged until it is.
    assert!(server.start().await);
    let (token, _) = server.login("agent@example.com").await;
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let todo = pending(&ledger.lock().unwrap());
        if todo.is_empty() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{} sends never acknowledged",
            todo.len()
        );
        let ws = server.ws(&token).await;
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let n = todo.len();
        let sender = tokio::spawn(run_sender(
            ws,
            conversation,
            ledger.clone(),
            todo,
            next.clone(),
            burst,
            false,
            stop_rx,
        ));
        let writing = TICK * (n / burst + 1) as u32;
        tokio::time::sleep(writing * 2 + Duration::from_secs(1)).await;
        let _ = stop_tx.send(true);
        let _ = sender.await;
    }

    let history = server.history(&token, conversation).await;
    let (ana_token, _) = server.login("ana@example.com").await;
    let replay = server.resumed(&ana_token, conversation).await;
    let l = std::mem::take(&mut *ledger.lock().unwrap());
    let mut problems = audit(&history, &l, "REST history");
    problems.extend(audit(&replay, &l, "resume"));
    if history != replay {
        problems.push(format!(
            "REST history ({}) and resume ({}) differ",
            history.len(),
            replay.len()
        ));
    }
    problems.extend(l.contradictions.iter().cloned());
    problems.extend(integrity_failures);
    server.kill();
    if let Some(bad) = Some(server.integrity().await).filter(|c| c != "ok") {
        problems.push(format!("final integrity_check: {bad}"));
    }
    if let Err(bad) = server.search_index_check().await {
        problems.push(format!("search index: {bad}"));
    }
    let lost = problems.iter().filter(|p| p.contains("is lost")).count();
    crate::figures(&format!(
        "crash kills={kills} offered_per_sec={rate} sent={} acked={} stored={} lost={lost} problems={} errors={} secs={:.0}",
        l.sent.len(),
        l.acked.len(),
        history.len(),
        problems.len(),
        l.errors.len(),
        started.elapsed().as_secs_f64()
    ));
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert_eq!(
        history.len(),
        l.sent.len(),
        "every send was eventually stored once"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_refuses_sends_loses_nothing_and_recovers() {
    let tmp = tempfile::tempdir().unwrap();
    let mnt = tmp.path().join("mnt");
    if mount_tmpfs(&mnt, "24m").is_none() {
        eprintln!("skipped: mounting a tmpfs is not permitted here (needs root / CAP_SYS_ADMIN)");
        crate::figures("disk-full skipped=mount-not-permitted");
        return;
    }
    let _unmount = Unmount(mnt.clone());
    let log_path = tmp.path().join("server.log");
    let t0 = Instant::now();
    let step = |what: &str| eprintln!("disk-full: {what} at {:.1}s", t0.elapsed().as_secs_f64());
    struct DumpLog(PathBuf);
    impl Drop for DumpLog {
        fn drop(&mut self) {
            if std::thread::panicking() {
                let log = std::fs::read_to_string(&self.0).unwrap_or_default();
                let tail: Vec<&str> = log.lines().rev().take(40).collect();
                eprintln!(
                    "server log (last lines, newest first):\n{}",
                    tail.join("\n")
                );
            }
        }
    }
    let _dump = DumpLog(log_path);
    let mut server = Server::new(tmp.path(), &mnt.join("switchboard.db"));
    server.create_user("agent@example.com", "agent");
    server.create_user("ana@example.com", "customer");
    assert!(server.start().await);
    let (token, _) = server.login("agent@example.com").await;
    let (_, ana_id) = server.login("ana@example.com").await;
    let conv: Value = reqwest::Client::new()
        .post(server.url("/api/v1/conversations/direct"))
        .bearer_auth(&token)
        .json(&json!({"user_id": ana_id}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let conversation = conv["id"].as_i64().unwrap();
    let mut ws = server.ws(&token).await;
    let first: Vec<u64> = (1..=20).collect();
    let acked_before: Vec<i64> = send_each(&mut ws, conversation, &first, false)
        .await
        .into_iter()
        .map(|r| r.expect("room to spare"))
        .collect();

    step("20 acked");
    // Fill the filesystem.
    let filler = mnt.join("filler");
    {
        let mut f = std::fs::File::create(&filler).unwrap();
        let chunk = vec![0u8; 64 * 1024];
        while f.write_all(&chunk).is_ok() {}
        let _ = f.sync_all();
    }
    step("filled");
    let during: Vec<u64> = (100..140).collect();
    let during_copy = during.clone();
    let results = match tokio::spawn(async move {
        let r = send_each(&mut ws, conversation, &during_copy, true).await;
        (r, ws)
    })
    .await
    {
        Ok((r, returned)) => {
            ws = returned;
            r
        }
        Err(e) => {
            let status = server.child.as_mut().map(|c| c.try_wait());
            panic!("the socket broke while the disk was full ({e}); server process: {status:?}");
        }
    };
    let refused: Vec<&String> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    let acked_full = results.iter().filter(|r| r.is_ok()).count();
    assert!(
        !refused.is_empty(),
        "no send was refused on a full disk: {results:?}"
    );
    let health = reqwest::get(server.url("/healthz")).await.unwrap().status();
    assert_eq!(health, 200, "the server stays up on a full disk");

    step("sent while full");
    // Space returns: the refused sends go through on retry, with the same client ids.
    std::fs::remove_file(&filler).unwrap();
    let retry: Vec<u64> = during
        .iter()
        .zip(&results)
        .filter(|(_, r)| r.is_err())
        .map(|(id, _)| *id)
        .collect();
    let after = send_each(&mut ws, conversation, &retry, true).await;
    assert!(
        after.iter().all(Result::is_ok),
        "no recovery after space returned: {after:?}"
    );
    let history = server.history(&token, conversation).await;
    for (id, seq) in first.iter().zip(&acked_before) {
        assert!(
            history.iter().any(|m| m.0 == *seq && m.1 == cid(*id)),
            "message {id} acked before the disk filled is lost"
        );
    }
    let seqs: Vec<i64> = history.iter().map(|m| m.0).collect();
    assert_eq!(
        seqs,
        (1..=history.len() as i64).collect::<Vec<_>>(),
        "gapless"
    );
    assert_eq!(
        history.len(),
        first.len() + during.len(),
        "while full: {results:?}; after: {after:?}; history: {:?}",
        history
            .iter()
            .map(|m| (m.0, m.1.clone()))
            .collect::<Vec<_>>()
    );
    drop(ws);
    server.kill();
    assert_eq!(server.integrity().await, "ok");

    step("recovered");
    crate::figures(&format!(
        "disk-full acked_before={} refused_while_full={} acked_while_full={acked_full} retried_ok={} lost=0",
        acked_before.len(),
        refused.len(),
        after.len()
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_only_database_loses_nothing_and_recovers() {
    let tmp = tempfile::tempdir().unwrap();
    let mnt = tmp.path().join("mnt");
    if mount_tmpfs(&mnt, "16m").is_none() {
        eprintln!("skipped: mounting a tmpfs is not permitted here (needs root / CAP_SYS_ADMIN)");
        crate::figures("read-only skipped=mount-not-permitted");
        return;
    }
    let _unmount = Unmount(mnt.clone());
    let mut server = Server::new(tmp.path(), &mnt.join("switchboard.db"));
    server.create_user("agent@example.com", "agent");
    server.create_user("ana@example.com", "customer");
    assert!(server.start().await);
    let (token, _) = server.login("agent@example.com").await;
    let (_, ana_id) = server.login("ana@example.com").await;
    let conv: Value = reqwest::Client::new()
        .post(server.url("/api/v1/conversations/direct"))
        .bearer_auth(&token)
        .json(&json!({"user_id": ana_id}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let conversation = conv["id"].as_i64().unwrap();
    let mut ws = server.ws(&token).await;
    let first: Vec<u64> = (1..=10).collect();
    for r in send_each(&mut ws, conversation, &first, false).await {
        r.expect("acked");
    }
    drop(ws);
    let history = server.history(&token, conversation).await;
    server.kill();
    assert_eq!(server.integrity().await, "ok");
    // Read-only: the server starts (or refuses to) without losing anything.
    let mut ro = "remount refused".to_string();
    if remount(&mnt, "ro") {
        let started = server.start().await;
        ro = if started {
            let (token, _) = server.login("agent@example.com").await;
            let mut ws = server.ws(&token).await;
            let r = send_each(&mut ws, conversation, &[500], false).await;
            assert!(
                r[0].is_err(),
                "a send was acked on a read-only database: {r:?}"
            );
            let kept = server.history(&token, conversation).await.len();
            assert_eq!(
                kept,
                history.len(),
                "history readable and intact while read-only"
            );
            server.kill();
            format!("served reads, refused the send with {:?}", r[0])
        } else {
            let log = std::fs::read_to_string(tmp.path().join("server.log")).unwrap_or_default();
            format!(
                "refused to start: {}",
                log.lines().last().unwrap_or_default()
            )
        };
        assert!(remount(&mnt, "rw"));
        assert!(server.start().await, "recovers once writable again");
        let (token, _) = server.login("agent@example.com").await;
        let mut ws = server.ws(&token).await;
        let r = send_each(&mut ws, conversation, &[500], false).await;
        assert!(r[0].is_ok(), "{r:?}");
        assert_eq!(
            server.history(&token, conversation).await.len(),
            history.len() + 1
        );
        server.kill();
        assert_eq!(server.integrity().await, "ok");
    }
    crate::figures(&format!(
        "read-only acked_before=10 lost=0 outcome=\"{ro}\""
    ));
}
