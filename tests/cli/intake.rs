//! Reception-desk intake (issue 5): separator sheets, splitting scanned
//! batches, receipt QR codes, flags for unreadable and unknown codes,
//! derived versions, the hot folder end to end, and scanning through SANE's
//! `test` backend (a real SANE device, enabled by tests/sane/dll.conf).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use doisoat_domain::DossierCode;
use doisoat_intake::synth::{self, batch_pdf, ScanConditions, SynthPage};
use image::GrayImage;

use crate::{fixture, Env, D1, D2, D3};

const D4: &str = "000.00.38.H38-221128-0004";
const D5: &str = "000.00.38.H38-221128-0005";
const UNKNOWN: &str = "000.00.38.H38-221130-0099";

fn code(s: &str) -> DossierCode {
    DossierCode::new(s).unwrap()
}

/// Content pages: the committed paper scans, at 200 dpi, in grey.
fn content_pages() -> Vec<GrayImage> {
    synth::content_pages(
        &[
            "paper/000.00.38.H38-221125-0001_TP1_scan.pdf",
            "paper/000.00.38.H38-221125-0001_TP2_scan.pdf",
            "paper/000.00.38.H38-221125-0003_TP1_scan.pdf",
        ]
        .map(fixture),
        200.0,
    )
    .unwrap()
}

fn noisy() -> ScanConditions {
    ScanConditions {
        dpi: 200.0,
        max_rotation_deg: 3.0,
        noise: 16,
        jpeg_quality: 60,
        seed: 5,
    }
}

fn write_batch(env: &Env, name: &str, pages: &[SynthPage]) -> PathBuf {
    let pdf = batch_pdf(pages, &content_pages(), &noisy()).unwrap();
    let path = env.tmp.path().join(name);
    std::fs::write(&path, pdf).unwrap();
    path
}

fn import_csv(env: &Env) {
    let r = env.run(&[
        "import".as_ref(),
        fixture("portal/dossiers.csv").as_os_str(),
    ]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
}

fn copies_of(env: &Env, dossier: &str) -> Vec<(String, i64)> {
    let db = env.db();
    let mut stmt = db
        .prepare(
            "SELECT c.sha256, f.page_count FROM copies c JOIN dossiers d ON d.id = c.dossier_id
             JOIN files f ON f.sha256 = c.sha256 WHERE d.code = ?1 ORDER BY c.id",
        )
        .unwrap();
    let rows = stmt
        .query_map([dossier], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    rows
}

/// The stored object of a file.
fn object_path(env: &Env, sha: &str) -> PathBuf {
    env.data()
        .join("store/objects")
        .join(&sha[..2])
        .join(&sha[2..])
}

/// A page as recorded: what the ingest computed for it.
#[derive(Debug, PartialEq)]
struct PageRecord {
    page_no: i64,
    size: (i64, i64),
    dpi: f64,
    flags: (bool, bool, bool),
    fingerprint: Vec<u8>,
    thumbnail: Vec<u8>,
}

fn page_rows(env: &Env, sha: &str) -> Vec<PageRecord> {
    let db = env.db();
    let mut stmt = db
        .prepare(
            "SELECT page_no, width_px, height_px, dpi, dpi_known, has_text, scanned, fingerprint,
             thumbnail FROM pages WHERE sha256 = ?1 ORDER BY page_no",
        )
        .unwrap();
    let rows = stmt
        .query_map([sha], |r| {
            Ok(PageRecord {
                page_no: r.get(0)?,
                size: (r.get(1)?, r.get(2)?),
                dpi: r.get(3)?,
                flags: (r.get(4)?, r.get(5)?, r.get(6)?),
                fingerprint: r.get(7)?,
                thumbnail: r.get(8)?,
            })
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    rows
}

#[test]
fn five_dossiers_with_separator_sheets_split_into_five_linked_documents() {
    let env = Env::new();
    import_csv(&env);
    // Sheet, then 2, 1, 3, 1 and 2 content pages: 14 pages, rotated up to 3°, noisy, JPEG q60.
    let plan: [(&str, &[usize]); 5] = [
        (D1, &[0, 1]),
        (D2, &[2]),
        (D3, &[3, 4, 5]),
        (D4, &[6]),
        (D5, &[1, 3]),
    ];
    let mut pages = Vec::new();
    for (c, content) in plan {
        pages.push(SynthPage::Sheet(code(c)));
        pages.extend(content.iter().map(|k| SynthPage::Content(*k)));
    }
    let batch = write_batch(&env, "lo_quet.pdf", &pages);
    let r = env.json(&["ingest".as_ref(), "--split".as_ref(), batch.as_os_str()]);
    assert_eq!(r["pages"], 14);
    assert_eq!(r["linked"], 5, "{r:#}");
    assert_eq!(r["flagged"], 0, "{r:#}");
    assert_eq!(r["separators"], serde_json::json!([1, 4, 6, 10, 12]));
    let parts = r["parts"].as_array().unwrap();
    assert_eq!(parts.len(), 5);
    let expected_pages = [vec![2, 3], vec![5], vec![7, 8, 9], vec![11], vec![13, 14]];
    for (i, (c, _)) in plan.iter().enumerate() {
        assert_eq!(parts[i]["status"], "linked");
        assert_eq!(parts[i]["code"], *c);
        assert_eq!(parts[i]["pages"], serde_json::json!(expected_pages[i]));
        let copies = copies_of(&env, c);
        assert_eq!(copies.len(), 1, "{c}: {copies:?}");
        assert_eq!(copies[0].0, parts[i]["sha256"].as_str().unwrap());
        assert_eq!(copies[0].1 as usize, expected_pages[i].len());
    }
    // The original batch is stored untouched, the sheets kept aside, every part recorded as derived.
    assert_eq!(crate::sha256_of(&batch), r["sha256"].as_str().unwrap());
    assert_eq!(
        env.count("SELECT COUNT(*) FROM derived_files WHERE operation = 'separator'"),
        5
    );
    assert_eq!(
        env.count("SELECT COUNT(*) FROM derived_files WHERE operation = 'split'"),
        5
    );
    assert_eq!(
        env.count("SELECT COUNT(*) FROM copies WHERE sha256 = (SELECT sha256 FROM derived_files WHERE operation = 'separator' LIMIT 1)"),
        0
    );
    // Each part holds the batch's own JPEG bytes, and the page facts it was
    // recorded with are exactly what a fresh ingest of the part computes.
    let batch_doc = doisoat_pages::open(&batch).unwrap();
    let fresh = Env::new();
    for (i, pages) in expected_pages.iter().enumerate() {
        let sha = parts[i]["sha256"].as_str().unwrap();
        let object = object_path(&env, sha);
        let part_doc = doisoat_pages::open(&object).unwrap();
        for (k, p) in pages.iter().enumerate() {
            assert_eq!(
                part_doc.scan_jpeg(k).unwrap().bytes,
                batch_doc.scan_jpeg(*p as usize - 1).unwrap().bytes,
                "part {i} page {k}"
            );
        }
        let copy = fresh.tmp.path().join(format!("part{i}.pdf"));
        std::fs::copy(&object, &copy).unwrap();
        let r = fresh.run(&["ingest".as_ref(), copy.as_os_str()]);
        assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
        let recorded = page_rows(&env, sha);
        assert_eq!(recorded.len(), pages.len());
        assert!(recorded.iter().all(|r| !r.thumbnail.is_empty()));
        assert_eq!(recorded, page_rows(&fresh, sha), "part {i}");
    }
    // Splitting the same batch again changes nothing.
    let again = env.json(&["ingest".as_ref(), "--split".as_ref(), batch.as_os_str()]);
    assert_eq!(again["duplicate"], true);
    assert_eq!(env.count("SELECT COUNT(*) FROM derived_files"), 10);
    assert_eq!(env.tmp_files(), 0);
}

#[test]
fn receipt_qr_at_the_top_left_links_to_its_dossier() {
    let env = Env::new();
    import_csv(&env);
    let truth: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("receipts/truth.json")).unwrap())
            .unwrap();
    let r = env.json(&[
        "ingest".as_ref(),
        "--split".as_ref(),
        fixture("receipts/bien_nhan_mau01_200dpi.jpg").as_os_str(),
    ]);
    assert_eq!(r["linked"], 1, "{r:#}");
    assert_eq!(r["parts"][0]["status"], "linked");
    assert_eq!(r["parts"][0]["code"], truth["dossier"]);
    assert_eq!(r["parts"][0]["pages"], serde_json::json!([1]));
    assert_eq!(copies_of(&env, truth["dossier"].as_str().unwrap()).len(), 1);
}

#[test]
fn unreadable_sheet_is_flagged_and_unknown_code_is_offered() {
    let env = Env::new();
    import_csv(&env);
    let batch = write_batch(
        &env,
        "lo_loi.pdf",
        &[
            SynthPage::Sheet(code(D1)),
            SynthPage::Content(0),
            SynthPage::SmudgedSheet(code(D2)),
            SynthPage::Content(1),
            SynthPage::Content(2),
            SynthPage::Sheet(code(UNKNOWN)),
            SynthPage::Content(3),
        ],
    );
    let r = env.json(&["ingest".as_ref(), "--split".as_ref(), batch.as_os_str()]);
    let parts = r["parts"].as_array().unwrap();
    assert_eq!(parts.len(), 3, "{r:#}");
    assert_eq!(parts[0]["status"], "linked");
    assert_eq!(parts[1]["status"], "unreadable_separator");
    assert_eq!(parts[1]["code"], serde_json::Value::Null);
    assert_eq!(parts[1]["pages"], serde_json::json!([4, 5]));
    assert_eq!(parts[2]["status"], "unknown_dossier");
    assert_eq!(parts[2]["code"], UNKNOWN);
    // Never linked to a guess: D2 (whose sheet was smudged) got nothing, and no dossier was made up.
    assert!(copies_of(&env, D2).is_empty());
    assert_eq!(
        env.count(&format!(
            "SELECT COUNT(*) FROM dossiers WHERE code = '{UNKNOWN}'"
        )),
        0
    );
    let flags = env.json(&["intake", "flags"]);
    let kinds: Vec<&str> = flags
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap())
        .filter(|k| *k == "unreadable_separator" || *k == "unknown_dossier")
        .collect();
    assert_eq!(kinds, vec!["unreadable_separator", "unknown_dossier"]);
    // The clerk accepts the offered code: the part is linked, the flag resolved.
    let id = parts[2]["flag"].as_i64().unwrap().to_string();
    let f = env.json(&["intake", "accept", &id]);
    assert_eq!(f["status"], "resolved");
    assert_eq!(copies_of(&env, UNKNOWN).len(), 1);
    // The unreadable one has no code to accept: the clerk must name it.
    let id = parts[1]["flag"].as_i64().unwrap().to_string();
    let r = env.run(&["--json", "intake", "accept", &id]);
    assert_eq!(r.code, 2);
    assert_eq!(r.json()["error"]["code"], "invalid_argument");
    let f = env.json(&["intake", "accept", &id, "--code", D2]);
    assert_eq!(f["status"], "resolved");
    assert_eq!(copies_of(&env, D2)[0].1, 2);
    let r = env.run(&["--lang", "vi", "intake", "accept", "999"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("Không có cờ tiếp nhận số 999"),
        "{}",
        r.stderr
    );
}

#[test]
fn sheets_carry_the_code_applicant_and_date_and_read_back() {
    let env = Env::new();
    import_csv(&env);
    let out = env.tmp.path().join("to_phan_cach.pdf");
    let r = env.json(&[
        "sheet".as_ref(),
        D1.as_ref(),
        D2.as_ref(),
        "-o".as_ref(),
        out.as_os_str(),
    ]);
    assert_eq!(r["sheets"], 2);
    let doc = doisoat_pages::open(&out).unwrap();
    assert_eq!(doc.page_count(), 2);
    let p = doc.render(1, 200.0).unwrap();
    let grey = image::DynamicImage::ImageRgb8(p.image).to_luma8();
    let found = doisoat_intake::codes::read_codes(&grey, p.dpi);
    assert_eq!(found[0].text, format!("DOISOAT-SEP:{D2}"));
    let bytes = std::fs::read(&out).unwrap();
    let lo = pdf_text(&bytes);
    assert!(lo.contains("Nguyễn Văn Đức"), "{lo}");
    assert!(lo.contains("25/11/2022"), "{lo}");
    assert!(lo.contains(D1));
    // A code that fails the national pattern gets no sheet.
    let r = env.run(&["--json", "sheet", "H38.22-1125-1", "-o", "x.pdf"]);
    assert_eq!(r.code, 2);
    assert_eq!(r.json()["error"]["code"], "invalid_argument");
}

/// The text layer, as poppler's pdftotext reads it (a second, independent reader).
fn pdf_text(pdf: &[u8]) -> String {
    // PDFium's text extraction is what a viewer's search uses.
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("s.pdf");
    std::fs::write(&p, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .arg(&p)
        .arg("-")
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn straightened_and_edited_versions_are_derived_and_the_original_kept() {
    let env = Env::new();
    import_csv(&env);
    let batch = write_batch(
        &env,
        "nghieng.pdf",
        &[
            SynthPage::Content(0),
            SynthPage::Content(1),
            SynthPage::Content(2),
        ],
    );
    let r = env.json(&[
        "ingest".as_ref(),
        "--dossier".as_ref(),
        D1.as_ref(),
        batch.as_os_str(),
    ]);
    let sha = r["files"][0]["sha256"].as_str().unwrap().to_string();
    let obj = env.objects();
    let before: Vec<_> = obj.iter().map(|p| std::fs::read(p).unwrap()).collect();
    let s = env.json(&["intake", "edit", &sha, "--straighten"]);
    assert_eq!(s["operation"], "straighten");
    assert_eq!(s["links"], 1);
    let d = env.json(&[
        "intake",
        "edit",
        s["sha256"].as_str().unwrap(),
        "--delete",
        "2",
    ]);
    assert_eq!(d["pages"], serde_json::json!([1, 3]));
    let o = env.json(&[
        "intake",
        "edit",
        d["sha256"].as_str().unwrap(),
        "--reorder",
        "2,1",
    ]);
    assert_eq!(o["pages"], serde_json::json!([2, 1]));
    let rot = env.json(&[
        "intake",
        "edit",
        o["sha256"].as_str().unwrap(),
        "--rotate",
        "1:2",
    ]);
    let rep = env.json(&[
        "intake".as_ref(),
        "edit".as_ref(),
        rot["sha256"].as_str().unwrap().as_ref(),
        "--replace".as_ref(),
        "2".as_ref(),
        "--with".as_ref(),
        fixture("images/scan_gcn_150dpi.jpg").as_os_str(),
    ]);
    // Pages name the immediate source's pages; 0 is the replacement.
    assert_eq!(rep["pages"], serde_json::json!([1, 0]));
    // Five derived versions, each recorded and audited; the originals' bytes unchanged.
    assert_eq!(env.count("SELECT COUNT(*) FROM derived_files"), 5);
    assert_eq!(
        env.count("SELECT COUNT(*) FROM audit_events WHERE action = 'derive'"),
        5
    );
    for (p, b) in obj.iter().zip(before) {
        assert_eq!(std::fs::read(p).unwrap(), b);
    }
    assert_eq!(copies_of(&env, D1).len(), 6);
    // Bad edits are refused with nothing written.
    let r = env.run(&["--json", "intake", "edit", &sha, "--delete", "9"]);
    assert_eq!(r.code, 2);
    assert_eq!(r.json()["error"]["code"], "page_not_found");
    let r = env.run(&["--json", "intake", "edit", &sha, "--reorder", "1,1,2"]);
    assert_eq!(r.json()["error"]["code"], "invalid_argument");
    assert_eq!(env.count("SELECT COUNT(*) FROM derived_files"), 5);
}

/// The SANE config folder of the test suite (its dll.conf lists `test`).
fn sane_dir() -> String {
    format!(
        "{}:",
        crate::manifest_dir().join("../../tests/sane").display()
    )
}

#[test]
fn scanning_through_the_sane_test_backend_stores_and_links_the_batch() {
    let env = Env::new();
    import_csv(&env);
    let list = env
        .command()
        .env("SANE_CONFIG_DIR", sane_dir())
        .args(["--json", "scan", "--list"])
        .output()
        .unwrap();
    let list: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    assert!(list
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["name"] == "test:0"));
    let kept = env.tmp.path().join("batch.pdf");
    let out = env
        .command()
        .env("SANE_CONFIG_DIR", sane_dir())
        .args([
            "--json", "scan", "--device", "test:0", "--source", "adf", "--dpi", "200",
        ])
        .args(["--mode", "color", "--max-pages", "4", "--dossier", D1, "-o"])
        .arg(&kept)
        .output()
        .unwrap();
    let r = crate::Run::from(out);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("Scanned page 4"), "{}", r.stderr);
    let j = r.json();
    assert_eq!(j["pages"], 4);
    assert_eq!(j["stopped"]["kind"], "finished");
    assert_eq!(j["ingest"]["files"][0]["dossier"], D1);
    assert_eq!(j["ingest"]["files"][0]["pages"], 4);
    assert_eq!(copies_of(&env, D1)[0].1, 4);
    assert_eq!(doisoat_pages::open(&kept).unwrap().page_count(), 4);
    // A scanner that is not there: a clear error, nothing stored.
    let out = env
        .command()
        .env("SANE_CONFIG_DIR", sane_dir())
        .args(["--json", "scan", "--device", "test:7"])
        .output()
        .unwrap();
    let r = crate::Run::from(out);
    assert_eq!(r.code, 2);
    assert_eq!(r.json()["error"]["code"], "scanner");
    assert_eq!(env.count("SELECT COUNT(*) FROM files"), 1);
}

/// A distinct small scan (a PDF of one noisy page) for the hot folder.
fn distinct_scan(seed: u64) -> Vec<u8> {
    let page = doisoat_intake::synth::noise(&doisoat_intake::synth::blank_a4(40.0), 30, seed);
    doisoat_intake::pdfout::image_pdf(&[doisoat_intake::pdfout::JpegPage::from_gray(
        &page, 40.0, 70,
    )])
}

/// A running `doisoat watch`, killed when dropped: a failed assertion must
/// not leave it watching a deleted folder.
struct Watcher(Option<Child>);

impl Watcher {
    fn spawn(cmd: &mut std::process::Command) -> Watcher {
        Watcher(Some(cmd.spawn().unwrap()))
    }

    fn id(&self) -> u32 {
        self.0.as_ref().expect("running").id()
    }

    /// Kills it outright (no chance to finish) and reaps it.
    fn kill(&mut self) {
        if let Some(mut child) = self.0.take() {
            child.kill().unwrap();
            child.wait().unwrap();
        }
    }

    /// The child, for a caller that ends it another way.
    fn into_child(mut self) -> Child {
        self.0.take().expect("running")
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        if let Some(mut child) = self.0.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn start_watch(env: &Env, dir: &Path) -> Watcher {
    Watcher::spawn(
        env.command()
            .args(["--json", "watch", "--debounce-ms", "300"])
            .arg(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null()),
    )
}

fn ledger(env: &Env) -> i64 {
    if !env.data().join("doisoat.sqlite").exists() {
        return 0;
    }
    rusqlite::Connection::open(env.data().join("doisoat.sqlite"))
        .and_then(|c| c.query_row("SELECT COUNT(*) FROM hotfolder_ledger", [], |r| r.get(0)))
        .unwrap_or(0)
}

fn wait_for_ledger(env: &Env, n: i64) {
    let start = Instant::now();
    while ledger(env) < n {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "ledger has {} of {n}",
            ledger(env)
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn hot_folder_takes_each_of_twenty_files_exactly_once_across_a_restart() {
    let env = Env::new();
    let inbox = env.tmp.path().join("inbox");
    std::fs::create_dir_all(&inbox).unwrap();
    let mut watcher = start_watch(&env, &inbox);
    std::thread::sleep(Duration::from_millis(500));
    // 1–8: copied in plainly.
    for i in 1..=8 {
        std::fs::write(inbox.join(format!("scan_{i:02}.pdf")), distinct_scan(i)).unwrap();
    }
    // 9: written slowly, in chunks, kept open between them.
    let slow = distinct_scan(9);
    let mut f = std::fs::File::create(inbox.join("scan_09.pdf")).unwrap();
    for chunk in slow.chunks(slow.len() / 4 + 1) {
        f.write_all(chunk).unwrap();
        f.flush().unwrap();
        std::thread::sleep(Duration::from_millis(150));
    }
    drop(f);
    // 10: saved under a temporary name, then renamed into place.
    std::fs::write(inbox.join("scan_10.pdf.part"), distinct_scan(10)).unwrap();
    std::fs::rename(inbox.join("scan_10.pdf.part"), inbox.join("scan_10.pdf")).unwrap();
    wait_for_ledger(&env, 10);
    // Restart mid-way: killed outright, files keep arriving meanwhile.
    watcher.kill();
    for i in 11..=15 {
        std::fs::write(inbox.join(format!("scan_{i:02}.pdf")), distinct_scan(i)).unwrap();
    }
    let mut watcher = start_watch(&env, &inbox);
    std::thread::sleep(Duration::from_millis(500));
    for i in 16..=18 {
        std::fs::write(inbox.join(format!("scan_{i:02}.pdf")), distinct_scan(i)).unwrap();
    }
    // 19: inside a new subfolder, created at once with its file.
    std::fs::create_dir_all(inbox.join("may_photo/2026")).unwrap();
    std::fs::write(inbox.join("may_photo/2026/scan_19.pdf"), distinct_scan(19)).unwrap();
    // 20: a copy of a fixture scan named with its dossier code.
    std::fs::copy(
        fixture("paper/000.00.38.H38-221125-0002_TP1_scan.pdf"),
        inbox.join("000.00.38.H38-221125-0002_TP1_scan.pdf"),
    )
    .unwrap();
    wait_for_ledger(&env, 20);
    std::thread::sleep(Duration::from_millis(800));
    watcher.kill();
    assert_eq!(ledger(&env), 20);
    assert_eq!(env.count("SELECT COUNT(*) FROM files"), 20);
    assert_eq!(env.count("SELECT COUNT(*) FROM copies"), 20);
    assert_eq!(
        env.count("SELECT COUNT(*) FROM audit_events WHERE action = 'ingest'"),
        20
    );
    assert_eq!(
        env.count("SELECT COUNT(*) FROM hotfolder_ledger WHERE status = 'stored'"),
        20
    );
    assert_eq!(copies_of(&env, D2).len(), 1);
    // Originals stay where they were.
    assert!(inbox.join("may_photo/2026/scan_19.pdf").exists());
    // A third run takes nothing again.
    let r = env.run(&[
        "watch",
        "--once",
        "--debounce-ms",
        "200",
        inbox.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.lines().all(|l| l.starts_with("already")),
        "{}",
        r.stdout
    );
    assert_eq!(r.stdout.lines().count(), 20);
    assert_eq!(env.count("SELECT COUNT(*) FROM files"), 20);
}

#[cfg(unix)]
#[test]
fn a_watch_stopped_by_sigterm_finishes_and_prints_its_summary() {
    let env = Env::new();
    let inbox = env.tmp.path().join("inbox");
    std::fs::create_dir_all(&inbox).unwrap();
    let watcher = Watcher::spawn(
        env.command()
            .args(["--lang", "vi", "watch", "--debounce-ms", "300"])
            .arg(&inbox)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped()),
    );
    std::thread::sleep(Duration::from_millis(500));
    std::fs::write(inbox.join("scan_01.pdf"), distinct_scan(1)).unwrap();
    wait_for_ledger(&env, 1);
    let sent = std::process::Command::new("kill")
        .args(["-TERM", &watcher.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let out = watcher.into_child().wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("Xong: 1 lưu mới, 0 trùng, 0 lỗi"),
        "{stderr}"
    );
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("stored\t"));
    assert_eq!(env.count("SELECT COUNT(*) FROM files"), 1);
}

#[test]
fn bad_batches_and_folders_give_a_clear_error_and_leave_nothing() {
    let env = Env::new();
    for bad in [
        "bad/corrupt.pdf",
        "bad/truncated.pdf",
        "bad/empty.pdf",
        "bad/jpeg_named.pdf",
    ] {
        let r = env.run(&[
            "--json".as_ref(),
            "ingest".as_ref(),
            "--split".as_ref(),
            fixture(bad).as_os_str(),
        ]);
        assert_eq!(r.code, 2, "{bad}: {}", r.stdout);
        let e = &r.json()["error"];
        assert!(
            e["message"]
                .as_str()
                .unwrap()
                .contains(bad.split('/').next_back().unwrap()),
            "{bad}: {e}"
        );
    }
    assert!(env.objects().is_empty());
    assert_eq!(env.tmp_files(), 0);
    assert_eq!(env.count("SELECT COUNT(*) FROM files"), 0);
    let r = env.run(&["--lang", "vi", "watch", "--once", "/khong/ton/tai"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("/khong/ton/tai"), "{}", r.stderr);
    let r = env.run(&["--json", "ingest", "--split", "--dossier", D1, "x.pdf"]);
    assert_eq!(r.code, 2, "--split and --dossier do not go together");
}
