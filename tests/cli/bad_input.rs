//! Bad input: each file gets a clear message naming it and the reason, exit
//! code 2, nothing partial is kept, and the good files of the batch go in.

use crate::{fixture, Env};

fn assert_nothing_stored(env: &Env) {
    assert_eq!(env.objects().len(), 0, "no object may be stored");
    assert_eq!(env.tmp_files(), 0, "no temporary file may be left");
    assert_eq!(env.count("SELECT COUNT(*) FROM files"), 0);
    assert_eq!(env.count("SELECT COUNT(*) FROM pages"), 0);
    assert_eq!(env.count("SELECT COUNT(*) FROM copies"), 0);
}

#[test]
fn each_bad_file_is_refused_with_its_reason() {
    let cases = [
        ("bad/corrupt.pdf", "truncated", "truncated"),
        ("bad/truncated.pdf", "truncated", "truncated"),
        (
            "bad/truncated.jpg",
            "truncated",
            "JPEG data stops before the end",
        ),
        ("bad/huge.png", "image_too_large", "50000 × 50000"),
        (
            "bad/jpeg_named.pdf",
            "wrong_extension",
            "says .pdf but the content is JPEG",
        ),
        ("bad/empty.pdf", "empty_file", "empty"),
        (
            "bad/encrypted.pdf",
            "pdf_encrypted",
            "encrypted or password-protected",
        ),
    ];
    for (rel, code, words) in cases {
        let env = Env::new();
        let path = fixture(rel);
        let r = env
            .command()
            .args(["--json", "ingest"])
            .arg(&path)
            .output()
            .unwrap();
        assert_eq!(r.status.code(), Some(2), "{rel}");
        let stderr = String::from_utf8_lossy(&r.stderr);
        assert!(
            stderr.contains(path.to_str().unwrap()),
            "{rel}: message names the file: {stderr}"
        );
        assert!(stderr.contains(words), "{rel}: message says why: {stderr}");
        let v: serde_json::Value = serde_json::from_slice(&r.stdout).unwrap();
        assert_eq!(v["files"][0]["status"], "failed");
        assert_eq!(v["files"][0]["error"]["code"], code, "{rel}");
        assert_nothing_stored(&env);
    }
}

#[test]
fn messages_are_vietnamese_by_default() {
    let env = Env::new();
    let r = env.run(&[
        "--lang".as_ref(),
        "vi".as_ref(),
        "ingest".as_ref(),
        fixture("bad/encrypted.pdf").as_os_str(),
    ]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("PDF được mã hóa hoặc có mật khẩu"),
        "{}",
        r.stderr
    );
    let r = env.run(&[
        "--lang".as_ref(),
        "vi".as_ref(),
        "ingest".as_ref(),
        fixture("bad/jpeg_named.pdf").as_os_str(),
    ]);
    assert!(
        r.stderr
            .contains("phần mở rộng là .pdf nhưng nội dung là JPEG"),
        "{}",
        r.stderr
    );
}

#[test]
fn unreadable_paths_fail_alone_and_the_rest_of_the_batch_goes_in() {
    let env = Env::new();
    let good = fixture("images/scan_cccd_150dpi.png");
    let missing = env.tmp.path().join("không có.pdf");
    let folder = env.tmp.path().to_path_buf();
    let r = env
        .command()
        .args(["--json", "ingest"])
        .arg(&missing)
        .arg(fixture("bad/huge.png"))
        .arg(&folder)
        .arg(&good)
        .arg(fixture("bad/truncated.pdf"))
        .output()
        .unwrap();
    assert_eq!(r.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_slice(&r.stdout).unwrap();
    let statuses: Vec<_> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["failed", "failed", "failed", "stored", "failed"]);
    assert_eq!(v["files"][0]["error"]["code"], "unreadable");
    assert_eq!(v["files"][2]["error"]["code"], "unreadable");
    assert_eq!(v["stored"], 1);
    assert_eq!(env.objects().len(), 1);
    assert_eq!(env.count("SELECT COUNT(*) FROM files"), 1);
    assert_eq!(env.tmp_files(), 0);
}

#[test]
fn an_unknown_format_is_refused() {
    let env = Env::new();
    let txt = env.tmp.path().join("ghi chú.txt");
    std::fs::write(&txt, "không phải tài liệu").unwrap();
    let v = env
        .command()
        .args(["--json", "ingest"])
        .arg(&txt)
        .output()
        .unwrap();
    assert_eq!(v.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_slice(&v.stdout).unwrap();
    assert_eq!(v["files"][0]["error"]["code"], "unsupported_format");
}
