//! A crash mid-ingest: SIGKILL in the middle of a batch must leave a healthy
//! database, intact objects, and a batch that completes when run again.

use std::time::{Duration, Instant};

use crate::{fixture, Env};

#[test]
fn sigkill_mid_batch_leaves_a_consistent_store_and_a_resumable_batch() {
    let env = Env::new();
    // 120 distinct scanned PDFs: the same pages, each with different trailing
    // bytes after %%EOF (a valid PDF, a different hash).
    let src = std::fs::read(fixture("paper/000.00.38.H38-221125-0001_TP2_scan.pdf")).unwrap();
    let batch_dir = env.tmp.path().join("batch");
    std::fs::create_dir_all(&batch_dir).unwrap();
    let batch: Vec<_> = (0..120)
        .map(|i| {
            let p = batch_dir.join(format!("scan_{i:02}.pdf"));
            let mut bytes = src.clone();
            bytes.extend_from_slice(format!("\n% copy {i}\n").as_bytes());
            std::fs::write(&p, bytes).unwrap();
            p
        })
        .collect();

    let mut child = env.command().arg("ingest").args(&batch).spawn().unwrap();
    // Kill once a few files are in, while the rest are still being worked on.
    let start = Instant::now();
    loop {
        std::thread::sleep(Duration::from_millis(20));
        let stored = env.objects().len();
        if stored >= 3 || start.elapsed() > Duration::from_secs(60) {
            break;
        }
    }
    child.kill().unwrap(); // SIGKILL on Unix
    child.wait().unwrap();
    let recorded = env.count("SELECT COUNT(*) FROM files");
    assert!(
        recorded < 120,
        "the kill must land mid-batch (recorded {recorded})"
    );

    // The database is healthy.
    let check: String = env
        .db()
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    // Every recorded file has its `ingest` event: the two commit together.
    assert_eq!(
        env.count(
            "SELECT COUNT(*) FROM files f WHERE NOT EXISTS (SELECT 1 FROM audit_events e
             WHERE e.action = 'ingest' AND json_extract(e.after, '$.sha256') = f.sha256)"
        ),
        0,
        "a file recorded without its ingest event"
    );
    assert_eq!(
        env.count("SELECT COUNT(*) FROM audit_events WHERE action = 'ingest'"),
        recorded
    );
    // Every stored object still matches its hash (untracked objects are allowed).
    let v = env.json(&["verify"]);
    assert_eq!(v["changed"], serde_json::json!([]));
    assert_eq!(v["missing"], serde_json::json!([]));
    for obj in env.objects() {
        let name = obj
            .strip_prefix(env.data().join("store/objects"))
            .unwrap()
            .to_string_lossy()
            .replace('/', "");
        assert_eq!(crate::sha256_of(&obj), name);
    }

    // Running the batch again completes it, with nothing stored twice.
    let r = env
        .command()
        .arg("--json")
        .arg("ingest")
        .args(&batch)
        .output()
        .unwrap();
    assert_eq!(
        r.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&r.stderr)
    );
    assert_eq!(env.count("SELECT COUNT(*) FROM files"), 120);
    assert_eq!(env.count("SELECT COUNT(*) FROM copies"), 120);
    assert_eq!(env.count("SELECT COUNT(*) FROM pages"), 120 * 3);
    assert_eq!(env.objects().len(), 120);
    assert_eq!(env.tmp_files(), 0);
    let v = env.json(&["verify"]);
    assert_eq!(v["intact"], 120);
    assert_eq!(v["untracked"], serde_json::json!([]));
    assert_eq!(
        env.count("SELECT COUNT(*) FROM audit_events WHERE action = 'ingest'"),
        120
    );
    assert_eq!(env.json(&["audit", "verify"])["ok"], true);
}
