//! The content-addressed store: hashing, dedupe, read-only objects, verify, pages.

use crate::{component, fixture, sha256_of, Env, D1};

#[test]
fn same_bytes_twice_are_a_duplicate_stored_once() {
    let env = Env::new();
    let scan = fixture("images/scan_gcn_150dpi.jpg");
    let first = env.json(&["ingest".as_ref(), scan.as_os_str()]);
    assert_eq!(first["files"][0]["status"], "stored");
    assert_eq!(first["files"][0]["sha256"], sha256_of(&scan));
    let second = env.json(&["ingest".as_ref(), scan.as_os_str()]);
    assert_eq!(second["files"][0]["status"], "duplicate");
    assert_eq!(second["duplicates"], 1);

    let objects = env.objects();
    assert_eq!(objects.len(), 1);
    let name = objects[0]
        .strip_prefix(env.data().join("store/objects"))
        .unwrap();
    assert_eq!(name.to_string_lossy().replace('/', ""), sha256_of(&scan));
    assert!(std::fs::metadata(&objects[0])
        .unwrap()
        .permissions()
        .readonly());
    assert_eq!(
        std::fs::read(&objects[0]).unwrap(),
        std::fs::read(&scan).unwrap()
    );
    assert_eq!(env.count("SELECT COUNT(*) FROM files"), 1);
    assert_eq!(env.tmp_files(), 0);
}

#[test]
fn verify_lists_missing_and_changed_files() {
    let env = Env::new();
    let a = fixture("images/scan_gcn_150dpi.jpg");
    let b = fixture("images/scan_cccd_150dpi.png");
    env.json(&["ingest".as_ref(), a.as_os_str(), b.as_os_str()]);
    let ok = env.json(&["verify"]);
    assert_eq!(ok["checked"], 2);
    assert_eq!(ok["intact"], 2);

    // Flip one byte of one object and delete the other.
    let (sa, sb) = (sha256_of(&a), sha256_of(&b));
    let path_of = |sha: &str| {
        env.data()
            .join("store/objects")
            .join(&sha[..2])
            .join(&sha[2..])
    };
    let pa = path_of(&sa);
    let mut perms = std::fs::metadata(&pa).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&pa, perms).unwrap();
    let mut bytes = std::fs::read(&pa).unwrap();
    bytes[1000] ^= 0x01;
    std::fs::write(&pa, bytes).unwrap();
    std::fs::remove_file(path_of(&sb)).unwrap();

    let r = env.command().args(["--json", "verify"]).output().unwrap();
    assert_eq!(r.status.code(), Some(1), "damage found means exit 1");
    let v: serde_json::Value = serde_json::from_slice(&r.stdout).unwrap();
    assert_eq!(v["changed"], serde_json::json!([sa]));
    assert_eq!(v["missing"], serde_json::json!([sb]));
    assert_eq!(v["intact"], 0);
}

#[test]
fn pages_record_size_dpi_text_layer_fingerprint_and_thumbnail() {
    let env = Env::new();
    let files = [
        fixture("paper/000.00.38.H38-221125-0001_TP1_scan.pdf"), // scanned, JPEG pages
        fixture("paper/000.00.38.H38-221125-0003_TP1_scan.pdf"), // scanned, Flate pages
        fixture("paper/000.00.38.H38-221125-0003_TP4_mixed.pdf"), // one scanned page, one text page
        fixture("portal/electronic/000.00.38.H38-221125-0001_TP1.pdf"), // born-digital
        fixture("images/scan_3p_150dpi.tiff"),
        fixture("images/scan_cccd_150dpi.png"),
        fixture("images/scan_gcn_150dpi.jpg"),
    ];
    let mut args = vec![std::ffi::OsString::from("ingest")];
    args.extend(files.iter().map(|f| f.as_os_str().to_owned()));
    let report = env.json(&args);
    assert_eq!(report["failed"], 0, "{report}");
    let db = env.db();
    // width, height, dpi, dpi_known, has_text, scanned, fingerprint, thumbnail
    type PageFacts = (u32, u32, f64, bool, bool, bool, Vec<u8>, Vec<u8>);
    let pages = |f: &std::path::Path| -> Vec<PageFacts> {
        let mut s = db
            .prepare(
                "SELECT width_px, height_px, dpi, dpi_known, has_text, scanned, fingerprint, thumbnail
                 FROM pages WHERE sha256 = ?1 ORDER BY page_no",
            )
            .unwrap();
        s.query_map([sha256_of(f)], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
            ))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect()
    };
    let jpeg_scan = pages(&files[0]);
    assert_eq!(jpeg_scan.len(), 2);
    for p in &jpeg_scan {
        assert!(
            p.3 && !p.4 && p.5,
            "scanned page with known dpi and no text: {}x{} at {}",
            p.0,
            p.1,
            p.2
        );
        assert!(
            (p.2 - 150.0).abs() < 2.0 || (p.2 - 200.0).abs() < 2.0,
            "dpi {}",
            p.2
        );
        // A4 at that dpi.
        assert!(((p.1 as f64 / p.0 as f64) - 297.0 / 210.0).abs() < 0.02);
        assert_eq!(p.6.len(), 32, "256-bit fingerprint");
        assert_eq!(&p.7[..2], &[0xFF, 0xD8], "thumbnail is a JPEG");
    }
    assert_eq!(pages(&files[1]).len(), 2);
    assert!(
        pages(&files[1]).iter().all(|p| p.5 && p.3),
        "Flate scans decode directly"
    );
    let mixed = pages(&files[2]);
    assert_eq!(
        mixed.iter().map(|p| (p.4, p.5)).collect::<Vec<_>>(),
        vec![(false, true), (true, false)]
    );
    let born = pages(&files[3]);
    assert!(
        born.iter().all(|p| p.4 && !p.5 && !p.3),
        "born-digital: text layer, rendered, no scan dpi"
    );
    assert_eq!(pages(&files[4]).len(), 3);
    assert!(pages(&files[4])
        .iter()
        .all(|p| p.3 && (p.2 - 150.0).abs() < 1.0));
    assert_eq!(pages(&files[5]).len(), 1);
    assert_eq!(pages(&files[6]).len(), 1);
    // Different pages get clearly different fingerprints; a rescan of the same page is close.
    let dist = |a: &[u8], b: &[u8]| {
        a.iter()
            .zip(b)
            .map(|(x, y)| (x ^ y).count_ones())
            .sum::<u32>()
    };
    assert!(dist(&jpeg_scan[0].6, &jpeg_scan[1].6) > 40);
    let electronic = pages(&fixture(
        "portal/electronic/000.00.38.H38-221125-0001_TP1.pdf",
    ));
    assert!(
        dist(&jpeg_scan[0].6, &electronic[0].6) < 40,
        "scan vs its electronic page"
    );
}

#[test]
fn a_code_in_the_file_name_links_without_flags_and_flags_override() {
    let env = Env::new();
    env.json(&[
        "import".as_ref(),
        fixture("portal/dossiers.json").as_os_str(),
    ]);
    let scan = fixture("paper/000.00.38.H38-221125-0001_TP2_scan.pdf");
    let r = env.json(&["ingest".as_ref(), scan.as_os_str()]);
    assert_eq!(r["files"][0]["dossier"], D1);
    assert_eq!(r["files"][0]["component"], "TP2");
    let other = fixture("images/scan_gcn_150dpi.jpg");
    let r = env.json(&[
        "ingest",
        "--dossier",
        D1,
        "--component",
        "TP3",
        other.to_str().unwrap(),
    ]);
    assert_eq!(r["files"][0]["dossier"], D1);
    assert_eq!(r["files"][0]["component"], "TP3");
    let v = env.json(&["show", D1]);
    let tp3 = component(&v, "TP3");
    assert_eq!(tp3["paper"][0]["sha256"], sha256_of(&other));
    assert_eq!(tp3["electronic"].as_array().unwrap().len(), 1);
}

#[test]
fn data_dir_comes_from_the_environment_too() {
    let env = Env::new();
    let r = std::process::Command::new(env!("CARGO_BIN_EXE_doisoat"))
        .env("DOISOAT_DATA_DIR", env.data())
        .args(["--json", "ingest"])
        .arg(fixture("images/scan_gcn_150dpi.jpg"))
        .output()
        .unwrap();
    assert_eq!(r.status.code(), Some(0));
    assert!(env.data().join("doisoat.sqlite").is_file());
    assert_eq!(env.objects().len(), 1);
}
