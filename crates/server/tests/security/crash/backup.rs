//! `switchboard backup` under load and `switchboard restore`: the real binary on SQLite, 500
//! messages a second while the snapshot is taken. A restored server holds every message acked
//! before the backup began (with its seq and body), serves the uploaded file, and numbers the
//! next message right after the snapshot's last.

use std::process::Output;

use super::*;

const RATE: u64 = 500;

fn run(server: &Server, args: &[&str]) -> Output {
    server.command().args(args).output().unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_under_load_restores_every_message_acked_before_it() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join("data")).unwrap();
    let mut server = Server::new(tmp.path(), &tmp.path().join("data/switchboard.db"));
    server.create_user("agent@example.com", "agent");
    server.create_user("ana@example.com", "customer");
    assert!(server.start().await);
    let (token, _) = server.login("agent@example.com").await;
    let conversation = direct_conversation(&server, &token, "ana@example.com").await;
    let picture = b"not really a picture, but bytes to get back".to_vec();
    let file_id = upload(&server, &token, picture.clone()).await;

    let ledger = Arc::new(Mutex::new(Ledger::default()));
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let burst = (RATE * TICK.as_millis() as u64).div_ceil(1000) as usize;
    let sender = tokio::spawn(run_sender(
        server.ws(&token).await,
        conversation,
        ledger.clone(),
        Vec::new(),
        Arc::new(Mutex::new(0)),
        burst,
        true,
        stop_rx,
    ));
    tokio::time::sleep(Duration::from_millis(1500)).await;

    // Everything acked so far must be in the backup; sending goes on while it runs.
    let acked_before = ledger.lock().unwrap().acked.clone();
    let archive = tmp.path().join("backup.zip");
    let out = run(&server, &["backup", "--out", archive.to_str().unwrap()]);
    assert!(out.status.success(), "backup failed: {}", stderr(&out));
    let still_sending = ledger.lock().unwrap().acked.len();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let _ = stop_tx.send(true);
    sender.await.unwrap();
    let acked_total = ledger.lock().unwrap().acked.len();
    assert!(
        acked_before.len() > 100 && acked_total > still_sending,
        "the load ran before and after the backup: {} acked before, {still_sending} when it \
         ended, {acked_total} in all",
        acked_before.len()
    );
    let second = run(&server, &["backup", "--out", archive.to_str().unwrap()]);
    assert!(
        !second.status.success() && stderr(&second).contains("exists"),
        "an existing archive is never overwritten: {}",
        stderr(&second)
    );
    server.kill();

    // A new machine: restore, start, and check.
    let fresh = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(fresh.path().join("data")).unwrap();
    let mut restored = Server::new(fresh.path(), &fresh.path().join("data/switchboard.db"));
    let out = run(&restored, &["restore", "--from", archive.to_str().unwrap()]);
    assert!(out.status.success(), "restore failed: {}", stderr(&out));
    let again = run(&restored, &["restore", "--from", archive.to_str().unwrap()]);
    assert!(
        !again.status.success() && stderr(&again).contains("--force"),
        "an existing database is replaced only with --force: {}",
        stderr(&again)
    );
    assert_eq!(restored.integrity().await, "ok");
    assert!(restored.start().await);
    let (token, _) = restored.login("agent@example.com").await;

    let history = restored.history(&token, conversation).await;
    let before = Ledger {
        acked: acked_before,
        ..Ledger::default()
    };
    let problems = audit(&history, &before, "restored history");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(
        history.len() < acked_total,
        "the snapshot is of a moment during the load, not after it ({} of {acked_total})",
        history.len()
    );
    crate::figures(&format!(
        "backup offered_per_sec={RATE} acked_before={} restored={} acked_in_all={acked_total}",
        before.acked.len(),
        history.len()
    ));

    // The next message takes the seq after the snapshot's last.
    let mut ws = restored.ws(&token).await;
    let next = send_each(&mut ws, conversation, &[9_999_999], false).await;
    assert_eq!(next, vec![Ok(history.len() as i64 + 1)]);

    let bytes = reqwest::Client::new()
        .get(restored.url(&format!("/api/v1/files/{file_id}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(
        bytes.as_ref(),
        picture.as_slice(),
        "the uploaded file came back"
    );
}

async fn direct_conversation(server: &Server, token: &str, with: &str) -> i64 {
    let (_, other) = server.login(with).await;
    let conv: Value = reqwest::Client::new()
        .post(server.url("/api/v1/conversations/direct"))
        .bearer_auth(token)
        .json(&json!({"user_id": other}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    conv["id"].as_i64().expect("a conversation")
}

async fn upload(server: &Server, token: &str, bytes: Vec<u8>) -> i64 {
    let part = reqwest::multipart::Part::bytes(bytes)
        .file_name("notes.txt")
        .mime_str("text/plain")
        .unwrap();
    let r: Value = reqwest::Client::new()
        .post(server.url("/api/v1/files"))
        .bearer_auth(token)
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    r["id"].as_i64().unwrap_or_else(|| panic!("upload: {r}"))
}
